"""Invariants live in the database: each constraint refuses bad data both in full_clean() and at the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import Agency
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from tests.factories import AgencyFactory, make_report

pytestmark = pytest.mark.django_db


def test_new_report_has_all_rows_present_and_empty():
    report = make_report()
    rows = list(report.outcomes.order_by("position").values_list("row", "natural_person", "total"))
    assert [r[0] for r in rows][:3] == ["new_received", "carried_over", "granted"]
    assert len(rows) == 25
    assert all(r[1] is None and r[2] is None for r in rows)
    assert report.review_litigation.count() == 3
    assert DisclosureTable.objects.get(report=report).punishment_decisions is None


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (ApplicationOutcome, "natural_person"),
        (ApplicationOutcome, "total"),
        (ReviewLitigation, "pending"),
        (DisclosureTable, "licensing_decisions"),
        (DisclosureTable, "fees_amount"),
    ],
)
def test_negative_cell_refused(model, field):
    report = make_report()
    obj = model.objects.filter(report=report).first()
    setattr(obj, field, -1)
    with pytest.raises(ValidationError) as err:
        obj.full_clean()
    assert "数值不能为负数" in str(err.value) or "确保该值大于或等于0" in str(err.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{field: -1})


def test_null_cell_is_allowed_and_distinct_from_zero():
    report = make_report()
    row = report.outcomes.get(row="granted")
    row.natural_person = 0
    row.full_clean()
    row.save()
    row.refresh_from_db()
    assert row.natural_person == 0 and row.commercial is None


def test_duplicate_agency_year_refused():
    report = make_report(year=2023)
    dup = Report(agency=report.agency, year=2023)
    with pytest.raises(ValidationError, match="该机关这一年度的报告已存在"):
        dup.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(agency=report.agency, year=2023)


def test_unknown_status_refused():
    report = make_report()
    report.status = "published"
    with pytest.raises(ValidationError):
        report.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status="published")


def test_year_out_of_range_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(agency=AgencyFactory(), year=1999)


def test_duplicate_table3_row_refused():
    report = make_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationOutcome.objects.create(report=report, row="granted", position=3)


def test_unknown_table3_row_refused():
    report = make_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationOutcome.objects.bulk_create([ApplicationOutcome(report=report, row="bogus", position=3)])


def test_unknown_agency_kind_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(name="某机关", kind="ministry")


def test_credit_code_unique_when_present():
    AgencyFactory(credit_code="11410000MB1234567X")
    AgencyFactory(credit_code="")
    AgencyFactory(credit_code="")  # blank codes do not collide
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyFactory(credit_code="11410000MB1234567X")
