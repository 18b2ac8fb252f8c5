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
from reports.access import agencies_actable_by
from reports.admin.workflow import int_param, messages_of
from reports.dbhealth import reconnect_if_broken
from reports.forms import UploadForm
from reports.services import batch, incoming

log = logging.getLogger(__name__)


def _retry_reasons(token: str) -> list[str]:
    try:
        return incoming.batch_reasons(token)
    except incoming.BatchGone:
        return []


def agency_choices(user) -> list[dict]:
    """The agencies a user may import for, each with what the picker searches: full name, short name, aliases
    and their pinyin (full and initials, so "etx" finds 二塘乡)."""
    from pypinyin import Style, lazy_pinyin

    out = []
    queryset = agencies_actable_by(user).filter(is_active=True).prefetch_related("aliases").order_by("name")
    for agency in queryset:
        names = agency.all_names()
        spelled = [
            "".join(lazy_pinyin(n, style=style, errors="ignore"))
            for n in names
            for style in (Style.FIRST_LETTER, Style.NORMAL)
        ]
        out.append({"pk": agency.pk, "name": agency.name, "search": " ".join(names + spelled).lower()})
    return out


def _load(request, token: str) -> list[batch.Incoming]:
    try:
        return incoming.batch_load(token=token, user=request.user)
    except incoming.BatchGone:
        raise Http404(incoming.BATCH_GONE)


