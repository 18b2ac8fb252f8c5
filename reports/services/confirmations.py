"""Cells nobody has read — unread by the parser, or filled by arithmetic — and a person's reading of them.

A report's source document may leave cells unread (``Report.unread_keys``) or fill them from an identity
(``Report.inferred_keys``). Such a cell needs a person before the report can be approved: typed on the report
page, or confirmed against the document (a CellConfirmation, kept in 修改记录 like 已核实). A confirmation holds
while the cell keeps the value confirmed; an import that changes it makes the cell need a person again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from reports import canonical
from reports.access import require_agency, require_may_edit, require_perm
from reports.models import CellConfirmation, Report, ReportEvent
from reports.models.report import ReportLockedError
from reports.selectors import report_values
from reports.services.locking import report_lock

NOT_PENDING = "以下单元格无需人工确认（可能已确认或数值已修改），请刷新页面：{cells}。"
NOTHING_CHOSEN = "请选择要确认的单元格。"
CHANGED_SINCE = "未确认：您打开页面之后，{cells}。请刷新页面，核对新数值后再确认。"
NO_RIGHT = "您没有修改该报告的权限，不能确认单元格。"


def value_text(value) -> str:
    """A cell value as the text a confirmation keeps ("" for blank; 1.5000 and 1.5 alike)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def needing_keys(report: Report) -> list[str]:
    """The report's cells that need a person at all: unread or inferred in its latest source (template order)."""
    flagged = set(report.unread_keys or ()) | set(report.inferred_keys or {})
    return [k for k in canonical.ALL_KEYS if k in flagged]


def pending_keys(report: Report, values: Mapping[str, object], confirmed: Mapping[str, str]) -> list[str]:
    """Cells that still need a person: unread or inferred, and not typed or confirmed at their current value."""
    return [k for k in needing_keys(report) if confirmed.get(k) != value_text(values.get(k))]


def confirmed_values(report_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Per report, the value each confirmed cell was confirmed at (one query)."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for report_id, key, value in CellConfirmation.objects.filter(report_id__in=list(report_ids)).values_list(
        "report_id", "key", "value"
    ):
        found[report_id][key] = value
    return found


@dataclass(frozen=True)
class PendingCell:
    """One cell of the report page's 待人工确认 list."""

    key: str
    label: str
    value: object
    why: str  # "未能读出" / "由勾稽关系推算：…"
    confirmation: CellConfirmation | None  # an earlier confirmation at another value (lapsed), or None


def why_needed(report: Report, key: str) -> str:
    if key in (report.unread_keys or ()):
        return "来源文件中未能读出"
    identity = (report.inferred_keys or {}).get(key) or "勾稽关系"
    return f"由勾稽关系推算（{identity}）"


@transaction.atomic
def cells_confirm(
    *,
    report: Report,
    keys: Iterable[str],
    user=None,
    comment: str = "",
    base_version: int | None = None,
) -> list[str]:
    """Confirm that the chosen cells hold what the document says (a person's reading). Returns the keys confirmed.

    Under the report's row lock, like every write. ``base_version`` is the report version the person's page showed:
    a chosen cell someone changed after it is refused, naming who (the person would confirm a value never seen).
    """
    from reports.services.records import BAD_VERSION, Conflict
    from reports.services.validation import reports_validate

    wanted = [k for k in dict.fromkeys(keys) if k]
    if not wanted:
        raise ValidationError(NOTHING_CHOSEN, code="empty")
    locked = report_lock(report.pk)
    require_agency(user, locked.agency)
    if locked.is_locked:
        raise ReportLockedError()
    require_perm(user, "reports.change_report", NO_RIGHT)
    require_may_edit(user, locked.status)
    if base_version is not None:
        if not 1 <= base_version <= locked.version:
            raise ValidationError(BAD_VERSION, code="bad_version")
        marks = locked.edit_marks or {}
        changed = [
            Conflict.from_mark(k, marks[k])
            for k in wanted
            if isinstance(marks.get(k), dict) and marks[k].get("v", 0) > base_version
        ]
        if changed:
            raise ValidationError(
                CHANGED_SINCE.format(cells="；".join(c.describe() for c in changed[:5])), code="conflict"
            )
    values = report_values(locked)
    pending = set(pending_keys(locked, values, confirmed_values([locked.pk])[locked.pk]))
    stale = [k for k in wanted if k not in pending]
    if stale:
        shown = "、".join(canonical.short_label(k) if k in canonical.LABELS else k for k in stale[:5])
        raise ValidationError(NOT_PENDING.format(cells=shown), code="not_pending")
    comment = comment.strip()
    for key in wanted:
        CellConfirmation.objects.update_or_create(
            report=locked,
            key=key,
            defaults={"value": value_text(values[key]), "typed": False, "comment": comment, "confirmed_by": user},
        )
    shown = "、".join(f"{canonical.short_label(k)}＝{value_text(values[k]) or '空'}" for k in wanted[:10])
    if len(wanted) > 10:
        shown += f" 等 {len(wanted)} 格"
    ReportEvent.objects.create(
        report=locked,
        kind=ReportEvent.Kind.CONFIRM,
        reason=f"对照原文确认 {shown}" + (f"（{comment}）" if comment else ""),
        details={"keys": wanted, "values": {k: value_text(values[k]) for k in wanted}, "comment": comment},
        user=user,
    )
    reports_validate([locked])
    return wanted


def cells_typed(*, report: Report, typed: Mapping[str, object], user) -> list[str]:
    """Record that a person typed these values into cells that needed one (report_update calls this, under the
    report's lock): typing a value is reading it. Returns the keys recorded."""
    needing = set(needing_keys(report))
    keys = [k for k in typed if k in needing]
    for key in keys:
        CellConfirmation.objects.update_or_create(
            report=report,
            key=key,
            defaults={"value": value_text(typed[key]), "typed": True, "comment": "", "confirmed_by": user},
        )
    return keys


def pending_cells(report: Report) -> tuple[list[PendingCell], list[CellConfirmation]]:
    """The report page's list: the cells still needing a person, and the confirmations that hold."""
    needing = needing_keys(report)
    if not needing:
        return [], []
    values = report_values(report)
    confirmations = {c.key: c for c in report.confirmations.select_related("confirmed_by")}
    pending, holding = [], []
    for key in needing:
        c = confirmations.get(key)
        if c is not None and c.value == value_text(values[key]):
            holding.append(c)
        else:
            pending.append(PendingCell(key, canonical.short_label(key), values[key], why_needed(report, key), c))
    return pending, holding
