"""Every log line of a request carries its request id and user (see LOGGING in settings.py).

RequestContextMiddleware gives each request an id (the proxy's X-Request-ID when it sends a sane one, else a new
one), returns it in the X-Request-ID response header — a clerk's screenshot of an error page then finds its log
lines — and keeps it and the user name in context variables that RequestContextFilter adds to each log record.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.conf import settings

_request_id: ContextVar[str] = ContextVar("nianbao_request_id", default="-")
_user: ContextVar[str] = ContextVar("nianbao_user", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex[:16]
        request.request_id = request_id
        id_token = _request_id.set(request_id)
        user_token = _user.set(_user_name(request))
        try:
            response = self.get_response(request)
            _user.set(_user_name(request))  # a login in this request: its later lines name the user
        finally:
            _request_id.reset(id_token)
            _user.reset(user_token)
        response["X-Request-ID"] = request_id
        return response


def log_as_user(name: str) -> None:
    """Name the user on this request's later log lines (an API token authenticates after the middleware ran)."""
    _user.set(name)


def _user_name(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    return user.get_username()


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` (``-`` outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.user = _user.get()
        if not hasattr(record, "ip"):
            record.ip = ""
        return True


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind NIANBAO_TRUSTED_PROXY_COUNT reverse proxies the address the
    nearest trusted proxy saw (X-Forwarded-For, counted from the right, so a client cannot forge it)."""
    proxies = getattr(settings, "NIANBAO_TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if proxies <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return remote