def _grid(parsed, issues=()) -> dict:
    """The three tables of a reading, laid out for the preview template, each cell with its reading state and the
    errors the rules find on it (a defect read as printed shows on its cells: the reviewer returns the report)."""
    errors: dict[str, list[str]] = {}
    for issue in issues:
        if issue.severity == "error":
            for key in issue.keys:
                errors.setdefault(key, []).append(f"{issue.rule} {issue.message}")

    def cell(key):
        src = parsed.provenance.get(key)
        state = "missing" if src and src.missing else "inferred" if src and src.inferred else ""
        if key in errors:
            state = (state + " nb-error").strip()
        return {"value": parsed.values.get(key), "state": state, "key": key, "title": "；".join(errors.get(key, ()))}

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
    agencies = agency_choices(request.user)
    reasons = _retry_reasons(token)
    names = [(p.parsed.agency or "").strip() if p.parsed else "" for p in previews]
    rows = []
    for n, p in enumerate(previews):
        provenance = p.parsed.provenance if p.parsed else {}
        rows.append(
            {
                "n": n,
                "p": p,
                "failed_before": reasons[n] if n < len(reasons) else "",
                "same_name": sum(1 for name in names if name and name == names[n]),
                "importable": p.action in ("create", "update", "needs_agency"),
                "grid": _grid(p.parsed, p.issues) if p.parsed else None,
                "errors": [i for i in p.issues if i.severity == "error"],
                "warnings": [i for i in p.issues if i.severity == "warning"],
                "infos": [i for i in p.issues if i.severity == "info"],
                "missing": [k for k, src in provenance.items() if src.missing],
                "inferred": [k for k, src in provenance.items() if src.inferred],
                # cells no one has read: unread, or filled by arithmetic — a person must type or confirm each
                "unconfirmed": sum(1 for src in provenance.values() if src.missing or src.inferred),
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


UNRESOLVED = "以下文件尚未确定机关，未导入任何文件：{files}。请为每个文件选择机关（或明确选择“新建机关…”并填写名称），或取消勾选。"
NOT_TICKED = {
    "skip": "相同文件已导入，跳过",
    "locked": "报告已通过并锁定，未导入（如需更新，请先重新打开报告）",
    "handed_in": "报告已提交审核，填报员不能再导入新版本",
    "failed": "无法导入",
}


def _choices(request, items):
    """Each ticked file's agency choice, or the names of ticked files whose agency is still unresolved."""
    visible = agencies_actable_by(request.user)
    chosen, unresolved = {}, []
    for n, item in enumerate(items):
        if request.POST.get(f"include_{n}") != "on":
            continue
        choice = request.POST.get(f"agency_{n}", "")
        create = request.POST.get(f"new_name_{n}", "").strip()[:200] if choice == "new" else ""
        agency_id = int_param(choice)
        agency = visible.filter(pk=agency_id).first() if agency_id is not None else None
        if agency is None and not create:
            unresolved.append(item.name)
        chosen[n] = (agency, create)
    return chosen, unresolved


def _confirm(model_admin, request, token, items):
    """Import the ticked files — only once every one of them has its agency settled; files that fail stay in a
    retry list (a new preview of just those, each with its reason)."""
    chosen, unresolved = _choices(request, items)
    if unresolved:
        messages.error(request, UNRESOLVED.format(files="、".join(f"“{name}”" for name in unresolved)))
        return HttpResponseRedirect(reverse("admin:reports_report_import_preview", args=[token]))
    done = skipped = unreadable = 0
    retry: list[tuple[batch.Incoming, str]] = []
    for n, item in enumerate(items):
        if n not in chosen:
            p = batch.preview(item, user=request.user)
            why = NOT_TICKED.get(p.action, "未勾选，未导入")
            if p.action == "failed":  # a file that cannot be read: reported, not retried as it is
                why = f"{why}：{p.error.rstrip('。')}" if p.error else why
                unreadable += 1
            else:
                skipped += 1
            messages.info(request, f"文件“{item.name}”：{why}。")
            continue
        agency, create = chosen[n]
        year = int_param(request.POST.get(f"year_{n}"), lo=2008, hi=2100)
        kind = request.POST.get(f"new_kind_{n}", Agency.Kind.OTHER)
        try:
            p = batch.preview(item, user=request.user, agency=agency, year=year)
            if p.action == "skip":
                skipped += 1
                messages.info(request, f"文件“{item.name}”：相同文件已导入，跳过（报告未改变）。")
                continue
            result = batch.import_preview(p, user=request.user, create_agency=create, agency_kind=kind)
        except (ValidationError, PermissionDenied) as exc:
            retry.append((item, messages_of(exc)))
            messages.error(request, f"文件“{item.name}”：{messages_of(exc)}（该文件未导入）")
            continue
        except IntegrityError:  # e.g. a colleague imported the same agency and year at the same moment
            log.warning("import of %s hit a concurrent write", item.name, exc_info=True)
            why = "与同时进行的其他导入冲突，请重新导入此文件"
            retry.append((item, why))
            messages.error(request, f"文件“{item.name}”：{why}（该文件未导入）")
            continue
        except DatabaseError:  # the connection dropped, the database restarted …: this file is not imported
            log.exception("import of %s failed on the database", item.name)
            retry.append((item, DATABASE_FAILED))
            messages.error(request, f"文件“{item.name}”：{DATABASE_FAILED}（该文件未导入）")
            reconnect_if_broken()
            continue
        except OSError:  # MEDIA_ROOT not writable, disk full, the batch's file gone
            log.exception("import of %s could not store or read its file", item.name)
            retry.append((item, incoming.STORAGE_FAILED))
            messages.error(request, f"文件“{item.name}”：{incoming.STORAGE_FAILED}")
            continue
        done += 1
        level = messages.WARNING if result.kept or result.kept_blank else messages.SUCCESS
        messages.add_message(request, level, f"文件“{item.name}”：{result.message}")
        if warning := p.other_agency_warning(result.report.agency):
            messages.warning(request, f"文件“{item.name}”：{warning}")
    again = None
    if retry:  # copied into a new batch before this one goes
        try:
            again = incoming.batch_retry(user=request.user, items=[i for i, _ in retry], reasons=[w for _, w in retry])
        except OSError:
            log.exception("cannot keep the retry list of an import")
    incoming.batch_delete(token)
    messages.info(request, f"导入完成：成功 {done} 个，跳过 {skipped} 个，失败 {len(retry) + unreadable} 个。")
    if again:
        messages.warning(request, f"{len(retry)} 个文件未能导入，已列入下方重试清单（每个文件注明了原因）。")
        return HttpResponseRedirect(reverse("admin:reports_report_import_preview", args=[again]))
    return HttpResponseRedirect(reverse("admin:reports_report_changelist"))


DATABASE_FAILED = "数据库连接中断，未能导入；请稍后重新上传此文件"
