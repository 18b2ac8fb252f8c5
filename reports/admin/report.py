from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from reports import canonical, services
from reports.access import HANDED_IN, agencies_visible_to, may_edit_content, reports_visible_to
from reports.admin import crops, importing, workflow
from reports.admin.exports import ReportExportsMixin
from reports.admin.filters import IssueStateFilter
from reports.admin.inlines import DisclosureInline, OutcomeInline, ReviewLitigationInline
from reports.admin.scoped_history import ScopedHistoryAdmin
from reports.models import Report
from reports.models.report import REPORT_LOCKED
from reports.selectors import report_edit_digest, report_values

_CREATE_FIELDS = {
    "agency", "year", "template_version", "title", "published_on", "preamble", "overview", "problems",
    "other_matters",
}  # fmt: skip
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def cell_provenance(report) -> tuple[dict[str, str], dict[str, str]]:
    """Per cell, a CSS state (inferred / missing / corrected) and a tooltip saying where its value came from."""
    source = report.sources.order_by("-version").first()
    if source is None:
        return {}, {}
    parsed = services.parsed_values_of(source) or {}
    provenance = (source.parsed or {}).get("provenance", {})
    current = report_values(report)
    state, title = {}, {}
    for key in canonical.ALL_KEYS:
        src = provenance.get(key, {})
        if not services.values_equal(current[key], parsed.get(key)):
            read = "空" if parsed.get(key) is None else parsed.get(key)
            state[key], title[key] = "nb-corrected", f"人工修改；来源文件第 {source.version} 版读数：{read}"
            continue
        where = src.get("location") or ""
        if src.get("missing"):
            state[key], title[key] = "nb-missing", f"未能从来源文件读出，请对照原文录入（{source.original_name}）"
        elif src.get("inferred"):
            state[key], title[key] = "nb-inferred", f"原文缺此格，由勾稽关系推算为 {parsed.get(key)}；{where}"
        elif src.get("blank"):
            title[key] = f"原文为空白；{where}"
        else:
            title[key] = f"原文“{src.get('raw', '')}”；{where}"
            if src.get("label"):
                title[key] += f"；行标签“{src['label']}”"
    return state, title


TEXT_FIELDS = ("preamble", "overview", "problems", "other_matters")
EDITED_MEANWHILE = (
    "您打开此页面之后，这份报告已被他人修改、导入了新文件或改变了状态（例如已通过）。为避免覆盖对方的修改，"
    "本次修改未保存：请刷新页面，核对后重新录入。"
)


