"""A report whose printed numbers break an identity however they are read (cells run together into digits that
no split makes add up) keeps that error once stored: the import leaves the cells unread and the stored report
carries the R2 error on them, until a person types the row — then the typed values are judged instead."""

import random

import pytest

from reports import services
from reports.parsing import parse_document
from tests.factories import AgencyFactory, make_user
from tests.synth.report import figures, runtogether_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported():
    s = figures(random.Random(5), "row_total")
    data = runtogether_text(s).encode("utf-8")
    parsed = parse_document(data, "crawl.txt")
    agency = AgencyFactory(name=parsed.agency)
    report = services.report_import(parsed=parsed, data=data, agency=agency).report
    report.refresh_from_db()
    (_, keys) = s.defects[0]
    return report, s, keys


def test_the_stored_report_shows_the_printed_break_as_an_r2_error(imported):
    report, _, keys = imported
    assert [b["rule"] for b in report.printed_breaks] == ["R2"]
    r2 = report.issues.get(rule="R2")
    assert r2.severity == "error" and set(r2.keys) == set(keys)
    assert report.printed_breaks[0]["printed"] in r2.message
    assert report.error_count >= 1
    assert set(keys) <= set(report.unread_keys)  # the cells themselves stay unread, for a person


def test_typing_the_row_replaces_the_break_by_the_typed_values(imported):
    report, s, keys = imported
    row = {k: s.values[k] for k in keys}
    reviewer = make_user("reviewer")
    # typed as printed (the total one too many): the equation itself now reports the row
    services.report_update(report=report, values=row, user=reviewer, base_version=report.version, read_by_person=True)
    report.refresh_from_db()
    r2 = report.issues.get(rule="R2")
    assert set(r2.keys) == set(keys) and "原文印出的数字" not in r2.message
    # corrected: no R2 left, though the document's break is still on file
    total = next(k for k in keys if k.endswith(".total"))
    fixed = sum(s.values[k] for k in keys if k != total)
    services.report_update(report=report, values={total: fixed}, user=reviewer, base_version=report.version)
    report.refresh_from_db()
    assert not report.issues.filter(rule="R2").exists()
    assert report.printed_breaks  # kept with the document; it only speaks while the cells are empty
