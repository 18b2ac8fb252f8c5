"""Errors as the API answers them: JSON with a Chinese `detail` for people and an English `code` for programs.

The services raise Django's ValidationError / PermissionDenied with the same Chinese messages the admin shows;
here they become 400 / 403, and the ones that are about the report's state rather than the request become 409:
a cell someone changed after the version the client read (`conflict`, naming the cells), an approved report
(`locked`), a stale or impossible version (`bad_version`), a report that already exists (`exists`)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reports.services.records import EditConflict

log = logging.getLogger(__name__)

CONFLICT_CODES = {"conflict", "locked", "bad_version", "exists", "gone"}
NOT_FOUND = "未找到。"  # the same for a report that does not exist and one of another agency (no oracle)


def exception_handler(exc, context):
    if isinstance(exc, EditConflict):
        log.info("API: edit refused, cells changed since the client's version: %s", [c.key for c in exc.conflicts])
        return Response(
            {
                "detail": exc.messages[0],
                "code": "conflict",
                "conflicts": [
                    {"key": c.key, "label": c.label, "by": c.by, "at": c.at, "reason": c.why} for c in exc.conflicts
                ],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        code = getattr(exc, "code", None) or "invalid"
        message = "；".join(exc.messages)
        http = status.HTTP_409_CONFLICT if code in CONFLICT_CODES else status.HTTP_400_BAD_REQUEST
        return Response({"detail": message, "code": code}, status=http)
    if isinstance(exc, DjangoPermissionDenied):
        # The service's own reason (e.g. a report already handed in), not DRF's generic sentence.
        message = str(exc) or exceptions.PermissionDenied.default_detail
        return Response({"detail": message, "code": "permission_denied"}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data["code"] = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    return response
