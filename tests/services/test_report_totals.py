"""Each report's stored totals (ReportTotals: the 总计 cell of every 表三 row and 表四 block, which the overview sums)
follow its cells through every path that writes cells — the service itself, the report page (add and change), the
API, a document import and a new version of it, taking cells from the source, the flat sheet, a federation package —
and stay right through approval, reopening and deletion. Each test compares the stored row with the cells read back
the plain way (selectors.report_values), never with the SQL that wrote it. tests/conftest.py also checks every
report after every database test."""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from reports import canonical, services
from reports.models import Report, ReportTotals
from reports.models.totals import TOTAL_COLUMNS
from reports.roles import FILER
from reports.selectors import report_values
from reports.services.totals import report_totals_rebuild, report_totals_stale
from tests.admin.test_admin_pages import _change_form_data
from tests.api.conftest import api_client
from tests.factories import AgencyFactory, import_file, label_values, make_report, make_user

pytestmark = pytest.mark.django_db

NEW = canonical.t3("new_received", "total")
NEW_NP = canonical.t3("new_received", "natural_person")
GRANTED = canonical.t3("granted", "total")
REVIEW = canonical.t4("review", "total")
ROW = canonical.TABLE3_ROW_KEYS.index("new_received")
LABELS = "expected/002_cff4ace8f11033c3.json"


def stored(report) -> dict:
    row = ReportTotals.objects.filter(report_id=report.pk).values(*TOTAL_COLUMNS.values()).get()
    return {key: row[column] for key, column in TOTAL_COLUMNS.items()}


def cells(report) -> dict:
    values = report_values(report)
    return {key: values[key] for key in TOTAL_COLUMNS}


def assert_follows(report) -> dict:
    now = stored(report)
    assert now == cells(report)
    return now


def test_a_report_created_empty_has_blank_totals_and_one_created_with_cells_has_theirs():
    empty = make_report()
    assert set(assert_follows(empty).values()) == {None}
    values = label_values(LABELS)
    full = services.report_create(agency=AgencyFactory(), year=2023, values=values)
    now = assert_follows(full)
    assert now[NEW] == values[NEW] is not None and now[REVIEW] == values[REVIEW]


def test_the_service_update_rewrites_the_totals_and_a_blank_stays_blank():
    report = make_report()
    services.report_update(report=report, values={NEW_NP: 4, NEW: 4, GRANTED: 2})
    assert (assert_follows(report)[NEW], stored(report)[GRANTED]) == (4, 2)
    services.report_update(report=report, values={NEW: None, REVIEW: 0})
    now = assert_follows(report)
    assert now[NEW] is None and now[REVIEW] == 0 and now[GRANTED] == 2
    # a change of a cell that is not a total leaves them as they are (and right)
    services.report_update(report=report, values={NEW_NP: 9})
    assert assert_follows(report)[GRANTED] == 2


def test_a_refused_save_leaves_the_totals_of_the_cells_kept():
    report = make_report()
    read_at = services.report_update(report=report, values={NEW: 3}).version
    services.report_update(report=report, values={NEW: 5}, base_version=read_at)
    with pytest.raises(services.EditConflict):
        services.report_update(report=report, values={NEW: 7, GRANTED: 1}, base_version=read_at)
    now = assert_follows(report)
    assert (now[NEW], now[GRANTED]) == (5, None)


