"""Who may call the API: a signed-in, active user holding the role permission for the action. Which rows they reach
is decided by the querysets of reports/access.py, exactly as in the admin (another agency's report is a 404)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

NO_ROLE = "您的账号没有使用该接口的权限（需由管理员分配角色）。"


class ApiAccess(BasePermission):
    """Reads need the view permission of the view's model; writes the permissions the view names for the action."""

    message = NO_ROLE

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not hasattr(view, request.method.lower()):
            return True  # a method this URL does not have: the view answers 405, the same for every id
        if request.method in SAFE_METHODS:
            perms = getattr(view, "read_perms", ("reports.view_report",))
        else:
            perms = getattr(view, "write_perms", {}).get(getattr(view, "action", None), None)
            if perms is None:
                return False
        return user.has_perms(perms)
