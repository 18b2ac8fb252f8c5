"""Report pages beyond the change form: workflow steps, bulk actions, cell comments, the re-import comparison,
the timeline and source downloads. Views are thin: they check access and call services."""

from __future__ import annotations

import io
import logging
import zipfile
from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme, urlencode

from reports import canonical, services
from reports.history import report_timeline, timeline_csv
from reports.models import CellComment, Report, SourceDocument
from reports.notice import agency_notice, notice_docx, review_notice

log = logging.getLogger(__name__)


def post_only(view):
    """require_POST for views that take the ModelAdmin first."""

    @wraps(view)
    def wrapped(model_admin, request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(model_admin, request, *args, **kwargs)

    return wrapped


def _change_url(report, anchor="", request=None):
    """The report page; back in the review queue it was opened from, when the request carries one."""
    query = ""
    if request is not None and (filters := request.GET.get("_changelist_filters")) is not None:
        query = "?" + urlencode({"_changelist_filters": filters})
    return reverse("admin:reports_report_change", args=[report.pk]) + query + anchor


def _report(model_admin, request, report_id) -> Report:
    # get_queryset applies the access rules: a 填报员 gets a 404 for another agency's report.
    return get_object_or_404(model_admin.get_queryset(request), pk=report_id)


def messages_of(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def int_param(value, *, lo: int = 1, hi: int = 2**63 - 1) -> int | None:
    """A positive integer from a form or query parameter, or None (never a ValueError, never out of range)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if lo <= number <= hi else None


@post_only
def transition_view(model_admin, request, report_id):
    report = _report(model_admin, request, report_id)
    action = request.POST.get("nb_action", "")
    try:
        services.report_transition(
            report=report,
            action=action,
            user=request.user,
            reason=request.POST.get("nb_reason", ""),
            override=request.POST.get("nb_override") == "on",
            override_unconfirmed=request.POST.get("nb_override_unconfirmed") == "on",
            base_version=int_param(request.POST.get("nb_version")),
        )
    except (ValidationError, PermissionDenied) as exc:
        model_admin.message_user(request, messages_of(exc), messages.ERROR)
    else:
        label = services.TRANSITIONS[action].label
        model_admin.message_user(request, f"已{label}：{report}", messages.SUCCESS)
        then = request.GET.get("nb_then", "")
        if then and url_has_allowed_host_and_scheme(then, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(then)  # "通过并打开下一份"
    return HttpResponseRedirect(_change_url(report, request=request))


@post_only
def confirm_view(model_admin, request, report_id):
    """待人工确认: a person confirms the chosen cells hold what the document says (services.cells_confirm)."""
    report = _report(model_admin, request, report_id)
    keys = request.POST.getlist("nb_confirm_key")
    try:
        done = services.cells_confirm(
            report=report,
            keys=keys,
            user=request.user,
            comment=request.POST.get("nb_confirm_comment", ""),
            base_version=int_param(request.POST.get("nb_version")),
        )
    except (ValidationError, PermissionDenied) as exc:
        model_admin.message_user(request, messages_of(exc), messages.ERROR)
    else:
        model_admin.message_user(request, f"已确认 {len(done)} 个单元格。", messages.SUCCESS)
    return HttpResponseRedirect(_change_url(report, "#nb-unconfirmed", request))


@post_only
def comment_add_view(model_admin, request, report_id):
    report = _report(model_admin, request, report_id)
    if not request.user.has_perm("reports.add_cellcomment"):
        raise PermissionDenied
    key = request.POST.get("nb_comment_key", "")
    try:
        services.cell_comment_add(
            report=report, key=key, text=request.POST.get("nb_comment_text", ""), user=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        model_admin.message_user(request, messages_of(exc), messages.ERROR)
        return HttpResponseRedirect(_change_url(report, "#nb-comments", request))
    model_admin.message_user(request, f"已添加批注：{canonical.short_label(key)}", messages.SUCCESS)
    return HttpResponseRedirect(_change_url(report, f"#cell-{key}", request))


@post_only
def comment_resolve_view(model_admin, request, report_id):
    report = _report(model_admin, request, report_id)
    comment_id = int_param(request.POST.get("nb_comment_id"))
    if comment_id is None:
        raise Http404("批注不存在。")
    comment = get_object_or_404(CellComment, report=report, pk=comment_id)
    if not request.user.has_perm("reports.change_cellcomment"):
        raise PermissionDenied
    services.cell_comment_resolve(comment=comment, user=request.user)
    model_admin.message_user(request, "批注已标记为已解决。", messages.SUCCESS)
    return HttpResponseRedirect(_change_url(report, "#nb-comments", request))


def diff_view(model_admin, request, report_id):
    report = _report(model_admin, request, report_id)
    if request.method == "POST":
        if not model_admin.has_change_permission(request, report):
            raise PermissionDenied
        source, rows = services.report_source_diff(report)
        keys = [r.key for r in rows] if "take_all" in request.POST else request.POST.getlist("take")
        try:
            changed = services.report_take_source_values(
                report=report,
                keys=keys,
                user=request.user,
                base_version=int_param(request.POST.get("nb_version")),
                source_id=int_param(request.POST.get("nb_source")),
            )
        except (ValidationError, PermissionDenied) as exc:
            model_admin.message_user(request, messages_of(exc), messages.ERROR)
        else:
            model_admin.message_user(request, f"已采用新文件的 {len(changed)} 个读数。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reports_report_diff", args=[report.pk]))
    source, rows = services.report_source_diff(report)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Report._meta,
        "original": report,
        "title": f"来源文件对比：{report}",
        "source": source,
        "rows": rows,
        "can_change": model_admin.has_change_permission(request, report) and not report.is_locked,
    }
    return TemplateResponse(request, "admin/reports/report/diff.html", context)


def timeline_view(model_admin, request, report_id):
    report = _report(model_admin, request, report_id)
    if request.GET.get("format") == "csv":
        response = HttpResponse(timeline_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="timeline-{report.pk}.csv"'
        return response
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Report._meta,
        "original": report,
        "title": f"修改记录：{report}",
        "entries": report_timeline(report),
    }
    return TemplateResponse(request, "admin/reports/report/timeline.html", context)


def notice_view(model_admin, request, report_id):
    report = _report(model_admin, request, report_id)
    text = review_notice(report)
    if request.GET.get("format") == "txt":
        response = HttpResponse(text.encode("utf-8-sig"), content_type="text/plain; charset=utf-8")
        filename = f"审核意见-{report.agency.name}-{report.year}.txt"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Report._meta,
        "original": report,
        "title": f"审核意见：{report}",
        "notice": text,
    }
    return TemplateResponse(request, "admin/reports/report/notice.html", context)


SOURCE_MISSING = "来源文件“{name}”不在服务器上（可能被移动或删除），请联系管理员从备份恢复。"


def source_download_view(model_admin, request, report_id, source_id):
    report = _report(model_admin, request, report_id)
    source = get_object_or_404(SourceDocument, report=report, pk=source_id)
    try:
        handle = source.file.open("rb")
    except OSError:
        log.error("source file %s of report %s is missing from storage", source.file.name, report.pk)
        raise Http404(SOURCE_MISSING.format(name=source.original_name))
    return FileResponse(handle, as_attachment=True, filename=source.original_name)


# --- bulk actions on the changelist -----------------------------------------------------------------------------


def _bulk(model_admin, request, queryset, action, **kwargs):
    done, refused = 0, []
    for report in queryset.select_related("agency"):
        try:
            services.report_transition(report=report, action=action, user=request.user, **kwargs)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            refused.append(f"{report}：{messages_of(exc)}")
    label = services.TRANSITIONS[action].label
    if done:
        model_admin.message_user(request, f"已{label} {done} 份报告。", messages.SUCCESS)
    for line in refused[:20]:
        model_admin.message_user(request, line, messages.WARNING)
    if len(refused) > 20:
        model_admin.message_user(request, f"另有 {len(refused) - 20} 份未处理。", messages.WARNING)


@admin.action(description="开始审核所选报告", permissions=["review"])
def start_review(model_admin, request, queryset):
    _bulk(model_admin, request, queryset, "start_review")


@admin.action(description="批量通过（仅无错误的报告）", permissions=["review"])
def approve_selected(model_admin, request, queryset):
    approved = queryset.filter(status=Report.Status.APPROVED).count()
    if approved:
        model_admin.message_user(request, f"{approved} 份报告已是“已通过”，未作改动。", messages.INFO)
    queryset = queryset.exclude(status=Report.Status.APPROVED)
    with_errors = queryset.filter(error_count__gt=0)
    for report in with_errors.select_related("agency")[:20]:
        model_admin.message_user(
            request, f"{report}：有 {report.error_count} 个错误，未批量通过，请逐份审核。", messages.WARNING
        )
    unconfirmed = queryset.filter(error_count=0, unconfirmed_count__gt=0)
    for report in unconfirmed.select_related("agency")[:20]:
        model_admin.message_user(
            request,
            f"{report}：待人工确认 {report.unconfirmed_count} 格（未能读出或由勾稽关系推算），未批量通过，请逐份核对。",
            messages.WARNING,
        )
    # the service refuses them too (its count is recomputed under the lock): this only spares the messages
    _bulk(model_admin, request, queryset.filter(error_count=0, unconfirmed_count=0), "approve")


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 4, "cols": 70}))


@admin.action(description="退回所选报告（需填写原因）", permissions=["review"])
def return_selected(model_admin, request, queryset):
    form = ReturnForm(request.POST if "nb_return_confirm" in request.POST else None)
    if form.is_valid():
        _bulk(model_admin, request, queryset, "return", reason=form.cleaned_data["reason"])
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Report._meta,
        "title": "退回报告",
        "reports": queryset.select_related("agency"),
        "form": form,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/reports/report/return_selected.html", context)


@admin.action(description="审核意见 / 退回通知（每个机关一份，可下载 Word）", permissions=["view"])
def notices_selected(model_admin, request, queryset):
    """The 审核意见 of many reports at once — e.g. every returned report: one text per agency to copy, or a Word
    退回通知 per agency (a zip of them)."""
    reports = list(
        queryset.select_related("agency").order_by("agency__name", "year").prefetch_related("issues", "cell_comments")
    )
    by_agency: dict[int, list[Report]] = {}
    for report in reports:
        by_agency.setdefault(report.agency_id, []).append(report)
    groups = list(by_agency.values())
    if request.POST.get("nb_notice_format") == "docx":
        return _notices_docx(groups)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Report._meta,
        "title": f"审核意见（{len(groups)} 个机关，{len(reports)} 份报告）",
        "notices": [(group[0].agency, group, agency_notice(group)) for group in groups],
        "reports": reports,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/reports/report/notices.html", context)


def _notices_docx(groups: list[list[Report]]) -> HttpResponse:
    today = timezone.localdate()
    if len(groups) == 1:
        group = groups[0]
        response = HttpResponse(notice_docx(group, today=today), content_type=DOCX)
        response["Content-Disposition"] = content_disposition_header(True, _notice_name(group))
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for group in groups:
            archive.writestr(_notice_name(group), notice_docx(group, today=today))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"审核意见-{today:%Y%m%d}.zip")
    return response


def _notice_name(group: list[Report]) -> str:
    years = "、".join(str(r.year) for r in group)
    return f"审核意见-{group[0].agency.name}-{years}.docx"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
