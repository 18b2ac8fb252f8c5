"""The 导入年报 pages: upload a pile, preview every file, confirm; and the re-import comparison page."""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from agencies.models import Agency
from reports import canonical, layout
from reports.access import agencies_visible_to
from reports.admin.workflow import messages_of
from reports.forms import UploadForm
from reports.services import batch

log = logging.getLogger(__name__)

INCOMING = "incoming"


def _batch_dir(token: str) -> Path:
    if not token or not token.isalnum():
        raise Http404
    return Path(settings.MEDIA_ROOT) / INCOMING / token


STALE_SECONDS = 24 * 3600


def _drop_stale_batches() -> None:
    """Previews nobody confirmed are not kept: remove upload batches older than a day."""
    root = Path(settings.MEDIA_ROOT) / INCOMING
    if not root.is_dir():
        return
    cutoff = time.time() - STALE_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _store(request, items: list[batch.Incoming]) -> str:
    """Keep the uploaded bytes between preview and confirmation (generated names, outside sources/)."""
    _drop_stale_batches()
    token = secrets.token_hex(16)
    folder = _batch_dir(token)
    folder.mkdir(parents=True)
    manifest = {"user": request.user.pk, "files": []}
    for n, item in enumerate(items):
        path = f"{n:04d}.bin"
        (folder / path).write_bytes(item.data)
        manifest["files"].append({"name": item.name, "path": path, "error": item.error})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return token


def _load(request, token: str) -> list[batch.Incoming]:
    folder = _batch_dir(token)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise Http404("导入批次已过期，请重新上传。")
    if manifest.get("user") != request.user.pk:
        raise PermissionDenied
    return [batch.Incoming(f["name"], (folder / f["path"]).read_bytes(), f["error"]) for f in manifest["files"]]


def _grid(parsed) -> dict:
    """The three tables of a reading, laid out for the preview template, each cell with its reading state."""

    def cell(key):
        src = parsed.provenance.get(key)
        state = "missing" if src and src.missing else "inferred" if src and src.inferred else ""
        return {"value": parsed.values.get(key), "state": state, "key": key}

    return {
        "table2": [(label, [cell(k) for k in keys]) for _, _, rows in layout.TABLE2_BLOCKS for label, keys in rows],
        "table3": [
            (r.full_label, [cell(canonical.t3(r.key, c)) for c in canonical.TABLE3_COLUMN_KEYS])
            for r in canonical.TABLE3_ROWS
        ],
        "table4": [
            (label, [cell(canonical.t4(b, c)) for c in canonical.TABLE4_COLUMN_KEYS])
            for b, label in canonical.TABLE4_BLOCKS
        ],
    }


def upload_view(model_admin, request):
    if not request.user.has_perm("reports.import_report"):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        items: list[batch.Incoming] = []
        for upload in form.cleaned_data["files"]:
            limit = settings.NIANBAO_MAX_UPLOAD_BYTES
            if upload.size > limit:
                items.append(
                    batch.Incoming(upload.name, error=f"文件超过大小上限（{upload.size // 1048576} MB），未导入。")
                )
                continue
            items.extend(batch.expand(upload.name, upload.read()))
        token = _store(request, items)
        return HttpResponseRedirect(reverse("admin:reports_report_import_preview", args=[token]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "导入年报",
        "form": form,
        "max_mb": settings.NIANBAO_MAX_UPLOAD_BYTES // 1048576,
    }
    return TemplateResponse(request, "admin/reports/report/import_upload.html", context)


def preview_view(model_admin, request, token):
    if not request.user.has_perm("reports.import_report"):
        raise PermissionDenied
    items = _load(request, token)
    if request.method == "POST":
        return _confirm(model_admin, request, token, items)
    previews = [batch.preview(item, user=request.user) for item in items]
    agencies = list(agencies_visible_to(request.user).filter(is_active=True).order_by("name"))
    rows = []
    for n, p in enumerate(previews):
        rows.append(
            {
                "n": n,
                "p": p,
                "grid": _grid(p.parsed) if p.parsed else None,
                "errors": [i for i in p.issues if i.severity == "error"],
                "warnings": [i for i in p.issues if i.severity == "warning"],
                "infos": [i for i in p.issues if i.severity == "info"],
                "missing": [k for k, src in (p.parsed.provenance.items() if p.parsed else []) if src.missing],
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "导入预览：确认前不会写入任何数据",
        "rows": rows,
        "agencies": agencies,
        "kinds": Agency.Kind.choices,
        "can_create_agency": request.user.has_perm("agencies.add_agency"),
        "token": token,
        "t3_columns": [label for _, label in canonical.TABLE3_COLUMNS],
        "t4_columns": [label for _, label in canonical.TABLE4_COLUMNS],
    }
    return TemplateResponse(request, "admin/reports/report/import_preview.html", context)


def _confirm(model_admin, request, token, items):
    visible = agencies_visible_to(request.user)
    done = failed = 0
    for n, item in enumerate(items):
        if request.POST.get(f"include_{n}") != "on":
            continue
        choice = request.POST.get(f"agency_{n}", "")
        year_raw = request.POST.get(f"year_{n}", "").strip()
        year = int(year_raw) if year_raw.isdigit() else None
        agency = visible.filter(pk=int(choice)).first() if choice.isdigit() else None
        p = batch.preview(item, user=request.user, agency=agency, year=year)
        create = request.POST.get(f"new_name_{n}", "").strip() if choice == "new" else ""
        kind = request.POST.get(f"new_kind_{n}", Agency.Kind.OTHER)
        if p.action == "skip":
            messages.info(request, f"文件“{item.name}”：相同文件已导入，跳过。")
            continue
        try:
            result = batch.import_preview(p, user=request.user, create_agency=create, agency_kind=kind)
        except (ValidationError, PermissionDenied) as exc:
            failed += 1
            messages.error(request, f"文件“{item.name}”：{messages_of(exc)}（该文件未导入）")
            continue
        except IntegrityError:  # e.g. a colleague imported the same agency and year at the same moment
            failed += 1
            log.warning("import of %s hit a concurrent write", item.name, exc_info=True)
            messages.error(request, f"文件“{item.name}”：与同时进行的其他导入冲突，请重新导入此文件（该文件未导入）")
            continue
        done += 1
        level = messages.WARNING if result.kept or result.kept_blank else messages.SUCCESS
        messages.add_message(request, level, f"文件“{item.name}”：{result.message}")
        if warning := p.other_agency_warning(result.report.agency):
            messages.warning(request, f"文件“{item.name}”：{warning}")
    shutil.rmtree(_batch_dir(token), ignore_errors=True)
    messages.info(request, f"导入完成：成功 {done} 个，失败 {failed} 个。")
    return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
