"""Token authentication against ApiToken (only the key's hash is stored; see reports/models/api.py)."""

from __future__ import annotations

import logging

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from config.requestlog import log_as_user
from reports.models.api import ApiToken, hash_key

log = logging.getLogger(__name__)

BAD_TOKEN = "令牌无效、已停用或已过期。"
INACTIVE = "该令牌所属的用户已停用。"
# Writing last_used_at on every request would make each read a write; once a minute tells a 管理员 enough.
TOUCH_EVERY_SECONDS = 60


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token nb_…`, as DRF's own token scheme, with the key looked up by its SHA-256."""

    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or not token.is_usable:
            log.warning("API: refused token %s…", key[:10])
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(INACTIVE)
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_EVERY_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        log_as_user(token.user.get_username())
        return token.user, token
