"""删除 on a report works for whoever holds the permission: the report goes with its source documents and their
files; an approved report is refused; a 填报员 has no delete."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from reports import services
from reports.models import Report, SourceDocument
from reports.roles import FILER
from tests.admin.test_access import login_as
from tests.factories import import_file

pytestmark = pytest.mark.django_db


def test_superuser_deletes_a_report_with_its_sources(admin_client, django_capture_on_commit_callbacks):
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    stored = report.sources.get().file.name
    assert default_storage.exists(stored)
    url = reverse("admin:reports_report_delete", args=[report.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "来源文件" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion is committed
        response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Report.objects.filter(pk=report.pk).exists() and not SourceDocument.objects.exists()
    assert not default_storage.exists(stored)


def test_an_approved_report_is_not_deleted(admin_client):
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    services.report_transition(report=report, action="approve")
    assert admin_client.get(reverse("admin:reports_report_delete", args=[report.pk])).status_code == 403
    admin_client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "delete_selected", "_selected_action": [report.pk], "post": "yes"},
    )
    assert Report.objects.filter(pk=report.pk).exists()


def test_a_filer_cannot_delete(client):
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    login_as(client, FILER, "filer", report.agency)
    assert client.get(reverse("admin:reports_report_delete", args=[report.pk])).status_code == 403
