"""The admin's login form says why a known user cannot log in (no 工作人员状态) instead of "wrong password"."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

NOT_STAFF = (
    "账号“{username}”尚未开通后台登录：请管理员在“用户”中为该账号勾选“工作人员状态”"
    "（填报员、审核员都需要；加入填报员、审核员或管理员组时会自动勾选）。"
)


class LoginForm(AdminAuthenticationForm):
    def clean(self):
        # The password is checked by authenticate() alone, behind the login lockout (django-axes): a right password
        # of a user without 工作人员状态 is told so only once authenticate() accepted it, never by a check of our own
        # that a locked-out guesser could use to test passwords.
        try:
            return super().clean()
        except forms.ValidationError:
            user = self.user_cache
            if user is not None and user.is_active and not user.is_staff:
                raise forms.ValidationError(NOT_STAFF.format(username=user.get_username()), code="not_staff")
            raise


admin.site.login_form = LoginForm
