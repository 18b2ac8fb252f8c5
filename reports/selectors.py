"""Read-side helpers: load a report's numbers as canonical key → value."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from reports import canonical
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS

Value = int | Decimal | None


def values_from_rows(
    disclosure: DisclosureTable | None,
    outcomes: Iterable[ApplicationOutcome],
    review_rows: Iterable[ReviewLitigation],
) -> dict[str, Value]:
    values: dict[str, Value] = canonical.empty_values()
    if disclosure is not None:
        for field, key in DISCLOSURE_FIELDS.items():
            values[key] = getattr(disclosure, field)
    for row in outcomes:
        for col in canonical.TABLE3_COLUMN_KEYS:
            values[canonical.t3(row.row, col)] = getattr(row, col)
    for block in review_rows:
        for col in canonical.TABLE4_COLUMN_KEYS:
            values[canonical.t4(block.block, col)] = getattr(block, col)
    return values


def report_values(report: Report) -> dict[str, Value]:
    """All 200 cells of a stored report (None where blank or the row is missing)."""
    disclosure = DisclosureTable.objects.filter(report=report).first()
    return values_from_rows(
        disclosure,
        ApplicationOutcome.objects.filter(report=report),
        ReviewLitigation.objects.filter(report=report),
    )
