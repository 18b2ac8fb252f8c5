"""The picture of a cell in the document it was read from (scans): served to those who may see the report."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from reports import canonical
from reports.models import SourceDocument
from reports.parsing.crop import CropError, render_crop

log = logging.getLogger(__name__)


def cell_box(source: SourceDocument, key: str) -> tuple[int, tuple[float, float, float, float]] | None:
    """(page, box) of a cell in a stored source's reading, when the reading kept where the cell is
    (box: fractions of the page as displayed, from its top left)."""
    src = ((source.parsed or {}).get("provenance") or {}).get(key) or {}
    page, box = src.get("page"), src.get("box")
    if not isinstance(page, int) or not isinstance(box, list) or len(box) != 4:
        return None
    try:
        return page, (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    except (TypeError, ValueError):
        return None


def cell_crops(report) -> dict[str, dict[str, str]]:
    """For each cell a source read from a scan, where its picture is (newest source first): the URL, and a
    caption naming the cell, the page and the source version."""
    out: dict[str, dict[str, str]] = {}
    for source in report.sources.order_by("-version").only("pk", "version", "parsed"):
        provenance = (source.parsed or {}).get("provenance") or {}
        for key in canonical.ALL_KEYS:
            scanned = (provenance.get(key) or {}).get("ocr")
            found = cell_box(source, key) if key not in out and scanned else None
            if found is not None:
                out[key] = {
                    "url": reverse("admin:reports_report_cell_crop", args=[report.pk, source.pk, key]),
                    "caption": f"{canonical.short_label(key)}（来源文件第 {source.version} 版第 {found[0]} 页）",
                }
    return out


def cell_crop_view(model_admin, request, report_id, source_id, key):
    # get_queryset applies the access rules: another agency's report is a 404 for a 填报员.
    report = get_object_or_404(model_admin.get_queryset(request), pk=report_id)
    if not model_admin.has_view_permission(request, report):
        raise PermissionDenied
    if key not in canonical.LABELS:
        raise Http404
    source = get_object_or_404(SourceDocument, report=report, pk=source_id)
    found = cell_box(source, key)
    if found is None or source.size > settings.NIANBAO_MAX_UPLOAD_BYTES:
        raise Http404("该单元格没有原件图像")
    page, box = found
    with source.file.open("rb") as fh:
        data = fh.read()
    try:
        png = render_crop(data, source.original_name, page, box)
    except CropError as exc:
        log.info("no crop for %s of source %s: %s", key, source.pk, exc)
        raise Http404(str(exc))
    response = HttpResponse(png, content_type="image/png")
    # A stored source never changes: the picture may be kept by this browser, not by shared caches.
    response["Cache-Control"] = "private, max-age=86400"
    return response
