"""The only code that writes reports and their numbers. Keyword-only `<entity>_<action>` functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from reports import canonical
from reports.access import require_agency, require_may_edit
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReportTotals, ReviewLitigation
from reports.models.report import ReportLockedError
from reports.models.tables import DISCLOSURE_FIELDS, MAX_COUNT, TABLE3_POSITION, TABLE4_POSITION
from reports.selectors import values_from_rows
from reports.services.confirmations import cells_typed
from reports.services.locking import report_lock
from reports.services.totals import report_totals_refresh
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
    """Create whichever of the 1 + 25 + 3 table rows a report is missing (idempotent), with ``values``; the
    report's stored totals (ReportTotals) follow whenever a row was created."""
    values = values or {}
    history = {"default_user": user, "default_change_reason": reason or None}
    created = 0
    if not DisclosureTable.objects.filter(report=report).exists():
        bulk_create_with_history(
            [DisclosureTable(report=report, **{f: values.get(k) for f, k in DISCLOSURE_FIELDS.items()})],
            DisclosureTable,
            **history,
        )
        created += 1
    created += _create_missing(report, ApplicationOutcome, "row", TABLE3_POSITION, canonical.t3, values, history)
    created += _create_missing(report, ReviewLitigation, "block", TABLE4_POSITION, canonical.t4, values, history)
    if created or not ReportTotals.objects.filter(report=report).exists():
        report_totals_refresh(report_ids=[report.pk])


def _create_missing(report, model, key_field, positions, key_of, values, history) -> int:
    have = set(model.objects.filter(report=report).values_list(key_field, flat=True))
    columns = canonical.TABLE3_COLUMN_KEYS if model is ApplicationOutcome else canonical.TABLE4_COLUMN_KEYS
    rows = [
        model(report=report, position=pos, **{key_field: key}, **{c: values.get(key_of(key, c)) for c in columns})
        for key, pos in positions.items()
        if key not in have
    ]
    bulk_create_with_history(rows, model, **history)
    return len(rows)


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


# --- the one way a stored report changes ---------------------------------------------------------------------

# Report fields a person edits (the report page, a future API); with the 200 cells they carry edit marks.
EDIT_FIELDS = (
    "agency", "year", "template_version", "title", "published_on", "preamble", "overview", "problems",
    "other_matters",
)  # fmt: skip
# Fields an import sets from its document besides those; written under the same lock, without marks.
IMPORT_FIELDS = ("sections_found", "printed_subtotals", "unread_keys", "inferred_keys", "printed_breaks")

EDIT_CONFLICT = (
    "未保存：您打开页面（或读取数据）之后，{cells}。为免覆盖对方的修改，本次修改整体未保存；"
    "请刷新页面，核对对方的修改后再改。"
)
BAD_VERSION = "页面数据已过期或无效（版本号不符），本次修改未保存：请刷新页面后重新修改。"


@dataclass(frozen=True)
class Conflict:
    """A cell (or field) the client changed that someone else changed after the client read the report."""

    key: str
    label: str
    by: str
    at: str
    why: str

    @classmethod
    def from_mark(cls, key: str, mark: dict) -> Conflict:
        return cls(key, mark_label(key), mark.get("by", ""), mark.get("at", ""), mark.get("why", ""))

    def describe(self) -> str:
        text = f"“{self.label}”已被 {self.by}"
        if self.at:
            text += f" 于 {self.at}"
        text += " 修改"
        if self.why:
            text += f"（{self.why}）"
        return text


