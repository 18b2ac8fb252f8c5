"""A small county for the export tests: reports built the way the product builds them (services), with the
values of the sample reports (tests/fixtures/expected) plus applications that add up."""

import json
from decimal import Decimal

import pytest
from django.db import transaction

from agencies.models import Agency
from reports import canonical, services
from reports.models import Report
from tests.conftest import FIXTURES
from tests.factories import AgencyFactory, make_report

SAMPLES = sorted((FIXTURES / "expected").glob("*.json"))


def sample_values(index: int) -> dict:
    """The 200 cells of one sample report as its golden file gives them."""
    return canonical.flatten(json.loads(SAMPLES[index].read_text(encoding="utf-8")))


def with_applications(values: dict, n: int) -> dict:
    """The sample's cells plus `n`-dependent applications that satisfy every 勾稽 rule (一+二 = 三（七）+四)."""
    values = dict(values)
    t3 = canonical.t3
    rows = {
        "new_received": {"natural_person": 3 + n, "commercial": 1},
        "carried_over": {"natural_person": 1},
        "granted": {"natural_person": 2 + n},
        "partially_granted": {"commercial": 1},
        "unavailable_not_held": {"natural_person": 1},
        "total_processed": {"natural_person": 3 + n, "commercial": 1},
        "carried_forward": {"natural_person": 1},
    }
    for row in canonical.TABLE3_ROW_KEYS:
        cells = rows.get(row, {})
        for col in canonical.APPLICANT_COLUMN_KEYS:
            values[t3(row, col)] = cells.get(col, 0)
        values[t3(row, "total")] = sum(cells.values())
    for block in canonical.TABLE4_BLOCK_KEYS:
        for col in canonical.TABLE4_COLUMN_KEYS:
            values[canonical.t4(block, col)] = 0
    values[canonical.t4("review", "upheld")] = values[canonical.t4("review", "total")] = 1 + n
    values["active_disclosure.licensing.decisions"] = 10 + n
    values[canonical.FEES_KEY] = Decimal("0.35")
    return values


def build_county() -> dict:
    """Three reports of 2023 (two townships, one department), one township without a report, one 2022 report."""
    a1 = AgencyFactory(name="示例县甲乡人民政府", short_name="甲乡", kind=Agency.Kind.TOWNSHIP)
    a2 = AgencyFactory(name="示例县乙镇人民政府", short_name="乙镇", kind=Agency.Kind.TOWNSHIP)
    a3 = AgencyFactory(name="示例县财政局", short_name="县财政局", kind=Agency.Kind.DEPARTMENT)
    a4 = AgencyFactory(name="示例县丙乡人民政府", short_name="丙乡", kind=Agency.Kind.TOWNSHIP)
    a1.aliases.create(name="甲乡政府")
    reports = {}
    for i, agency in enumerate((a1, a2, a3)):
        report = make_report(agency=agency, year=2023, title=f"{agency.name}2023年政府信息公开工作年度报告")
        services.report_set_values(report=report, values=with_applications(sample_values(i), i))
        reports[agency.short_name] = report.pk
    old = make_report(agency=a1, year=2022)
    services.report_set_values(report=old, values=sample_values(3))
    reports["old"] = old.pk
    return {"agencies": [a.pk for a in (a1, a2, a3, a4)], "reports": reports}


@pytest.fixture(scope="module")
def county_ids(django_db_setup, django_db_blocker):
    """The county, built once per module (writing cells through the services is slow) inside a transaction that
    is rolled back after the module; each test runs in a savepoint within it, like Django's setUpTestData."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build_county()
            transaction.set_rollback(True)


@pytest.fixture
def county(db, county_ids):
    """Fresh objects of the county for one test."""
    return {
        "agencies": [Agency.objects.get(pk=pk) for pk in county_ids["agencies"]],
        "reports": {k: Report.objects.select_related("agency").get(pk=pk) for k, pk in county_ids["reports"].items()},
    }
