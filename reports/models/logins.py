from axes.models import AccessAttempt


class LoginAttempt(AccessAttempt):
    """django-axes' failed-login counter per user name and address, shown to the 管理员 in Chinese (its admin is
    off): deleting one unlocks that pair at once."""

    class Meta:
        proxy = True
        verbose_name = "登录失败记录"
        verbose_name_plural = "登录失败记录（锁定）"