def test_the_report_page_change_form(admin_client):
    report = make_report()
    services.report_set_values(report=report, values={NEW_NP: 3, NEW: 3})
    data = _change_form_data(admin_client, report)
    data[f"outcomes-{ROW}-total"] = 8
    data["review_litigation-0-total"] = 2
    response = admin_client.post(reverse("admin:reports_report_change", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    now = assert_follows(report)
    assert (now[NEW], now[REVIEW]) == (8, 2)


def test_the_report_page_add_form(admin_client):
    agency = AgencyFactory()
    response = admin_client.get(reverse("admin:reports_report_add"))
    data = {"agency": agency.pk, "year": 2023, "template_version": "2021", "status": "draft"}
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
    data[f"outcomes-{ROW}-total"] = 6
    response = admin_client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    report = Report.objects.get(agency=agency, year=2023)
    assert assert_follows(report)[NEW] == 6


def test_the_api_create_and_write():
    agency = AgencyFactory()
    filer = make_user("filer", role=FILER, agency=agency)
    client = api_client(filer)
    response = client.post("/api/reports/", {"agency": agency.pk, "year": 2024, "cells": {NEW: 3}}, format="json")
    assert response.status_code == 201, response.content
    report = Report.objects.get(agency=agency, year=2024)
    assert assert_follows(report)[NEW] == 3
    response = client.patch(
        f"/api/reports/{report.pk}/", {"version": response.json()["version"], "cells": {NEW: 11}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert assert_follows(report)[NEW] == 11


def test_a_document_import_then_a_new_version_then_taking_cells_from_it():
    result = import_file("samples/002_cff4ace8f11033c3.txt")
    report = result.report
    first = assert_follows(report)
    assert first[NEW] is not None
    services.report_update(report=report, values={NEW: first[NEW] + 10})
    assert assert_follows(report)[NEW] == first[NEW] + 10
    # the same document again: a new version, read over the cells where they differ from the stored ones
    import_file("samples/002_cff4ace8f11033c3.txt", agency=report.agency)
    assert_follows(report)
    report.refresh_from_db()
    if stored(report)[NEW] != first[NEW]:  # the import kept the person's change: take the document's reading
        services.report_take_source_values(report=report, keys=[NEW])
    assert assert_follows(report)[NEW] == first[NEW]


def test_the_flat_sheet(admin_client):
    from tests.exports.test_flat import XLSX, col, confirm, export, preview, sheet_rows, xlsx_bytes

    report = services.report_create(agency=AgencyFactory(name="平表测试局"), year=2023, values=label_values(LABELS))
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    row = next(r for r in rows if r[0] == "平表测试局")
    row[col(NEW)] = (row[col(NEW)] or 0) + 5
    result = preview(admin_client, xlsx_bytes([rows[0], row]))
    assert result.context["result"].totals["update"] == 1
    assert confirm(admin_client, result).status_code == 302
    assert assert_follows(report)[NEW] == label_values(LABELS)[NEW] + 5


def test_a_federation_package_creates_and_updates(tmp_path):
    from tests.commands.test_federation import forget_county
    from tests.tree import YEAR, build_tree

    county = build_tree()["counties"][0]
    path = tmp_path / "p.zip"
    call_command(
        "export_package", "--region", county.name, "--year", str(YEAR), "--output", str(path), stdout=io.StringIO()
    )
    sha = (tmp_path / "p.zip.sha256").read_text().split()[0]
    approved = Report.objects.filter(agency__path__startswith=county.path, year=YEAR, status="approved")
    before = {r.agency.name: cells(r) for r in approved}
    # one report changed here (reopened, a total raised): the package puts the county's figure back
    changed = approved.first()
    services.report_transition(report=changed, action="reopen", reason="本地修改")
    services.report_set_values(report=changed, values={NEW: (cells(changed)[NEW] or 0) + 5}, validate=False)
    assert_follows(changed)
    call_command("import_package", str(path), "--sha256", sha, stdout=io.StringIO())
    assert stored(changed) == before[changed.agency.name]
    # and a county this deployment never held: created from the package
    forget_county(county)
    call_command("import_package", str(path), "--sha256", sha, "--parent", "测试市", stdout=io.StringIO())
    again = {r.agency.name: assert_follows(r) for r in Report.objects.filter(agency__name__in=list(before), year=YEAR)}
    assert again == before


def test_approval_reopening_and_deletion(admin_client):
    report = services.report_create(agency=AgencyFactory(), year=2023, values=label_values(LABELS))
    services.report_transition(report=report, action="submit")
    services.report_transition(report=report, action="approve", override=True, reason="测试")
    assert assert_follows(report)[NEW] == label_values(LABELS)[NEW]
    services.report_transition(report=report, action="reopen", reason="更正")
    report.refresh_from_db()
    services.report_update(report=report, values={NEW: 1})
    assert assert_follows(report)[NEW] == 1
    services.report_delete(report=report, user=make_user("root", is_superuser=True))
    assert not ReportTotals.objects.filter(report_id=report.pk).exists()


@pytest.mark.stale_totals
def test_the_migration_fills_existing_reports_and_the_command_finds_and_rebuilds_stale_ones():
    reports = [services.report_create(agency=AgencyFactory(), year=2023, values=label_values(LABELS)), make_report()]
    expected = {r.pk: cells(r) for r in reports}
    ReportTotals.objects.all().delete()
    assert report_totals_stale()[0] == 2
    migration = importlib.import_module("reports.migrations.0015_report_totals")
    migration.fill_totals(None, SimpleNamespace(connection=connection))
    assert {r.pk: stored(r) for r in reports} == expected and report_totals_stale() == (0, [])

    # stored data gone stale behind the service's back: the check names the report, --rebuild repairs it
    ReportTotals.objects.filter(report_id=reports[0].pk).update(**{TOTAL_COLUMNS[NEW]: 999})
    ReportTotals.objects.filter(report_id=reports[1].pk).delete()
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("report_totals", stdout=out)
    assert refused.value.returncode == 1
    assert "2 份报告" in out.getvalue() and str(reports[0].pk) in out.getvalue()
    call_command("report_totals", "--rebuild", stdout=io.StringIO())
    assert {r.pk: stored(r) for r in reports} == expected
    out = io.StringIO()
    call_command("report_totals", stdout=out)
    assert "一致" in out.getvalue()
    assert report_totals_rebuild(report_ids=[reports[0].pk]) == 1
