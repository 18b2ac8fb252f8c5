"""API 令牌 in the admin: a 管理员 makes a token for a user (an agency's system account, say), sees its key once,
and can stop it or let it expire. A token acts as its user; a 管理员 who is not a superuser cannot make one for a
superuser (that would hand out more than the 管理员 has)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from reports.models import ApiToken

User = get_user_model()
SHOWN_ONCE = "令牌“{name}”已创建。密钥只显示这一次，请立即复制并妥善保存：{key}"


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at", "revoked"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(user__is_superuser=False)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            users = User.objects.filter(is_active=True).order_by("username")
            if not request.user.is_superuser:
                users = users.filter(is_superuser=False)
            kwargs["queryset"] = users
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A token stays with the user it was made for: to move it, make a new one.
        return [*self.readonly_fields, "user"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if obj.user.is_superuser and not request.user.is_superuser:
            raise PermissionDenied
        if not change:
            key = ApiToken.new_key()
            obj.set_key(key)
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            self.message_user(request, SHOWN_ONCE.format(name=obj.name, key=key), messages.WARNING)
            return
        super().save_model(request, obj, form, change)
