"""The only code that writes reports and their numbers. Keyword-only `<entity>_<action>` functions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from reports import canonical
from reports.access import require_may_edit
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.report import ReportLockedError
from reports.models.tables import DISCLOSURE_FIELDS, MAX_COUNT, TABLE3_POSITION, TABLE4_POSITION
from reports.selectors import values_from_rows
from reports.services.validation import report_validate

Value = int | Decimal | None

_DISCLOSURE_FIELD_BY_KEY = {key: field for field, key in DISCLOSURE_FIELDS.items()}


@transaction.atomic
def report_create(
    *, agency, year: int, user=None, values: Mapping[str, Value] | None = None, reason: str = "", **fields
) -> Report:
    """Create a report with all its table rows present: filled from ``values`` (an import) or empty (NULL)."""
    cleaned = {key: clean_cell(key, value) for key, value in (values or {}).items() if key in canonical.LABELS}
    report = Report(agency=agency, year=year, created_by=user, updated_by=user, **fields)
    report.full_clean()
    report.save()
    report_ensure_rows(report=report, values=cleaned, user=user, reason=reason)
    return report


def report_ensure_rows(*, report: Report, values: Mapping[str, Value] | None = None, user=None, reason="") -> None:
    """Create whichever of the 1 + 25 + 3 table rows a report is missing (idempotent), with ``values``."""
    values = values or {}
    history = {"default_user": user, "default_change_reason": reason or None}
    if not DisclosureTable.objects.filter(report=report).exists():
        bulk_create_with_history(
            [DisclosureTable(report=report, **{f: values.get(k) for f, k in DISCLOSURE_FIELDS.items()})],
            DisclosureTable,
            **history,
        )
    _create_missing(report, ApplicationOutcome, "row", TABLE3_POSITION, canonical.t3, values, history)
    _create_missing(report, ReviewLitigation, "block", TABLE4_POSITION, canonical.t4, values, history)


def _create_missing(report, model, key_field, positions, key_of, values, history) -> None:
    have = set(model.objects.filter(report=report).values_list(key_field, flat=True))
    columns = canonical.TABLE3_COLUMN_KEYS if model is ApplicationOutcome else canonical.TABLE4_COLUMN_KEYS
    rows = [
        model(report=report, position=pos, **{key_field: key}, **{c: values.get(key_of(key, c)) for c in columns})
        for key, pos in positions.items()
        if key not in have
    ]
    bulk_create_with_history(rows, model, **history)


INVALID_CELL = "{label}：“{value}”不是有效的数值（应为不小于 0 的{kind}，或留空）。"
TOO_LARGE = "{label}：“{value}”超出了可保存的范围（最大 {limit}），请核对原文。"
MAX_FEE = Decimal("9999999999.9999")  # DecimalField(max_digits=14, decimal_places=4)


def clean_cell(key: str, value) -> Value:
    """A cell value as stored: None, a non-negative int, or for 行政事业性收费 a non-negative Decimal."""
    if value is None or value == "":
        return None
    is_fee = key == canonical.FEES_KEY
    try:
        number = None if isinstance(value, bool) else Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0 or (not is_fee and number % 1):
        kind = "金额" if is_fee else "整数"
        raise ValidationError(INVALID_CELL.format(label=canonical.short_label(key), value=value, kind=kind))
    limit = MAX_FEE if is_fee else MAX_COUNT
    if number > limit:
        raise ValidationError(TOO_LARGE.format(label=canonical.short_label(key), value=value, limit=limit))
    return number if is_fee else int(number)


@transaction.atomic
def report_set_values(
    *, report: Report, values: Mapping[str, Value], user=None, reason: str = "", validate: bool = True
) -> list[str]:
    """Write the given canonical cells; returns the keys whose value changed. Unknown keys are refused.

    Values are checked here (non-negative integers, a non-negative amount for 行政事业性收费) and the rows are
    written in bulk with their history; the database constraints stay the last line of defence. The report's
    rule issues are recomputed afterwards (unless the caller validates once itself).
    """
    unknown = set(values) - set(canonical.ALL_KEYS)
    if unknown:
        raise ValueError(f"unknown canonical keys: {sorted(unknown)[:5]}")
    cleaned = {key: clean_cell(key, value) for key, value in values.items()}
    # Lock the report row: no approval (or start of review) can slip in between this check and the write.
    status = Report.objects.select_for_update().values_list("status", flat=True).get(pk=report.pk)
    if status == Report.Status.APPROVED:
        raise ReportLockedError()
    require_may_edit(user, status)
    report_ensure_rows(report=report)
    disclosure = DisclosureTable.objects.get(report=report)
    outcomes = {o.row: o for o in ApplicationOutcome.objects.filter(report=report)}
    blocks = {b.block: b for b in ReviewLitigation.objects.filter(report=report)}
    before = values_from_rows(disclosure, outcomes.values(), blocks.values())
    changed = [k for k in canonical.ALL_KEYS if k in cleaned and not values_equal(before[k], cleaned[k])]
    if not changed:
        return []
    dirty: dict[type, dict[int, object]] = {DisclosureTable: {}, ApplicationOutcome: {}, ReviewLitigation: {}}
    fields: dict[type, set[str]] = {DisclosureTable: set(), ApplicationOutcome: set(), ReviewLitigation: set()}
    for key in changed:
        table, row, col = key.split(".")
        if table == "active_disclosure":
            obj, field = disclosure, _DISCLOSURE_FIELD_BY_KEY[key]
        elif table == "applications":
            obj, field = outcomes[row], col
        else:
            obj, field = blocks[row], col
        setattr(obj, field, cleaned[key])
        dirty[type(obj)][obj.pk] = obj
        fields[type(obj)].add(field)
    for model, objs in dirty.items():
        if objs:
            bulk_update_with_history(
                list(objs.values()),
                model,
                sorted(fields[model]),
                default_user=user,
                default_change_reason=reason or None,
            )
    Report.objects.filter(pk=report.pk).update(updated_by=user)
    if validate:
        report_validate(report=report)
    return changed


def values_equal(a: Value, b: Value) -> bool:
    """Cell equality where None (blank) differs from 0."""
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


@transaction.atomic
def report_delete(*, report: Report, user=None) -> None:
    """Delete a report with its rows, issues, timeline and source documents; an approved report is refused.
    The stored files go once the deletion is committed (a rolled-back deletion keeps them)."""
    from django.core.files.storage import default_storage

    from reports.access import require_agency, require_perm

    locked = Report.objects.select_for_update().filter(pk=report.pk, status=Report.Status.APPROVED).exists()
    if locked:
        raise ReportLockedError()
    require_agency(user, report.agency)
    require_perm(user, "reports.delete_report", "您没有删除年报的权限。")
    files = list(report.sources.values_list("file", flat=True))
    report.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files if name])
