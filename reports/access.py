"""Who may see and change what. Enforced in querysets and services, not only by hiding buttons.

Roles (groups created by a migration): 填报员 — sees and uploads only the reports of the agencies they are a
member of, cannot review or approve; 审核员 — sees all reports, reviews, returns, approves; 管理员 — everything,
including reopening approved reports and managing agencies and users.

People work at a node of the region tree (agencies.NodeStaff): a 审核员 or 管理员 bound to one or more nodes sees
and reviews only the reports of those nodes and every agency beneath them (a path prefix); bound with
``reviews_below`` off, they review the node's own report and its direct children's, and read the rest below. A
reviewer bound to no node works for the whole deployment; a superuser always does. 填报员 stay bound to their
agencies: a node post gives a 填报员 nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from agencies.models import Agency, NodeStaff
from reports.choices import ReportStatus
from reports.models import Report
from reports.roles import ADMINISTRATOR, FILER, REVIEWER  # noqa: F401  (re-exported for callers)


def node_posts(user) -> list[tuple[str, int, bool]]:
    """(path, depth, reviews_below) of the nodes a reviewer or administrator works at; [] for anyone else."""
    if not (user and user.is_active and user.pk) or not user.has_perm("reports.view_all_reports"):
        return []
    # Cached on the user object for the request, like Django's own permission cache.
    cached = getattr(user, "_nb_node_posts", None)
    if cached is None:
        cached = list(
            NodeStaff.objects.filter(user=user).values_list("node__path", "node__depth", "reviews_below").order_by()
        )
        user._nb_node_posts = cached
    return cached


def sees_all(user) -> bool:
    """Whether this user sees every agency: a superuser, or a reviewer/administrator bound to no node."""
    if not (user and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.has_perm("reports.view_all_reports") and not node_posts(user)


def _agency_scope(user, *, acting: bool) -> Q:
    """The agencies a (not all-seeing, active) user sees — or, acting, may act for — as a filter on Agency."""
    q = Q(members=user)
    for path, depth, reviews_below in node_posts(user):
        if acting and not reviews_below:
            q |= Q(path__startswith=path, depth__lte=depth + 1)
        else:
            q |= Q(path__startswith=path)
    return q


def scoped_agencies(user, *, acting: bool = False):
    """Agency ids this user sees (acting: may act for), as a queryset for `__in`; None when unrestricted."""
    if user is None or sees_all(user):
        return None
    if not user.is_active:
        return Agency.objects.none().values("pk")
    return Agency.objects.filter(_agency_scope(user, acting=acting)).values("pk")


def reports_visible_to(user, queryset=None):
    queryset = queryset if queryset is not None else Report.objects.all()
    if user is None:  # system code (commands run by the operator)
        return queryset
    if sees_all(user):
        return queryset
    if not (user and user.is_active):
        return queryset.none()
    return queryset.filter(agency__in=scoped_agencies(user))


def agencies_visible_to(user, queryset=None):
    queryset = queryset if queryset is not None else Agency.objects.all()
    if user is None or sees_all(user):
        return queryset
    if not (user and user.is_active):
        return queryset.none()
    return queryset.filter(pk__in=scoped_agencies(user))


def agencies_actable_by(user, queryset=None):
    """The agencies this user may act for (create, import, edit, review): the visible ones, less those a
    reviewer with ``reviews_below`` off only reads."""
    queryset = queryset if queryset is not None else Agency.objects.all()
    if user is None or sees_all(user):
        return queryset
    if not (user and user.is_active):
        return queryset.none()
    return queryset.filter(pk__in=scoped_agencies(user, acting=True))


def may_act_for(user, agency_id: int) -> bool:
    return agencies_actable_by(user, Agency.objects.filter(pk=agency_id)).exists()


def can_see_report(user, report: Report) -> bool:
    return reports_visible_to(user, Report.objects.filter(pk=report.pk)).exists()


def require_agency(user, agency: Agency) -> None:
    """A filer may only act for their own agencies."""
    if user is None or sees_all(user):
        return
    if not agencies_actable_by(user, Agency.objects.filter(pk=agency.pk)).exists():
        if agencies_visible_to(user, Agency.objects.filter(pk=agency.pk)).exists():
            raise PermissionDenied(READ_ONLY_BELOW)
        raise PermissionDenied("您只能处理本机关的年报。")


READ_ONLY_BELOW = "该机关在您所在区划的下级，您只能查看其年报，不能修改或审核。"


def require_perm(user, perm: str, message: str) -> None:
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied(message)


# A 填报员 edits a report before handing it in and after it comes back; in between it is the reviewers'.
FILER_EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
HANDED_IN = "报告已提交审核，填报员不能再修改；如需修改，请联系审核员退回。"


def may_edit_content(user, status: str, agency_id: int | None = None) -> bool:
    """Whether this user may change a report's numbers and texts in this status (the approval lock aside);
    given the report's agency, also whether they may act for it at all (a node post may be read-only below)."""
    if user is None:
        return True
    if agency_id is not None and not sees_all(user) and not may_act_for(user, agency_id):
        return False
    if user.has_perm("reports.review_report"):
        return True
    return status in FILER_EDITABLE


def require_may_edit(user, status: str) -> None:
    if not may_edit_content(user, status):
        raise PermissionDenied(HANDED_IN)
