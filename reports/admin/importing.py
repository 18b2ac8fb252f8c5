"""The 导入年报 pages: upload a pile, preview every file, confirm; and the re-import comparison page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from agencies.models import Agency
from config.celery import ensure_embedded_worker
from reports import canonical, layout
from reports.access import agencies_actable_by
from reports.admin.workflow import int_param, messages_of
from reports.forms import UploadForm
from reports.models import Job, JobItem
from reports.services import batch, incoming, jobs

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
        else:  # the files are read by background workers; the progress page follows them
            jobs.import_job_for(token=token, user=request.user)
            return HttpResponseRedirect(reverse("admin:reports_report_import_preview", args=[token]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "导入年报",
        "form": form,
        "max_mb": settings.NIANBAO_MAX_UPLOAD_BYTES // 1048576,
        "request_mb": settings.NIANBAO_UPLOAD_MAX_REQUEST_BYTES // 1048576,
        "recent": jobs.user_import_jobs(request.user),
    }
    return TemplateResponse(request, "admin/reports/report/import_upload.html", context, status=status)


def preview_view(model_admin, request, token):
    """One upload batch, whatever its stage: files being read (progress), the preview to confirm, the import
    running (progress), then its result. Every stage is in the database, so the page can be reloaded or left and
    come back to."""
    if not request.user.has_perm("reports.import_report"):
        raise PermissionDenied
    try:
        job = jobs.import_job_for(token=token, user=request.user)
    except incoming.BatchGone:
        raise Http404(incoming.BATCH_GONE)
    if job.phase == Job.Phase.EXPIRED:
        raise Http404(incoming.BATCH_GONE)
    here = reverse("admin:reports_report_import_preview", args=[token])
    if request.method == "POST" and request.POST.get("nb_retry_read"):
        count = jobs.import_read_retry(job)
        if count:
            messages.info(request, f"已重新读取 {count} 个文件。")
        return HttpResponseRedirect(here)
    if job.phase == Job.Phase.DONE:
        return _finished(model_admin, request, job)
    if job.phase in (Job.Phase.READING, Job.Phase.IMPORTING):
        ensure_embedded_worker()  # `make run` after a restart: its worker thread picks the job up again
        return _progress(model_admin, request, job)
    items = _load(request, token)
    readings = jobs.import_readings(job, items)
    if request.method == "POST":
        return _confirm(request, job, items, here)
    previews = [
        batch.preview(item, user=request.user, parsed=parsed, error=error)
        for item, (parsed, error) in zip(items, readings, strict=True)
    ]
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
        # files whose reading failed for the server's reasons (not the document's) can be read again
        "retryable": job.items.filter(state=JobItem.State.FAILED, error__in=jobs.RETRYABLE).count(),
        "job": job,
    }
    return TemplateResponse(request, "admin/reports/report/import_preview.html", context)


def _progress(model_admin, request, job):
    progress = jobs.import_progress(job)
    importing = job.phase == Job.Phase.IMPORTING
    rows = list(job.items.all())
    if importing:
        rows = [r for r in rows if r.outcome != JobItem.Outcome.UNTICKED]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "正在导入" if importing else "正在读取文件",
        "job": job,
        "importing": importing,
        "progress": progress,
        "rows": rows,
        "running": True,
    }
    return TemplateResponse(request, "admin/reports/report/import_progress.html", context)


def _finished(model_admin, request, job):
    """The first look at a finished import hands its messages over (as the import used to say them) and goes on
    to the retry list or the reports; a later look shows what each file did."""
    said, retry = jobs.import_job_summary(job)
    if Job.objects.filter(pk=job.pk, reported=False).update(reported=True):
        for level, text in said:
            messages.add_message(request, level, text)
        if retry:
            return HttpResponseRedirect(reverse("admin:reports_report_import_preview", args=[retry]))
        return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "导入结果",
        "job": job,
        "importing": True,
        "progress": jobs.import_progress(job),
        "rows": [r for r in job.items.all() if r.outcome != JobItem.Outcome.UNTICKED],
        "summary": said[-2:] if retry else said[-1:],
        "retry": retry,
        "running": False,
    }
    return TemplateResponse(request, "admin/reports/report/import_progress.html", context)


UNRESOLVED = "以下文件尚未确定机关，未导入任何文件：{files}。请为每个文件选择机关（或明确选择“新建机关…”并填写名称），或取消勾选。"


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
        kind = request.POST.get(f"new_kind_{n}", Agency.Kind.OTHER)
        chosen[n] = {
            "agency": agency.pk if agency is not None else None,
            "create": create,
            "kind": kind if kind in Agency.Kind.values else Agency.Kind.OTHER,
            "year": int_param(request.POST.get(f"year_{n}"), lo=2008, hi=2100),
        }
    return chosen, unresolved


def _confirm(request, job, items, here):
    """Queue the import of the ticked files — only once every one of them has its agency settled; the job then
    imports them (each whole or not at all) while the progress page follows it."""
    chosen, unresolved = _choices(request, items)
    if unresolved:
        messages.error(request, UNRESOLVED.format(files="、".join(f"“{name}”" for name in unresolved)))
        return HttpResponseRedirect(here)
    jobs.import_job_confirm(job, chosen)
    return HttpResponseRedirect(here)
