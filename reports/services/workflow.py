"""Review workflow: 草稿 → 已提交 → 审核中 → 已退回 / 已通过, with reasons, overrides and the approval lock."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from reports import canonical
from reports.access import require_agency, require_perm
from reports.choices import ReportStatus as S
from reports.models import Report, ReportEvent
from reports.selectors import report_values
from reports.services.confirmations import confirmed_values, pending_keys
from reports.services.figures import approved_figures_drop, approved_figures_store
from reports.services.locking import report_lock
from reports.services.records import BAD_VERSION, Conflict
from reports.services.validation import report_validate


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    perm: str | None  # beyond being allowed to edit the agency's reports
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", "提交", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, None),
        Transition("start_review", "开始审核", frozenset({S.SUBMITTED}), S.REVIEWING, "reports.review_report"),
        Transition("return", "退回", frozenset({S.SUBMITTED, S.REVIEWING}), S.RETURNED, "reports.review_report", True),
        Transition("approve", "通过", frozenset({S.SUBMITTED, S.REVIEWING}), S.APPROVED, "reports.review_report"),
        Transition("reopen", "重新打开", frozenset({S.APPROVED}), S.REVIEWING, "reports.reopen_report", True),
    )
}

NEEDS_REASON = "请填写{label}的理由。"
APPROVE_WITH_ERRORS = "该报告有 {n} 个错误级问题：如确需通过，请勾选“忽略错误通过”并说明理由。"
NOT_ALLOWED = "“{status}”状态的报告不能{label}。"
APPROVE_UNCONFIRMED = (
    "该报告还有 {n} 个单元格待人工确认（来源文件中未能读出，或由勾稽关系推算）：{cells}。"
    "请对照原文录入数值或逐格确认后再通过；管理员可勾选“忽略未确认单元格通过”并说明理由。"
)
ONLY_ADMIN_OVERRIDES = "只有管理员可以在仍有待人工确认的单元格时通过报告。"
CHANGED_SINCE = "未{label}：您打开页面之后，{cells}。请刷新页面，核对后再{label}。"


def transitions_for(report: Report, user) -> list[Transition]:
    """The transitions this user may apply to this report now (for the buttons)."""
    available = []
    for t in TRANSITIONS.values():
        if report.status in t.sources and (t.perm is None or user.has_perm(t.perm)):
            available.append(t)
    return available


@transaction.atomic
def report_transition(
    *,
    report: Report,
    action: str,
    user=None,
    reason: str = "",
    override: bool = False,
    override_unconfirmed: bool = False,
    base_version: int | None = None,
) -> Report:
    """Apply one workflow step. Raises ValidationError (Chinese) or PermissionDenied.

    Takes the report's row lock like every write (records.report_lock). ``base_version`` is the version the
    person saw: an approval of a report whose cells or texts changed after that is refused (they would approve
    figures they never looked at). An approval of a report with cells nobody has read (unread or inferred, not
    typed or confirmed) is refused; a 管理员 may override it with ``override_unconfirmed`` and a reason.
    """
    t = TRANSITIONS.get(action)
    if t is None:
        raise ValidationError(f"未知操作：{action}")
    report = report_lock(report.pk)
    require_agency(user, report.agency)
    if t.perm:
        require_perm(user, t.perm, f"您没有{t.label}年报的权限。")
    if report.status not in t.sources:
        raise ValidationError(NOT_ALLOWED.format(status=report.get_status_display(), label=t.label))
    if action == "approve" and base_version is not None:
        _require_unchanged_since(report, base_version, t.label)
    reason = reason.strip()
    if t.needs_reason and not reason:
        raise ValidationError(NEEDS_REASON.format(label=t.label))
    details: dict = {}
    if action == "approve":
        report_validate(report=report, cascade=False)
        report.refresh_from_db()
        if report.error_count:
            if not (override and reason):
                raise ValidationError(APPROVE_WITH_ERRORS.format(n=report.error_count))
            details["override"] = True
            details["errors"] = list(
                report.issues.filter(severity="error", accepted=False).values_list("message", flat=True)
            )
        if report.unconfirmed_count:
            pending = _pending(report)
            if not (override_unconfirmed and reason):
                cells = "、".join(canonical.short_label(k) for k in pending[:8])
                if len(pending) > 8:
                    cells += f" 等 {len(pending)} 格"
                raise ValidationError(APPROVE_UNCONFIRMED.format(n=len(pending), cells=cells), code="unconfirmed")
            require_perm(user, "reports.approve_unconfirmed", ONLY_ADMIN_OVERRIDES)
            details["override_unconfirmed"] = True
            details["unconfirmed"] = pending
        report.approval_note = reason
    if action == "return":
        report.return_reason = reason
        details["issues"] = [
            f"{i.rule} {i.message}" for i in report.issues.filter(accepted=False).exclude(severity="info")
        ]
    source = report.status
    report.status = t.target
    report.version += 1
    report.updated_by = user
    report._history_user = user
    report._change_reason = f"{t.label}：{reason}" if reason else t.label
    if action == "reopen":
        report._reopening = True
    report.save()
    # What the roll-up sums: frozen with the approval, dropped with a reopening (reports/models/rollup.py).
    if t.target == S.APPROVED:
        approved_figures_store(report=report)
    elif source == S.APPROVED:
        approved_figures_drop(report=report)
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.STATUS,
        from_status=source,
        to_status=t.target,
        reason=reason,
        details=details,
        user=user,
    )
    return report


def _pending(report: Report) -> list[str]:
    values = report_values(report)
    return pending_keys(report, values, confirmed_values([report.pk])[report.pk])


def _require_unchanged_since(report: Report, base_version: int, label: str) -> None:
    if not 1 <= base_version <= report.version:
        raise ValidationError(BAD_VERSION, code="bad_version")
    changed = [
        Conflict.from_mark(k, m)
        for k, m in (report.edit_marks or {}).items()
        if isinstance(m, dict) and m.get("v", 0) > base_version
    ]
    if changed:
        cells = "；".join(c.describe() for c in changed[:5]) + (f"；等共 {len(changed)} 处" if len(changed) > 5 else "")
        raise ValidationError(CHANGED_SINCE.format(label=label, cells=cells), code="conflict")
