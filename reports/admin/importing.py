"""The 导入年报 pages: upload a pile, preview every file, confirm; and the re-import comparison page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from agencies.models import Agency
from reports import canonical, layout
from reports.access import agencies_visible_to
from reports.admin.workflow import int_param, messages_of
from reports.dbhealth import reconnect_if_broken
from reports.forms import UploadForm
from reports.services import batch, incoming

log = logging.getLogger(__name__)


def _load(request, token: str) -> list[batch.Incoming]:
    try:
        return incoming.batch_load(token=token, user=request.user)
    except incoming.BatchGone:
        raise Http404(incoming.BATCH_GONE)


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
    status = 200
    if request.method == "POST" and form.is_valid():
        try:  # each upload is streamed to disk (a zip's members too), never the whole pile in memory
            token = incoming.batch_create(user=request.user, uploads=form.cleaned_data["files"])
        except ValidationError as exc:  # the hourly allowance
            form.add_error(None, messages_of(exc))
            status = 429
        except OSError:
            log.exception("cannot store an upload batch under %s", settings.MEDIA_ROOT)
            form.add_error(None, incoming.STORAGE_FAILED)
            status = 503
        else:
            return HttpResponseRedirect(reverse("admin:reports_report_import_preview", args=[token]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "导入年报",
        "form": form,
        "max_mb": settings.NIANBAO_MAX_UPLOAD_BYTES // 1048576,
        "request_mb": settings.NIANBAO_UPLOAD_MAX_REQUEST_BYTES // 1048576,
    }
    return TemplateResponse(request, "admin/reports/report/import_upload.html", context, status=status)


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
        year = int_param(request.POST.get(f"year_{n}"), lo=2008, hi=2100)
        agency_id = int_param(choice)
        agency = visible.filter(pk=agency_id).first() if agency_id is not None else None
        create = request.POST.get(f"new_name_{n}", "").strip()[:200] if choice == "new" else ""
        kind = request.POST.get(f"new_kind_{n}", Agency.Kind.OTHER)
        try:
            p = batch.preview(item, user=request.user, agency=agency, year=year)
            if p.action == "skip":
                messages.info(request, f"文件“{item.name}”：相同文件已导入，跳过。")
                continue
            result = batch.import_preview(p, user=request.user, create_agency=create, agency_kind=kind)
        except (ValidationError, PermissionDenied) as exc:
            failed += 1
            messages.error(request, f"文件“{item.name}”：{messages_of(exc)}（该文件未导入）")
            continue
        except IntegrityError:  # e.g. a colleague imported the same file at the same moment
            failed += 1
            log.warning("import of %s hit a concurrent write", item.name, exc_info=True)
            messages.error(request, f"文件“{item.name}”：与同时进行的其他导入冲突，请重新导入此文件（该文件未导入）")
            continue
        except DatabaseError:  # the connection dropped, the database restarted …: this file is not imported
            failed += 1
            log.exception("import of %s failed on the database", item.name)
            messages.error(request, f"文件“{item.name}”：{DATABASE_FAILED}（该文件未导入）")
            reconnect_if_broken()
            continue
        except OSError:  # MEDIA_ROOT not writable, disk full, the batch's file gone
            failed += 1
            log.exception("import of %s could not store or read its file", item.name)
            messages.error(request, f"文件“{item.name}”：{incoming.STORAGE_FAILED}")
            continue
        done += 1
        level = messages.WARNING if result.kept or result.kept_blank else messages.SUCCESS
        messages.add_message(request, level, f"文件“{item.name}”：{result.message}")
        if warning := p.other_agency_warning(result.report.agency):
            messages.warning(request, f"文件“{item.name}”：{warning}")
    incoming.batch_delete(token)
    messages.info(request, f"导入完成：成功 {done} 个，失败 {failed} 个。")
    return HttpResponseRedirect(reverse("admin:reports_report_changelist"))


DATABASE_FAILED = "数据库连接中断，未能导入；请稍后重新上传此文件"
