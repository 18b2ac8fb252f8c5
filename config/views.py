"""Error pages in Chinese, with the request id to quote to the administrator (see config/requestlog.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template import loader
from django.views import defaults


def _user_message(exception) -> str:
    """The project's own messages are Chinese and meant for the user; Django's internal ones (English) are not."""
    text = str(exception.args[0]) if exception is not None and exception.args else ""
    return text if any("\u4e00" <= ch <= "\u9fff" for ch in text) else ""


def not_found(request, exception=None):
    return _render(request, "404.html", 404, exception)


def forbidden(request, exception=None):
    return _render(request, "403.html", 403, exception)


def bad_request(request, exception=None):
    return _render(request, "400.html", 400, exception)


def _render(request, template, status, exception):
    try:
        body = loader.render_to_string(template, {"message": _user_message(exception)}, request)
    except Exception:  # never let an error page fail: fall back to Django's own
        return {404: defaults.page_not_found, 403: defaults.permission_denied, 400: defaults.bad_request}[status](
            request, exception
        )
    return HttpResponse(body, status=status)
