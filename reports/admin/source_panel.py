"""The report page's source panel: the stored document beside the numbers, following the selected cell.

Two views, each checked like the source download (the report through the admin's access-scoped queryset):
the panel's data for one stored version (where every cell came from, and for documents other than PDF the
tables and text as read) and a PDF page rendered to PNG.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from reports.admin.workflow import _report
from reports.models import SourceDocument
from reports.source_view import (
    SourceUnavailable,
    add_pdf_boxes,
    cell_places,
    document_as_read,
    pdf_page_count,
    render_pdf_page,
)

log = logging.getLogger("nianbao.sources")
CACHE_SECONDS = 3600


def _source(model_admin, request, report_id, source_id) -> SourceDocument:
    report = _report(model_admin, request, report_id)
    return get_object_or_404(SourceDocument, report=report, pk=source_id)


def _read_bytes(source: SourceDocument) -> bytes:
    with source.file.open("rb") as fh:
        return fh.read()


def _cached(key: str, compute):
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def panel_data(source: SourceDocument) -> dict:
    data = {
        "id": source.pk,
        "version": source.version,
        "name": source.original_name,
        "format": source.format,
        "cells": cell_places((source.parsed or {}).get("provenance", {})),
    }
    try:
        if source.format == "pdf":
            data["cells"] = _cached(f"nb-src-cells-{source.pk}", lambda: _pdf_cells(source, data["cells"]))
            data["kind"] = "pdf"
            data["pages"] = _cached(f"nb-src-pages-{source.sha256}", lambda: pdf_page_count(_read_bytes(source)))
            data["page_url"] = reverse(
                "admin:reports_report_source_page", args=[source.report_id, source.pk, 1]
            ).removesuffix("1.png")
        else:
            data["kind"] = "document"
            data.update(
                _cached(
                    f"nb-src-doc-{source.sha256}-{source.format}",
                    lambda: document_as_read(_read_bytes(source), source.format, source.original_name),
                )
            )
    except (SourceUnavailable, OSError) as exc:
        log.warning("source %s cannot be shown: %s", source.pk, exc)
        data["kind"] = "unavailable"
        data["error"] = str(exc) if isinstance(exc, SourceUnavailable) else "来源文件无法读取"
    return data


def _pdf_cells(source: SourceDocument, cells: dict) -> dict:
    if any("box" not in p and ("row" in p or "line" in p) for p in cells.values()):
        add_pdf_boxes(cells, _read_bytes(source))
    return cells


def panel_view(model_admin, request, report_id, source_id):
    source = _source(model_admin, request, report_id, source_id)
    response = JsonResponse(panel_data(source))
    response["Cache-Control"] = "private, max-age=300"
    return response


def page_view(model_admin, request, report_id, source_id, page):
    source = _source(model_admin, request, report_id, source_id)
    if source.format != "pdf":
        return HttpResponse("不是 PDF 文件", status=404, content_type="text/plain; charset=utf-8")
    try:  # rendered each time (tens of milliseconds); the browser keeps it, a stored version never changes
        png = render_pdf_page(_read_bytes(source), page)
    except SourceUnavailable as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"  # a stored version never changes
    return response
