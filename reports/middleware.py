"""Refuse an upload bigger than the per-request limit before its body is read (a 413 page in Chinese)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.response import TemplateResponse

log = logging.getLogger(__name__)


class UploadLimitMiddleware:
    """Placed before anything reads request.POST (CSRF does): Django would otherwise stream the whole body to disk
    first. The per-file limit and the hourly allowance are checked by the upload pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.NIANBAO_UPLOAD_MAX_REQUEST_BYTES
        if request.method == "POST" and limit and request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                log.warning("upload refused: %d bytes in one request (limit %d)", length, limit)
                _discard(request, length)
                context = {"size_mb": f"{length / 1048576:.0f}", "limit_mb": f"{limit / 1048576:.0f}"}
                response = TemplateResponse(request, "413.html", context, status=413)
                return response.render()
        return self.get_response(request)


def _discard(request, length: int) -> None:
    """Read the refused body away in chunks, so the client gets the 413 (many send the whole body before reading a
    response) and no server reads the rest into memory at once (Django's runserver does, on closing)."""
    stream = request.META.get("wsgi.input")
    left = length
    try:
        while stream is not None and left > 0 and (chunk := stream.read(min(1 << 20, left))):
            left -= len(chunk)
    except OSError:
        pass