class ReportForm(forms.ModelForm):
    nb_change_reason = forms.CharField(
        label="修改说明",
        required=False,
        max_length=100,
        help_text="可选：说明这次修改的原因（记入修改记录），例如“按电话核实更正”。",
        widget=forms.TextInput(attrs={"size": 60}),
    )
    # Optimistic concurrency: the state the page was rendered from. The admin would otherwise write back every
    # cell of a changed row as the page showed it, silently undoing a colleague's (or an import's) change.
    nb_edit_digest = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Report
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["nb_edit_digest"] = report_edit_digest(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        # Browsers send a textarea's line breaks as CRLF and the form strips the ends: a text the reviewer did
        # not touch keeps its stored form, so saving a number never records a text change.
        for name in TEXT_FIELDS:
            if name not in cleaned:
                continue
            value = (cleaned[name] or "").replace("\r\n", "\n").replace("\r", "\n")
            stored = (getattr(self.instance, name) or "") if self.instance.pk else ""
            cleaned[name] = stored if value.strip() == stored.replace("\r\n", "\n").strip() else value
        seen = cleaned.get("nb_edit_digest")
        if self.instance.pk and seen and seen != report_edit_digest(self.instance.pk):
            raise forms.ValidationError(EDITED_MEANWHILE, code="edited_meanwhile")
        return cleaned


@admin.register(Report)
class ReportAdmin(ReportExportsMixin, ScopedHistoryAdmin):
    form = ReportForm
    list_display = ["agency", "year", "status", "issue_summary", "template_version", "published_on", "updated_at"]
    list_filter = ["year", "status", IssueStateFilter, "agency__kind", "template_version"]
    search_fields = ["agency__name", "agency__short_name", "agency__aliases__name", "title"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    inlines = [DisclosureInline, OutcomeInline, ReviewLitigationInline]
    readonly_fields = ["status", "created_by", "created_at", "updated_by", "updated_at"]
    change_form_template = "admin/reports/report/change_form.html"
    change_list_template = "admin/reports/report/change_list.html"
    actions = [workflow.start_review, workflow.approve_selected, workflow.return_selected]
    fieldsets = [
        (None, {"fields": [("agency", "year"), ("template_version", "status"), "title", "published_on"]}),
        (
            "正文",
            {
                "fields": ["preamble", "overview", "problems", "other_matters"],
                "classes": ["collapse"],
                "description": "报告的文字部分；表二、表三、表四见下方表格。",
            },
        ),
        ("记录", {"fields": [("created_by", "created_at"), ("updated_by", "updated_at")], "classes": ["collapse"]}),
        (None, {"fields": ["nb_change_reason", "nb_edit_digest"]}),
    ]

    class Media:
        css = {"all": ["nianbao/admin.css"]}
        js = ["nianbao/report_form.js", "nianbao/cell_crop.js"]

    # --- access -------------------------------------------------------------------------------------------

    def get_queryset(self, request):
        return reports_visible_to(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = agencies_visible_to(request.user).filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_review_permission(self, request):
        return request.user.has_perm("reports.review_report")

    def history_view(self, request, object_id, extra_context=None):
        # 修改记录 is the report's history: cells, texts, imports and status changes in one timeline.
        report = get_object_or_404(self.get_queryset(request), pk=object_id)
        return HttpResponseRedirect(reverse("admin:reports_report_timeline", args=[report.pk]))

    def has_change_permission(self, request, obj=None):
        # An approved report is shown read-only (no save buttons) until someone reopens it; a 填报员's report
        # once handed in, until it is returned.
        if obj is not None and (obj.is_locked or not may_edit_content(request.user, obj.status)):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            # An approved report is frozen: every field read-only until someone reopens it.
            return [f for f in flatten_fieldsets(self.fieldsets) if f not in ("nb_change_reason", "nb_edit_digest")]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return self.fieldsets[:-1]
        return self.fieldsets

    # --- changelist ---------------------------------------------------------------------------------------

    @admin.display(description="校验", ordering="error_count")
    def issue_summary(self, obj):
        if obj.validated_at is None:
            return "—"
        if not obj.error_count and not obj.warning_count:
            return mark_safe('<span class="nb-ok">✔ 通过</span>')  # noqa: S308 - a constant
        return format_html(
            '<span class="nb-err">✖ {}</span> <span class="nb-warn">⚠ {}</span>', obj.error_count, obj.warning_count
        )

    # --- change page --------------------------------------------------------------------------------------

    def get_inlines(self, request, obj):
        # The rows are created with the report; on the add page there is nothing to show yet.
        return self.inlines if obj is not None else []

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(lambda request, *a, **kw: func(self, request, *a, **kw))

        urls = [
            path("import/", view(importing.upload_view), name="reports_report_import"),
            path("import/<str:token>/", view(importing.preview_view), name="reports_report_import_preview"),
            path("<int:report_id>/transition/", view(workflow.transition_view), name="reports_report_transition"),
            path("<int:report_id>/comments/add/", view(workflow.comment_add_view), name="reports_report_comment_add"),
            path(
                "<int:report_id>/comments/resolve/",
                view(workflow.comment_resolve_view),
                name="reports_report_comment_resolve",
            ),
            path("<int:report_id>/diff/", view(workflow.diff_view), name="reports_report_diff"),
            path("<int:report_id>/timeline/", view(workflow.timeline_view), name="reports_report_timeline"),
            path(
                "<int:report_id>/sources/<int:source_id>/cells/<str:key>/crop.png",
                view(crops.cell_crop_view),
                name="reports_report_cell_crop",
            ),
            path("<int:report_id>/notice/", view(workflow.notice_view), name="reports_report_notice"),
            path(
                "<int:report_id>/sources/<int:source_id>/",
                view(workflow.source_download_view),
                name="reports_report_source",
            ),
            path(
                "<int:report_id>/issues/accept/",
                self.admin_site.admin_view(self.accept_issue_view),
                name="reports_report_accept_issue",
            ),
            path(
                "<int:report_id>/issues/unaccept/",
                self.admin_site.admin_view(self.unaccept_issue_view),
                name="reports_report_unaccept_issue",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        if request.method == "POST" and report is not None and not self.has_change_permission(request, report):
            # e.g. approved (or taken into review) while this page was open: say so, rather than a bare 403
            why = REPORT_LOCKED if report.is_locked else HANDED_IN
            self.message_user(request, f"{why}本次修改未保存。", messages.ERROR)
            return HttpResponseRedirect(request.path)
        extra_context = extra_context or {}
        if report is not None:
            extra_context.update(self._review_context(request, report))
        return super().change_view(request, object_id, form_url, extra_context)

    def _review_context(self, request, report):
        issues = list(report.issues.all())
        flagged: dict[str, str] = {}
        for issue in issues:
            if issue.accepted:
                continue
            for key in issue.keys:
                if key not in flagged or _SEVERITY_RANK[issue.severity] < _SEVERITY_RANK[flagged[key]]:
                    flagged[key] = issue.severity
        comments = list(report.cell_comments.select_related("author"))
        open_notes: dict[str, str] = {}
        for c in comments:
            if not c.resolved:
                open_notes[c.key] = (open_notes.get(c.key, "") + f"{c.author or ''}：{c.text}\n").strip()
        last_return = report.events.filter(kind="status", to_status=Report.Status.RETURNED).first()
        transitions = services.transitions_for(report, request.user)
        cell_state, cell_title = cell_provenance(report)
        keys = {k for i in issues for k in i.keys} | {c.key for c in comments}
        return {
            "nb_issues": issues,
            "nb_flagged": flagged,
            "nb_labels": {k: canonical.short_label(k) for k in keys if k in canonical.LABELS},
            "nb_comments": comments,
            "nb_notes": open_notes,
            "nb_cell_state": cell_state,
            "nb_cell_title": cell_title,
            "nb_cell_crops": crops.cell_crops(report),
            "nb_cell_choices": [(k, canonical.short_label(k)) for k in canonical.ALL_KEYS],
            "nb_transitions": transitions,
            "nb_can_approve": any(t.action == "approve" for t in transitions),
            "nb_sources": list(report.sources.select_related("uploaded_by")),
            "nb_last_return": last_return,
            "nb_can_comment": request.user.has_perm("reports.add_cellcomment"),
            "nb_can_accept": self.has_change_permission(request, report)
            and request.user.has_perm("reports.add_issueacceptance"),
        }

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("nb_change_reason", "")
        if change:
            obj.updated_by = request.user
            if reason:
                obj._change_reason = reason
            super().save_model(request, obj, form, change)
            return
        created = services.report_create(
            user=request.user, **{f: form.cleaned_data[f] for f in form.cleaned_data if f in _CREATE_FIELDS}
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("nb_change_reason", "")
        for instance in formset.save(commit=False):
            if reason:
                instance._change_reason = reason
            instance.save()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.report_validate(report=form.instance)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, "报告已创建，表二、表三、表四的各行已就绪，请录入数据。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[obj.pk]))

    # --- 已核实 marks -----------------------------------------------------------------------------------

    def _issue_target(self, request, report_id):
        report = get_object_or_404(self.get_queryset(request), pk=report_id)
        # the lock and the 已核实 permission are the services' to refuse, with their messages
        return report, request.POST.get("fingerprint", "")

    @method_decorator(require_POST)
    def accept_issue_view(self, request, report_id):
        report, fingerprint = self._issue_target(request, report_id)
        comment = request.POST.get(f"accept_comment_{fingerprint}", "")
        try:
            services.issue_accept(report=report, fingerprint=fingerprint, comment=comment, user=request.user)
        except (PermissionDenied, ValidationError, ValueError) as exc:
            self.message_user(request, workflow.messages_of(exc), messages.ERROR)
        else:
            self.message_user(request, "已标记为已核实。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]) + "#nb-issues")

    @method_decorator(require_POST)
    def unaccept_issue_view(self, request, report_id):
        report, fingerprint = self._issue_target(request, report_id)
        try:
            services.issue_unaccept(report=report, fingerprint=fingerprint, user=request.user)
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, workflow.messages_of(exc), messages.ERROR)
        else:
            self.message_user(request, "已取消核实标记。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[report.pk]) + "#nb-issues")
