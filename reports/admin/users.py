"""Users for the 管理员 role, and the login lockouts it may lift.

A 管理员 manages accounts (roles by group, agencies by membership) but is not a superuser: it cannot tick
超级用户状态 (on itself or anyone), hand out single permissions, nor change, delete or reset the password of a
superuser — otherwise the three roles would be two. Login lockouts (django-axes) are listed under 登录失败记录;
deleting one, or the 解除登录锁定 action on users, lets that user sign in again at once.
"""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied

from reports.models import LoginAttempt

User = get_user_model()
SUPERUSER_ONLY = ("is_superuser", "user_permissions")


class NianbaoUserAdmin(UserAdmin):
    actions = ["unlock_logins"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in SUPERUSER_ONLY if f not in fields]
        return fields

    def _protected(self, request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if self._protected(request, obj):
            return False  # shown read-only; its password page refuses too
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._protected(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)  # the bulk delete does not ask per account
        return actions

    def delete_queryset(self, request, queryset):
        if not request.user.is_superuser and queryset.filter(is_superuser=True).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        # A forged form cannot do what the read-only fields forbid.
        if not request.user.is_superuser:
            was_superuser = change and User.objects.filter(pk=obj.pk, is_superuser=True).exists()
            if obj.is_superuser or was_superuser:
                raise PermissionDenied
        super().save_model(request, obj, form, change)

    @admin.action(description="解除所选用户的登录锁定", permissions=["change"])
    def unlock_logins(self, request, queryset):
        count = sum(axes_reset(username=user.get_username()) for user in queryset)
        names = "、".join(u.get_username() for u in queryset[:10])
        self.message_user(request, f"已解除 {names} 的登录锁定（清除失败记录 {count} 条）。", messages.SUCCESS)


admin.site.unregister(User)
admin.site.register(User, NianbaoUserAdmin)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Failed logins per user name and address; a row at the limit is a lockout. Delete it to unlock."""

    list_display = ["user_name", "address", "failures", "locked", "last_attempt", "path"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = ["user_name", "address", "failures", "locked", "last_attempt", "path", "browser"]
    readonly_fields = fields

    @admin.display(description="用户名", ordering="username")
    def user_name(self, obj):
        return obj.username

    @admin.display(description="来源地址", ordering="ip_address")
    def address(self, obj):
        return obj.ip_address

    @admin.display(description="连续失败次数", ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description="已锁定", boolean=True)
    def locked(self, obj):
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    @admin.display(description="最近一次", ordering="attempt_time")
    def last_attempt(self, obj):
        return obj.attempt_time

    @admin.display(description="页面")
    def path(self, obj):
        return obj.path_info

    @admin.display(description="浏览器")
    def browser(self, obj):
        return obj.user_agent

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
