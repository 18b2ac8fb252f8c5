"""Writing through the API: the same services as the admin (report_create, report_update, report_transition), so
the same version check, approval lock, role rules, validation and history — with the refusals said in Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports import canonical, services
from reports.history import report_timeline
from reports.models import Report
from reports.models.report import REPORT_LOCKED
from reports.roles import FILER, REVIEWER
from reports.selectors import report_values
from tests.api.conftest import api_client
from tests.factories import AgencyFactory, label_values, make_report, make_user

pytestmark = pytest.mark.django_db

A = canonical.t3("new_received", "natural_person")
B = canonical.t3("granted", "commercial")


@pytest.fixture
def filer_report():
    report = make_report()  # a draft the agency is filling in (an imported report arrives handed in already)
    services.report_set_values(report=report, values=label_values("expected/002_cff4ace8f11033c3.json"))
    filer = make_user("filer", role=FILER, agency=report.agency)
    return filer, report, api_client(filer)


def read(client, report) -> dict:
    response = client.get(f"/api/reports/{report.pk}/cells/")
    assert response.status_code == 200
    return response.json()


def test_a_write_lands_with_its_user_and_reason_in_the_history(filer_report):
    filer, report, client = filer_report
    seen = read(client, report)
    old = seen["cells"][A]
    response = client.patch(
        f"/api/reports/{report.pk}/",
        {"version": seen["version"], "cells": {A: 41, B: seen["cells"][B]}, "reason": "系统报送"},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["changed"] == [A] and data["version"] == seen["version"] + 1  # B was sent back unchanged
    assert report_values(report)[A] == 41
    entry = next(e for e in report_timeline(report) if e.kind == "数值修改")
    assert (entry.user, entry.reason) == ("filer", "系统报送")
    assert [(c.key, c.old, c.new) for c in entry.changes] == [(A, old, 41)]
    # the rules ran: the report's issue counts are those of the new values
    stored = Report.objects.get(pk=report.pk)
    assert (data["error_count"], data["warning_count"]) == (stored.error_count, stored.warning_count)
    assert stored.validated_at is not None


def test_a_stale_version_is_refused_naming_the_cell_and_who_changed_it(filer_report):
    filer, report, client = filer_report
    seen = read(client, report)
    reviewer = make_user("reviewer", role=REVIEWER)
    services.report_update(report=report, values={A: 7}, base_version=seen["version"], user=reviewer, reason="电话核实")
    response = client.patch(f"/api/reports/{report.pk}/", {"version": seen["version"], "cells": {A: 8}}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and "未保存" in body["detail"]
    assert body["conflicts"] == [
        {"key": A, "label": canonical.short_label(A), "by": "reviewer", "at": body["conflicts"][0]["at"],
         "reason": "电话核实"}
    ]  # fmt: skip
    assert canonical.short_label(A) in body["detail"] and "reviewer" in body["detail"]
    assert report_values(report)[A] == 7  # the reviewer's value stands


def test_another_cell_changed_since_is_merged_not_refused(filer_report):
    filer, report, client = filer_report
    seen = read(client, report)
    services.report_update(report=report, values={B: 5}, base_version=seen["version"], user=make_user("reviewer"))
    response = client.patch(f"/api/reports/{report.pk}/", {"version": seen["version"], "cells": {A: 9}}, format="json")
    assert response.status_code == 200 and response.json()["merged"] == [B]
    assert (report_values(report)[A], report_values(report)[B]) == (9, 5)


def test_a_version_from_the_future_is_refused(filer_report):
    _, report, client = filer_report
    response = client.patch(f"/api/reports/{report.pk}/", {"version": 999, "cells": {A: 1}}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "bad_version"
    missing = client.patch(f"/api/reports/{report.pk}/", {"cells": {A: 1}}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()


def test_an_approved_report_cannot_be_changed_through_the_api(filer_report):
    filer, report, client = filer_report
    reviewer = make_user("reviewer", role=REVIEWER)
    reviewer_client = api_client(reviewer)
    assert (
        client.post(
            f"/api/reports/{report.pk}/transition/", {"action": "submit", "version": report.version}, format="json"
        ).status_code
        == 200
    )
    version = read(reviewer_client, report)["version"]
    approved = reviewer_client.post(
        f"/api/reports/{report.pk}/transition/",
        {"action": "approve", "version": version, "override": True, "reason": "核对无误"},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    before = report_values(report), Report.objects.get(pk=report.pk).title
    version = approved.json()["version"]
    for who in (client, reviewer_client):
        response = who.patch(
            f"/api/reports/{report.pk}/", {"version": version, "cells": {A: 1}, "title": "改"}, format="json"
        )
        assert (response.status_code, response.json()) == (409, {"detail": REPORT_LOCKED, "code": "locked"})
    assert (report_values(report), Report.objects.get(pk=report.pk).title) == before


def test_a_filer_cannot_change_a_handed_in_report_nor_approve_it(filer_report):
    filer, report, client = filer_report
    submitted = client.post(
        f"/api/reports/{report.pk}/transition/", {"action": "submit", "version": report.version}, format="json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    version = submitted.json()["version"]
    response = client.patch(f"/api/reports/{report.pk}/", {"version": version, "cells": {A: 1}}, format="json")
    assert response.status_code == 403 and "已提交审核" in response.json()["detail"]
    response = client.post(
        f"/api/reports/{report.pk}/transition/", {"action": "approve", "version": version}, format="json"
    )
    assert response.status_code == 403 and "通过" in response.json()["detail"]
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_bad_cells_are_refused_whole_with_each_cell_named(filer_report):
    _, report, client = filer_report
    seen = read(client, report)
    response = client.patch(
        f"/api/reports/{report.pk}/",
        {"version": seen["version"], "cells": {A: -1, B: 2.5, canonical.FEES_KEY: "abc"}},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["cells"]
    assert set(errors) == {A, B, canonical.FEES_KEY}
    assert canonical.short_label(A) in errors[A][0] and "不是有效的数值" in errors[A][0]
    unknown = client.patch(
        f"/api/reports/{report.pk}/", {"version": seen["version"], "cells": {"applications.nope.x": 1}}, format="json"
    )
    assert unknown.status_code == 400 and "未知的单元格" in unknown.json()["cells"][0]
    assert report_values(report) == {k: _num(v) for k, v in seen["cells"].items()}


def _num(v):
    return Decimal(str(v)) if isinstance(v, float) else v


def test_the_fee_keeps_its_decimals_exactly(filer_report):
    _, report, client = filer_report
    seen = read(client, report)
    body = f'{{"version": {seen["version"]}, "cells": {{"{canonical.FEES_KEY}": 1234567.1234}}}}'
    response = client.patch(f"/api/reports/{report.pk}/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert report_values(report)[canonical.FEES_KEY] == Decimal("1234567.1234")
    assert read(client, report)["cells"][canonical.FEES_KEY] == 1234567.1234


def test_create_a_report_with_its_cells_and_hand_it_in():
    agency = AgencyFactory()
    filer = make_user("filer", role=FILER, agency=agency)
    client = api_client(filer)
    response = client.post(
        "/api/reports/",
        {"agency": agency.pk, "year": 2024, "title": "2024 年报", "cells": {A: 3, B: 2}, "reason": "系统报送"},
        format="json",
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(agency=agency, year=2024)
    assert response.json()["report"] == report.pk and report.title == "2024 年报" and report.created_by == filer
    assert (report_values(report)[A], report_values(report)[B]) == (3, 2)
    assert report.validated_at is not None
    again = client.post("/api/reports/", {"agency": agency.pk, "year": 2024}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "exists" and "已存在" in again.json()["detail"]
    # a bad cell: nothing is created at all
    bad = client.post("/api/reports/", {"agency": agency.pk, "year": 2025, "cells": {A: "x"}}, format="json")
    assert bad.status_code == 400 and not Report.objects.filter(agency=agency, year=2025).exists()
    submitted = client.post(
        f"/api/reports/{report.pk}/transition/",
        {"action": "submit", "version": response.json()["version"]},
        format="json",
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"


def test_reads_of_issues_and_history(filer_report):
    _, report, client = filer_report
    issues = client.get(f"/api/reports/{report.pk}/issues/").json()
    assert [i["rule"] for i in issues] == list(report.issues.order_by("position", "pk").values_list("rule", flat=True))
    seen = read(client, report)
    client.patch(f"/api/reports/{report.pk}/", {"version": seen["version"], "cells": {A: 77}}, format="json")
    history = client.get(f"/api/reports/{report.pk}/history/").json()
    first = history["results"][0]
    assert first["kind"] == "数值修改" and first["user"] == "filer"
    assert first["changes"] == [{"what": canonical.short_label(A), "key": A, "old": seen["cells"][A], "new": 77}]
    assert history["count"] == len(report_timeline(report))


def test_filters_and_pagination():
    reviewer = make_user("reviewer", role=REVIEWER)
    agencies = [AgencyFactory() for _ in range(3)]
    for agency in agencies:
        for year in (2022, 2023):
            make_report(agency=agency, year=year)
    services.report_transition(report=Report.objects.get(agency=agencies[0], year=2023), action="submit")
    client = api_client(reviewer)
    assert client.get("/api/reports/?year=2023").json()["count"] == 3
    assert client.get(f"/api/reports/?agency={agencies[1].pk}").json()["count"] == 2
    submitted = client.get("/api/reports/?status=submitted").json()
    assert [r["agency"] for r in submitted["results"]] == [agencies[0].pk]
    page = client.get("/api/reports/?page_size=4").json()
    assert page["count"] == 6 and len(page["results"]) == 4 and page["next"]
    assert len(client.get("/api/reports/?page_size=4&page=2").json()["results"]) == 2
    bad = client.get("/api/reports/?status=nonsense")
    assert bad.status_code == 400 and "nonsense" in bad.json()["status"][0]
    assert client.get("/api/reports/?page=99").status_code == 404
