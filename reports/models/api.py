"""API tokens: how an agency's own system (or a city's) signs its requests to /api/.

Only a hash of the key is stored: the key is shown once, when a 管理员 creates the token in the admin, and a
database dump or a leaked backup gives no working token. A token acts exactly as its user — the same roles, the
same agencies, the same scoping (reports/access.py) — and can be revoked or left to expire.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_PREFIX = "nb_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=100, help_text="例如：二塘乡办公系统对接")
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    prefix = models.CharField("密钥前缀", max_length=12, editable=False, help_text="用于辨认令牌，不能用来登录。")
    expires_at = models.DateTimeField("有效期至", null=True, blank=True, help_text="留空为长期有效。")
    revoked = models.BooleanField("已停用", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @classmethod
    def new_key(cls) -> str:
        return KEY_PREFIX + secrets.token_urlsafe(32)

    def set_key(self, key: str) -> None:
        self.key_hash = hash_key(key)
        self.prefix = key[:10]

    @property
    def is_usable(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > timezone.now())
