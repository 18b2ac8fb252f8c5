"""The import preview settles everything before it writes: an unresolved agency refuses the confirmation whole,
创建机关 is never the ticked default, a locked or unchanged file says so, a file with no changed cells leaves a
returned report returned, and a file naming another agency stays flagged on the report until accepted."""

import io

import pytest
from django.urls import reverse

from agencies.models import Agency
from reports import services
from reports.models import Report, ReportEvent
from tests.admin.test_import_admin import upload
from tests.factories import FIXTURES, AgencyFactory, import_file

pytestmark = pytest.mark.django_db

TXT = "samples/002_cff4ace8f11033c3.txt"  # 卫辉市上乐村镇人民政府 2023
OTHER = "samples/000_0644fa4e77b34486.txt"


def messages_of(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_a_ticked_file_without_an_agency_refuses_the_whole_confirmation(admin_client):
    AgencyFactory(name="卫辉市上乐村镇人民政府", short_name="上乐村镇")
    preview_url = upload(admin_client, TXT, OTHER)
    page = admin_client.get(preview_url).content.decode()
    assert 'value="new" selected' not in page  # creating an agency is never the default
    assert "拼音" in page and 'data-search="' in page
    matched = Agency.objects.get(name="卫辉市上乐村镇人民政府")
    form = {"include_0": "on", "agency_0": str(matched.pk), "year_0": "2023", "include_1": "on", "agency_1": ""}
    response = admin_client.post(preview_url, form, follow=True)
    assert Report.objects.count() == 0  # nothing imported, not even the resolved file
    assert "尚未确定机关" in messages_of(response) and "000_0644fa4e77b34486.txt" in messages_of(response)
    assert response.request["PATH_INFO"] == preview_url  # back on the same preview
    # "新建机关…" chosen explicitly but without a name is not settled either
    form.update({"agency_1": "new", "new_name_1": " "})
    admin_client.post(preview_url, form)
    assert Report.objects.count() == 0
    form.update({"new_name_1": "彭阳县新集乡人民政府", "new_kind_1": "township"})
    response = admin_client.post(preview_url, form, follow=True)
    assert Report.objects.count() == 2 and "成功 2 个" in messages_of(response)


def test_locked_and_unchanged_files_say_so(admin_client):
    report = import_file(TXT).report
    data = (FIXTURES / TXT).read_bytes()
    same_figures = io.BytesIO(data + b"\n\n")
    same_figures.name = "again.txt"
    services.report_transition(report=report, action="return", reason="请补充说明")
    preview_url = upload(admin_client, extra=[same_figures])
    response = admin_client.post(
        preview_url, {"include_0": "on", "agency_0": str(report.agency_id), "year_0": "2023"}, follow=True
    )
    report.refresh_from_db()
    shown = messages_of(response)
    assert "没有单元格改变" in shown
    assert report.status == Report.Status.RETURNED  # a file with no changed cells does not resubmit

    services.report_transition(report=report, action="submit")
    services.report_transition(report=report, action="approve")
    changed = io.BytesIO(data.replace(b"\n", b"\r\n") + b"\n")
    changed.name = "locked.txt"
    preview_url = upload(admin_client, extra=[changed])
    response = admin_client.post(preview_url, {}, follow=True)  # the preview does not tick a locked report's file
    assert "锁定" in messages_of(response) and "跳过 1 个" in messages_of(response)


def test_a_file_naming_another_agency_stays_flagged_until_accepted(admin_client):
    mine = AgencyFactory(name="二塘乡人民政府", short_name="二塘乡")
    preview_url = upload(admin_client, TXT)  # names 卫辉市上乐村镇人民政府
    response = admin_client.post(
        preview_url, {"include_0": "on", "agency_0": str(mine.pk), "year_0": "2023"}, follow=True
    )
    assert "自称" in messages_of(response)
    report = Report.objects.get(agency=mine)
    issue = report.issues.get(rule="R26")
    assert issue.severity == "warning" and "自称“卫辉市上乐村镇”" in issue.message and not issue.accepted
    assert ReportEvent.objects.filter(report=report, reason__contains="自称").exists()
    page = admin_client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert "R26" in page
    timeline = admin_client.get(reverse("admin:reports_report_timeline", args=[report.pk])).content.decode()
    assert "自称" in timeline
    # a re-validation keeps it; a reviewer's 已核实 settles it
    services.report_validate(report=report)
    assert report.issues.get(rule="R26").accepted is False
    services.issue_accept(report=report, fingerprint=issue.fingerprint, comment="电话核实，文件确属本乡")
    report.refresh_from_db()
    assert report.issues.get(rule="R26").accepted is True