class EditConflict(ValidationError):
    """The later of two saves that changed the same cell: refused whole, naming the cells and who changed them."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        shown = "；".join(c.describe() for c in conflicts[:5])
        if len(conflicts) > 5:
            shown += f"；等共 {len(conflicts)} 处"
        super().__init__(EDIT_CONFLICT.format(cells=shown), code="conflict")
        self.conflicts = conflicts


@dataclass
class ReportUpdate:
    """What report_update did."""

    report: Report  # the report as stored now (read under the lock, with the changes applied)
    changed: list[str] = field(default_factory=list)  # cell keys written
    changed_fields: list[str] = field(default_factory=list)  # report fields written
    merged: list[str] = field(default_factory=list)  # cells/fields others changed since base_version, kept

    @property
    def version(self) -> int:
        return self.report.version


def field_label(name: str) -> str:
    return str(Report._meta.get_field(name).verbose_name)


def mark_label(key: str) -> str:
    return canonical.short_label(key) if key in canonical.LABELS else field_label(key)


def _user_name(user) -> str:
    return user.get_username() if user is not None else "系统"


def _field_value(report: Report, name: str):
    return report.agency_id if name == "agency" else getattr(report, name)


def _differs(report: Report, name: str, value) -> bool:
    old = _field_value(report, name)
    if name == "agency":
        value = getattr(value, "pk", value)
    if isinstance(old, str) or isinstance(value, str):
        return _text(old) != _text(value)
    return old != value


def _text(value) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


@transaction.atomic
def report_update(
    *,
    report: Report,
    values: Mapping[str, Value] | None = None,
    fields: Mapping[str, object] | None = None,
    base_version: int | None = None,
    user=None,
    reason: str = "",
    validate: bool = True,
    read_by_person: bool = False,
) -> ReportUpdate:
    """Change a stored report: the one function every write path calls (page, imports, flat sheet, API).

    ``values`` are the canonical cells and ``fields`` the report fields the caller wants changed — only those the
    person actually changed, never the whole page sent back. ``base_version`` is the report version the person
    read before changing them (None for writers that decide under the lock themselves, like an import merging a
    new document). Under the report's row lock: a cell someone else changed after ``base_version`` refuses the
    whole save (EditConflict names the cells and who changed them); changes to other cells are kept (merged).
    Each written cell's history row carries the user and the reason; the report's version goes up by one.
    ``read_by_person``: the values were typed by ``user`` (the report page), not taken from a document or a
    sheet — a value typed into a cell the parser did not read (or inferred) counts as a person's reading of it.
    """
    values = dict(values or {})
    fields = dict(fields or {})
    unknown = set(values) - set(canonical.ALL_KEYS)
    if unknown:
        raise ValueError(f"unknown canonical keys: {sorted(unknown)[:5]}")
    unknown = set(fields) - set(EDIT_FIELDS) - set(IMPORT_FIELDS)
    if unknown:
        raise ValueError(f"not an editable report field: {sorted(unknown)}")
    cleaned = {key: clean_cell(key, value) for key, value in values.items()}

    locked = report_lock(report.pk)
    require_agency(user, locked.agency)
    if locked.is_locked:
        raise ReportLockedError()
    require_may_edit(user, locked.status)
    if "agency" in fields and fields["agency"] is not None:
        require_agency(user, fields["agency"])

    report_ensure_rows(report=locked)
    disclosure = DisclosureTable.objects.get(report=locked)
    outcomes = {o.row: o for o in ApplicationOutcome.objects.filter(report=locked)}
    blocks = {b.block: b for b in ReviewLitigation.objects.filter(report=locked)}
    before = values_from_rows(disclosure, outcomes.values(), blocks.values())
    changed = [k for k in canonical.ALL_KEYS if k in cleaned and not values_equal(before[k], cleaned[k])]
    changed_fields = [f for f in (*EDIT_FIELDS, *IMPORT_FIELDS) if f in fields and _differs(locked, f, fields[f])]

    marks: dict = dict(locked.edit_marks or {})
    merged: list[str] = []
    if not changed and not changed_fields:
        return ReportUpdate(locked)
    if base_version is not None:
        if not 1 <= base_version <= locked.version:
            raise ValidationError(BAD_VERSION, code="bad_version")
        since = {k for k, m in marks.items() if isinstance(m, dict) and m.get("v", 0) > base_version}
        conflicts = [Conflict.from_mark(k, marks[k]) for k in (*changed, *changed_fields) if k in since]
        if conflicts:
            raise EditConflict(conflicts)
        merged = sorted(since, key=_mark_order)
    result = ReportUpdate(locked, changed, changed_fields, merged)
    now = timezone.now()
    mark = {
        "v": locked.version + 1,
        "by": _user_name(user),
        "at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        "why": (reason or "")[:60],
    }
    marks.update({k: mark for k in (*changed, *changed_fields) if k not in IMPORT_FIELDS})

    _write_cells(changed, cleaned, disclosure, outcomes, blocks, user=user, reason=reason)
    if changed:  # the stored totals follow the cells, in this transaction, under the same lock
        report_totals_refresh(report_ids=[locked.pk])
    if read_by_person and user is not None:
        cells_typed(report=locked, typed={k: cleaned[k] for k in changed}, user=user)
    locked.version += 1
    locked.edit_marks = marks
    locked.updated_by = user
    if changed_fields:
        for name in changed_fields:
            setattr(locked, name, fields[name])
        locked._history_user = user
        locked._change_reason = reason or None
        locked.full_clean()
        locked.save()
    else:  # cells only: their own history rows say who and why; the report row just moves on
        Report.objects.filter(pk=locked.pk).update(
            version=locked.version, edit_marks=marks, updated_by=user, updated_at=now
        )
    if validate:
        report_validate(report=locked)
    return result


def _mark_order(key: str) -> tuple[int, str]:
    return (canonical.ALL_KEYS.index(key), "") if key in canonical.LABELS else (len(canonical.ALL_KEYS), key)


def _write_cells(changed, cleaned, disclosure, outcomes, blocks, *, user, reason) -> None:
    """Write only the changed cells; the rows were read under the lock, so each history row is exactly the
    state after this change (never a stale copy of a colleague's cell)."""
    dirty: dict[type, dict[int, object]] = {DisclosureTable: {}, ApplicationOutcome: {}, ReviewLitigation: {}}
    columns: dict[type, set[str]] = {DisclosureTable: set(), ApplicationOutcome: set(), ReviewLitigation: set()}
    for key in changed:
        table, row, col = key.split(".")
        if table == "active_disclosure":
            obj, name = disclosure, _DISCLOSURE_FIELD_BY_KEY[key]
        elif table == "applications":
            obj, name = outcomes[row], col
        else:
            obj, name = blocks[row], col
        setattr(obj, name, cleaned[key])
        dirty[type(obj)][obj.pk] = obj
        columns[type(obj)].add(name)
    for model, objs in dirty.items():
        if objs:
            bulk_update_with_history(
                list(objs.values()),
                model,
                sorted(columns[model]),
                default_user=user,
                default_change_reason=reason or None,
            )


def report_set_values(
    *,
    report: Report,
    values: Mapping[str, Value],
    user=None,
    reason: str = "",
    validate: bool = True,
    base_version: int | None = None,
) -> list[str]:
    """Write the given canonical cells (see report_update); returns the keys whose value changed."""
    return report_update(
        report=report, values=values, user=user, reason=reason, validate=validate, base_version=base_version
    ).changed


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

    from reports.access import require_perm

    report = report_lock(report.pk)  # like every write: no save or import is half-way through it
    require_agency(user, report.agency)
    if report.is_locked:
        raise ReportLockedError()
    require_perm(user, "reports.delete_report", "您没有删除年报的权限。")
    files = list(report.sources.values_list("file", flat=True))
    report.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files if name])
