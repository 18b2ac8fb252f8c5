"""Who may see and change what. Enforced in querysets and services, not only by hiding buttons.

Roles (groups created by a migration): 填报员 — sees and uploads only the reports of the agencies they are a
member of, cannot review or approve; 审核员 — sees all reports, reviews, returns, approves; 管理员 — everything,
including reopening approved reports and managing agencies and users.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from agencies.models import Agency
from reports.choices import ReportStatus
from reports.models import Report
from reports.roles import ADMINISTRATOR, FILER, REVIEWER  # noqa: F401  (re-exported for callers)


def sees_all(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or user.has_perm("reports.view_all_reports")))


def reports_visible_to(user, queryset=None):
    queryset = queryset if queryset is not None else Report.objects.all()
    if user is None:  # system code (commands run by the operator)
        return queryset
    if sees_all(user):
        return queryset
    if not (user and user.is_active):
        return queryset.none()
    return queryset.filter(agency__members=user)


def agencies_visible_to(user, queryset=None):
    queryset = queryset if queryset is not None else Agency.objects.all()
    if user is None or sees_all(user):
        return queryset
    if not (user and user.is_active):
        return queryset.none()
    return queryset.filter(members=user)


def can_see_report(user, report: Report) -> bool:
    return reports_visible_to(user, Report.objects.filter(pk=report.pk)).exists()


def require_agency(user, agency: Agency) -> None:
    """A filer may only act for their own agencies."""
    if user is None or sees_all(user):
        return
    if not agencies_visible_to(user, Agency.objects.filter(pk=agency.pk)).exists():
        raise PermissionDenied("您只能处理本机关的年报。")


def require_perm(user, perm: str, message: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(message)


# A 填报员 edits a report before handing it in and after it comes back; in between it is the reviewers'.
FILER_EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
HANDED_IN = "报告已提交审核，填报员不能再修改；如需修改，请联系审核员退回。"


def may_edit_content(user, status: str) -> bool:
    """Whether this user may change a report's numbers and texts in this status (the approval lock aside)."""
    if user is None or user.has_perm("reports.review_report"):
        return True
    return status in FILER_EDITABLE


def require_may_edit(user, status: str) -> None:
    if not may_edit_content(user, status):
        raise PermissionDenied(HANDED_IN)
