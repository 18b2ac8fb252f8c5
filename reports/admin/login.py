"""The admin's login form says why a known user cannot log in (no 工作人员状态) instead of "wrong password"."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model

NOT_STAFF = (
    "账号“{username}”尚未开通后台登录：请管理员在“用户”中为该账号勾选“工作人员状态”"
    "（填报员、审核员都需要；加入填报员、审核员或管理员组时会自动勾选）。"
)


class LoginForm(AdminAuthenticationForm):
    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username and password:
            user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
            if user is not None and user.is_active and not user.is_staff and user.check_password(password):
                raise forms.ValidationError(NOT_STAFF.format(username=username), code="not_staff")
        return super().clean()


admin.site.login_form = LoginForm
