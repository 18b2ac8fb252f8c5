"""Writing cells: values are checked before anything is written, and each change is kept in the history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reports import canonical, services
from reports.roles import FILER
from reports.selectors import report_values
from reports.services.records import clean_cell
from tests.factories import make_report, make_user

FEE = canonical.FEES_KEY
CELL = canonical.t3("granted", "total")


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        (CELL, 3, 3),
        (CELL, "12", 12),
        (CELL, "0", 0),
        (CELL, None, None),
        (CELL, "", None),
        (CELL, Decimal("4"), 4),
        (FEE, "0.35", Decimal("0.35")),
        (FEE, 2, Decimal(2)),
        (CELL, 2_147_483_647, 2_147_483_647),
        (FEE, "9999999999.9999", Decimal("9999999999.9999")),
    ],
)
def test_clean_cell_accepts(key, raw, stored):
    assert clean_cell(key, raw) == stored


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        (CELL, -1),
        (CELL, "1.5"),
        (CELL, "若干"),
        (CELL, True),
        (FEE, "-0.1"),
        (FEE, "NaN"),
        (CELL, 2_147_483_648),  # past PostgreSQL's integer: refused alike on SQLite
        (CELL, "99999999999999999999"),
        (FEE, "10000000000"),
    ],
)
def test_clean_cell_refuses_with_the_cell_named(key, raw):
    with pytest.raises(ValidationError, match=canonical.short_label(key)):
        clean_cell(key, raw)


@pytest.mark.django_db
def test_bad_value_writes_nothing():
    report = make_report()
    with pytest.raises(ValidationError):
        services.report_set_values(report=report, values={CELL: 5, canonical.t3("granted", "commercial"): -2})
    assert report_values(report)[CELL] is None


@pytest.mark.django_db
def test_changes_are_in_the_history_with_user_and_reason():
    report = make_report()
    user = make_user("clerk", role=FILER, agency=report.agency)
    changed = services.report_set_values(report=report, values={CELL: 5, FEE: "0.35"}, user=user, reason="补录")
    assert changed == [FEE, CELL]
    row = report.outcomes.get(row="granted")
    latest = row.history.first()
    assert latest.total == 5 and latest.history_user == user and latest.history_change_reason == "补录"
    assert report_values(report)[FEE] == Decimal("0.35")
    assert services.report_set_values(report=report, values={CELL: 5}) == []  # unchanged: nothing written
    assert row.history.count() == 2
