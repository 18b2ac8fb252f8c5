"""The only code that writes reports and their numbers. Keyword-only `<entity>_<action>` functions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from reports import canonical
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.report import ensure_unlocked
from reports.models.tables import DISCLOSURE_FIELDS, TABLE3_POSITION, TABLE4_POSITION
from reports.selectors import report_values
from reports.services.validation import report_validate

Value = int | Decimal | None

_DISCLOSURE_FIELD_BY_KEY = {key: field for field, key in DISCLOSURE_FIELDS.items()}


@transaction.atomic
def report_create(*, agency, year: int, user=None, **fields) -> Report:
    """Create a report with all its table rows present and empty (NULL cells)."""
    report = Report(agency=agency, year=year, created_by=user, updated_by=user, **fields)
    report.full_clean()
    report.save()
    report_ensure_rows(report=report)
    return report


def report_ensure_rows(*, report: Report) -> None:
    """Create whichever of the 1 + 25 + 3 table rows a report is missing (idempotent)."""
    DisclosureTable.objects.get_or_create(report=report)
    have = set(report.outcomes.values_list("row", flat=True))
    bulk_create_with_history(
        [ApplicationOutcome(report=report, row=k, position=p) for k, p in TABLE3_POSITION.items() if k not in have],
        ApplicationOutcome,
    )
    have = set(report.review_litigation.values_list("block", flat=True))
    bulk_create_with_history(
        [ReviewLitigation(report=report, block=k, position=p) for k, p in TABLE4_POSITION.items() if k not in have],
        ReviewLitigation,
    )


@transaction.atomic
def report_set_values(
    *, report: Report, values: Mapping[str, Value], user=None, reason: str = "", validate: bool = True
) -> list[str]:
    """Write the given canonical cells; returns the keys whose value changed. Unknown keys are refused.

    The report's rule issues are recomputed afterwards (unless the caller validates once itself).
    """
    unknown = set(values) - set(canonical.ALL_KEYS)
    if unknown:
        raise ValueError(f"unknown canonical keys: {sorted(unknown)[:5]}")
    ensure_unlocked(report.pk)
    report_ensure_rows(report=report)
    before = report_values(report)
    changed = [k for k in canonical.ALL_KEYS if k in values and not values_equal(before[k], values[k])]
    if not changed:
        return []
    by_table: dict[str, dict[str, dict[str, Value]]] = {}
    for key in changed:
        table, row, col = key.split(".")
        by_table.setdefault(table, {}).setdefault(row, {})[col] = values[key]
    if "active_disclosure" in by_table:
        obj = DisclosureTable.objects.get(report=report)
        for row, cols in by_table["active_disclosure"].items():
            for col, value in cols.items():
                setattr(obj, _DISCLOSURE_FIELD_BY_KEY[f"active_disclosure.{row}.{col}"], value)
        _save(obj, user, reason)
    for row, cols in by_table.get("applications", {}).items():
        obj = ApplicationOutcome.objects.get(report=report, row=row)
        for col, value in cols.items():
            setattr(obj, col, value)
        _save(obj, user, reason)
    for block, cols in by_table.get("review_litigation", {}).items():
        obj = ReviewLitigation.objects.get(report=report, block=block)
        for col, value in cols.items():
            setattr(obj, col, value)
        _save(obj, user, reason)
    Report.objects.filter(pk=report.pk).update(updated_by=user)
    if validate:
        report_validate(report=report)
    return changed


def _save(obj, user, reason: str) -> None:
    obj.full_clean()
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()


def values_equal(a: Value, b: Value) -> bool:
    """Cell equality where None (blank) differs from 0."""
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)
