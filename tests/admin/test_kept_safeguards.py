"""What already held and must keep holding: every text a clerk can type or a file can carry is escaped on every page;
state-changing posts need the CSRF token; stored files are never served straight from MEDIA_ROOT."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency
from reports import canonical, services
from tests.factories import import_file, make_user

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_report():
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    Agency.objects.filter(pk=report.agency_id).update(name=f"乡{XSS}", short_name="<b onclick=alert(2)>简")
    boss = make_user("boss")
    services.report_update(
        report=report, fields={"title": XSS, "overview": XSS}, values={canonical.ALL_KEYS[0]: 1}, user=boss, reason=XSS
    )
    services.cell_comment_add(report=report, key=canonical.ALL_KEYS[0], text=XSS, user=boss)
    services.report_transition(report=report, action="return", reason=XSS, user=boss)
    return report


def test_typed_and_imported_text_is_escaped_on_every_page(admin_client, hostile_report):
    pk = hostile_report.pk
    pages = [
        reverse("admin:reports_report_changelist"),
        reverse("admin:reports_report_change", args=[pk]),
        reverse("admin:reports_report_timeline", args=[pk]),
        reverse("admin:reports_report_notice", args=[pk]),
        reverse("admin:reports_report_diff", args=[pk]),
        reverse("admin:reports_report_overview") + f"?year={hostile_report.year}",
        reverse("admin:agencies_agency_changelist"),
        reverse("admin:reports_sourcedocument_changelist"),
    ]
    for url in pages:
        html = admin_client.get(url).content.decode()
        assert "<script>alert(" not in html and "<img src=x" not in html and "<b onclick" not in html, url
    assert "&lt;script&gt;" in admin_client.get(pages[1]).content.decode()


def test_a_hostile_file_name_is_escaped_in_the_preview(admin_client):
    upload = io.BytesIO(b"not a report")
    upload.name = "<img src=x onerror=alert(1)>.txt"  # (a "/" would be cut away by Django's upload handling)
    response = admin_client.post(reverse("admin:reports_report_import"), {"files": [upload]})
    html = admin_client.get(response["Location"]).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.txt" in html


def test_posts_without_the_csrf_token_are_refused(hostile_report):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("reviewer"))
    pk = hostile_report.pk
    for url, data in [
        (reverse("admin:reports_report_transition", args=[pk]), {"nb_action": "submit"}),
        (reverse("admin:reports_report_change", args=[pk]), {"title": "x"}),
        (reverse("admin:reports_report_import"), {}),
        (reverse("admin:reports_report_flat_import"), {}),
        (reverse("admin:reports_report_comment_add", args=[pk]), {"nb_comment_key": canonical.ALL_KEYS[0]}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403, url
    hostile_report.refresh_from_db()
    assert hostile_report.status == "returned"


def test_stored_files_are_not_served_from_media(admin_client, hostile_report):
    source = hostile_report.sources.get()
    assert admin_client.get(f"/media/{source.file.name}").status_code == 404
    assert admin_client.get(f"/{source.file.name}").status_code == 404
