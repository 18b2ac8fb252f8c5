"""The roll-up's sums, computed again here the plain way (report by report, cell by cell) and compared."""

from datetime import date

import pytest

from agencies.models import Agency
from reports import canonical
from reports.choices import ReportStatus
from reports.models import Report
from reports.rollup import rollup_build
from reports.selectors import report_values
from tests.tree import YEAR, build_tree

pytestmark = pytest.mark.django_db


def plain_sum(reports) -> dict:
    out = dict.fromkeys(canonical.ALL_KEYS)
    for report in reports:
        for key, value in report_values(report).items():
            if value is not None:
                out[key] = value if out[key] is None else out[key] + value
    return out


def approved_beneath(node):
    below = []
    for report in Report.objects.filter(year=YEAR, status=ReportStatus.APPROVED):
        agency = report.agency
        if agency == node:
            continue
        while agency is not None and agency != node:
            agency = agency.parent
        if agency == node:
            below.append(report)
    return below


def test_city_rollup_equals_the_plain_sums():
    world = build_tree()
    city = world["city"]
    ru = rollup_build(city, YEAR, today=date(YEAR + 1, 3, 1))
    below = approved_beneath(city)
    assert below, "the tree has approved reports"
    assert ru.approved_reports == len(below)
    assert ru.total == plain_sum(below)
    assert ru.own_report == world["city_report"]
    # by child region
    for county in world["counties"]:
        branch = next(b for b in ru.branches if b.agency_id == county.pk)
        in_county = [r for r in below if r.agency == county or r.agency.parent == county]
        assert branch.sums == plain_sum(in_county)
        assert branch.approved_reports == len(in_county)
        assert branch.has_children
        agencies = [county, *Agency.objects.filter(parent=county)]
        reports = {r.agency_id: r.status for r in Report.objects.filter(year=YEAR, agency__in=agencies)}
        handed_in = sum(s in ("submitted", "reviewing", "approved") for s in reports.values())
        assert branch.completion.expected == len(agencies)
        assert branch.completion.submitted == handed_in
        assert branch.completion.approved == len(in_county)
        assert branch.completion.overdue == len(agencies) - handed_in  # 1 March: past the deadline
    # by kind
    for total in ru.by_kind:
        of_kind = [r for r in below if r.agency.kind == total.kind]
        assert total.sums == plain_sum(of_kind) and total.approved_reports == len(of_kind)
    assert sum(k.approved_reports for k in ru.by_kind) == len(below)


def test_county_rollup_and_nothing_overdue_before_the_deadline():
    world = build_tree()
    county = world["counties"][1]
    ru = rollup_build(county, YEAR, today=date(YEAR + 1, 1, 10))
    below = approved_beneath(county)
    assert ru.total == plain_sum(below)
    assert {b.agency_id for b in ru.branches} == set(Agency.objects.filter(parent=county).values_list("pk", flat=True))
    assert all(not b.has_children for b in ru.branches)
    assert ru.completion.overdue == 0
    missing = next(b for b in ru.branches if "无报告" in b.name)
    assert missing.own_report_id is None and missing.completion.expected == 1 and missing.completion.submitted == 0


def test_export_summary_region_writes_the_sums_of_the_approved_reports(tmp_path):
    from django.core.management import call_command
    from openpyxl import load_workbook

    world = build_tree()
    city = world["city"]
    out = tmp_path / "city.xlsx"
    call_command("export_summary", "--year", str(YEAR), "--region", "测试市", "--output", str(out))
    wb = load_workbook(out)
    ws = wb["区划汇总"]
    assert "只计入已通过" in ws["A2"].value
    keys = list(canonical.ALL_KEYS)
    first_value_col = 11
    rows = {r[1]: r for r in ws.iter_rows(min_row=6, values_only=True)}
    below = approved_beneath(city)
    expected_total = plain_sum(below)
    total = rows[f"{city.name}以下"]
    for i, key in enumerate(keys):
        cell = total[first_value_col - 1 + i]
        want = expected_total[key]
        assert (cell is None and want is None) or cell == float(want) or cell == want, key
    for county in world["counties"]:
        row = rows[county.name]
        in_county = plain_sum([r for r in below if r.agency == county or r.agency.parent == county])
        got = {k: row[first_value_col - 1 + i] for i, k in enumerate(keys)}
        assert all((got[k] is None) == (in_county[k] is None) for k in keys)
        assert all(got[k] is None or got[k] == float(in_county[k]) for k in keys)
        # the county's own sheet lists its approved reports, one row each
        sheet = wb[county.short_name]
        names = [r[1] for r in sheet.iter_rows(min_row=6, values_only=True) if r[0] != "合计"]
        assert sorted(names) == sorted(r.agency.name for r in below if r.agency == county or r.agency.parent == county)
    assert "说明" in wb.sheetnames and "本级" in wb.sheetnames


def test_figures_are_frozen_at_approval_dropped_at_reopening_and_read_live_when_missing():
    from reports import services
    from reports.models import ApprovedFigures

    world = build_tree()
    city = world["city"]
    approved = Report.objects.filter(status=ReportStatus.APPROVED)
    assert ApprovedFigures.objects.count() == approved.count()
    report = approved.exclude(agency=city).first()
    services.report_transition(report=report, action="reopen", reason="复核")
    assert not ApprovedFigures.objects.filter(report=report).exists()
    assert rollup_build(city, YEAR).total == plain_sum(approved_beneath(city))
    # Approved reports whose figures were never frozen (as before the migration) are summed from their cells.
    ApprovedFigures.objects.filter(report__agency__parent=world["counties"][0]).delete()
    ru = rollup_build(city, YEAR)
    assert ru.total == plain_sum(approved_beneath(city)) and ru.approved_reports == len(approved_beneath(city))
