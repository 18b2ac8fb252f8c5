import re
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import F
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from reports import canonical, rules, services
from reports.access import HANDED_IN, agencies_actable_by, may_edit_content, reports_visible_to
from reports.admin import crops, importing, rollup, source_panel, workflow
from reports.admin.exports import ReportExportsMixin
from reports.admin.filters import IssueStateFilter, UnconfirmedFilter
from reports.admin.inlines import DisclosureInline, OutcomeInline, ReviewLitigationInline, row_keys
from reports.admin.scoped_history import ScopedHistoryAdmin
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation, SourceDocument
from reports.models.report import REPORT_LOCKED
from reports.models.tables import DISCLOSURE_FIELDS
from reports.selectors import report_values
from reports.services.records import BAD_VERSION, EDIT_FIELDS

_CREATE_FIELDS = {
    "agency", "year", "template_version", "title", "published_on", "preamble", "overview", "problems",
    "other_matters",
}  # fmt: skip
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
CREATED_MEANWHILE = "该机关这一年度的报告刚刚已由他人创建，未重复创建：请在列表中打开那份报告。"


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


def previous_report(report, user):
    """The same agency's report of the year before, if this user may see it."""
    return reports_visible_to(user, Report.objects.filter(agency_id=report.agency_id, year=report.year - 1)).first()


def _as_json(value):
    return float(value) if isinstance(value, Decimal) else value


def side_by_side(now: str, before: str) -> dict:
    """The 五 texts of two years, sentence by sentence, each sentence marked when the other year has it too."""
    split = re.compile(r"(?<=[。；！？\n])")

    def sentences(text):
        return [s for s in split.split(text or "") if s.strip()]

    def key(s):
        return re.sub(r"\d+", "0", re.sub(r"\s+", "", s))

    a, b = sentences(now), sentences(before)
    keys_a, keys_b = {key(s) for s in a}, {key(s) for s in b}
    return {
        "now": [(s, key(s) in keys_b) for s in a],
        "before": [(s, key(s) in keys_a) for s in b],
    }


def values_from_add_formsets(formsets) -> dict:
    """The cells typed into the add page's grid: its forms stand for the template rows in order."""
    values = {}
    for formset in formsets:
        for i, f in enumerate(formset.forms):
            if not f.has_changed():
                continue
            for field, value in f.cleaned_data.items():
                if formset.model is DisclosureTable and field in DISCLOSURE_FIELDS:
                    values[DISCLOSURE_FIELDS[field]] = value
                elif formset.model is ApplicationOutcome and field in canonical.TABLE3_COLUMN_KEYS:
                    values[canonical.t3(canonical.TABLE3_ROW_KEYS[i], field)] = value
                elif formset.model is ReviewLitigation and field in canonical.TABLE4_COLUMN_KEYS:
                    values[canonical.t4(canonical.TABLE4_BLOCK_KEYS[i], field)] = value
    return values


def grid_data(report, user=None) -> dict:
    """What the report page's scripts need beside the cells: the equation rules (the server's own, as data), the
    printed subtotals and unread cells they read, the cells' names, the stored source versions and last year's
    values (对比上年)."""
    if report is None:  # the add page
        return {"rules": rules.declarative_rules_json(services.rule_config()), "printed": {}, "missing": [],
                "labels": {k: canonical.short_label(k) for k in canonical.ALL_KEYS}, "fees_key": canonical.FEES_KEY,
                "sources": [], "previous": None}  # fmt: skip
    previous = previous_report(report, user) if user is not None else None
    return {
        "previous": {
            "year": previous.year,
            "url": reverse("admin:reports_report_change", args=[previous.pk]),
            "values": {k: _as_json(v) for k, v in report_values(previous).items()},
        }
        if previous is not None
        else None,
        "rules": rules.declarative_rules_json(services.rule_config()),
        "printed": {k: v for k, v in (report.printed_subtotals or {}).items()},
        "missing": list(report.unread_keys or ()),
        "labels": {k: canonical.short_label(k) for k in canonical.ALL_KEYS},
        "fees_key": canonical.FEES_KEY,
        "sources": [
            {
                "id": s.pk,
                "version": s.version,
                "name": s.original_name,
                "format": s.format,
                "panel_url": reverse("admin:reports_report_source_panel", args=[report.pk, s.pk]),
            }
            for s in report.sources.order_by("-version").only("pk", "version", "original_name", "format")
        ],
    }


TEXT_FIELDS = ("preamble", "overview", "problems", "other_matters")
# 409 Conflict: the page is shown again with the values typed and why nothing was saved.
REFUSED_STATUS = 409


class SaveRefused(Exception):
    """A save the service refused (someone changed the same cell, the report was approved meanwhile …). Raised out
    of the admin's transaction so nothing of it is written; the page is then shown again with the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReportForm(forms.ModelForm):
    nb_change_reason = forms.CharField(
        label="修改说明",
        required=False,
        max_length=100,
        help_text="可选：说明这次修改的原因（记入修改记录），例如“按电话核实更正”。",
        widget=forms.TextInput(attrs={"size": 60}),
    )
    # Optimistic concurrency: the report version the page was read at. Every editable field (and every grid cell,
    # see inlines.py) also carries the value the page showed (Django's hidden initial), so a save writes only what
    # this person changed, and services.report_update merges it with — or refuses it over — others' changes.
    nb_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    # Set per request by ReportAdmin.get_form: the version read before the page's values; a refusal to show.
    nb_page_version: int | None = None
    nb_refusal: str | None = None

    class Meta:
        model = Report
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in EDIT_FIELDS:
            if name in self.fields:
                self.fields[name].show_hidden_initial = True
        if self.instance.pk:
            self.fields["nb_version"].required = True
            self.fields["nb_version"].error_messages["required"] = BAD_VERSION
            if not self.is_bound:
                self.initial["nb_version"] = self.nb_page_version or self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.nb_refusal:
            raise forms.ValidationError(self.nb_refusal, code="refused")
        # Browsers send a textarea's line breaks as CRLF and the form strips the ends: a text the reviewer did
        # not touch keeps its stored form, so saving a number never records a text change.
        for name in TEXT_FIELDS:
            if name not in cleaned:
                continue
            value = (cleaned[name] or "").replace("\r\n", "\n").replace("\r", "\n")
            stored = (getattr(self.instance, name) or "") if self.instance.pk else ""
            cleaned[name] = stored if value.strip() == stored.replace("\r\n", "\n").strip() else value
        return cleaned

    def edited_fields(self) -> dict:
        """The report fields this person changed on the page (against what the page showed them)."""
        edits = {}
        for name in self.changed_data:
            if name not in EDIT_FIELDS or name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if name in TEXT_FIELDS:
                shown = (
                    self[name]
                    .field.hidden_widget()
                    .value_from_datadict(self.data, self.files, self.add_initial_prefix(name))
                )
                if _text(shown).strip() == _text(value).strip():
                    continue
            edits[name] = value
        return edits


def _text(value) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


@admin.register(Report)
class ReportAdmin(ReportExportsMixin, ScopedHistoryAdmin):
    form = ReportForm
    list_display = [
        "agency_column", "year", "status", "issue_summary", "unconfirmed_column", "template_version", "published_on",
        "updated_at",
    ]  # fmt: skip
    ordering = ["-year", "agency__name_pinyin"]
    list_filter = ["year", "status", IssueStateFilter, UnconfirmedFilter, "agency__kind", "template_version"]
    search_fields = ["agency__name", "agency__short_name", "agency__aliases__name", "title"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    inlines = [DisclosureInline, OutcomeInline, ReviewLitigationInline]
    readonly_fields = ["status", "created_by", "created_at", "updated_by", "updated_at"]
    change_form_template = "admin/reports/report/change_form.html"
    change_list_template = "admin/reports/report/change_list.html"
    actions = [workflow.start_review, workflow.approve_selected, workflow.return_selected, workflow.notices_selected]
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
        (None, {"fields": ["nb_change_reason", "nb_version"]}),
    ]

    class Media:
        css = {"all": ["nianbao/admin.css"]}
        js = [
            "nianbao/report_form.js",
            "nianbao/rules.js",
            "nianbao/grid.js",
            "nianbao/source_panel.js",
            "nianbao/review_keys.js",
            "nianbao/compare.js",
            "nianbao/cell_crop.js",
        ]

    # --- access -------------------------------------------------------------------------------------------

    def get_queryset(self, request):
        return reports_visible_to(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = agencies_actable_by(request.user).filter(is_active=True)
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
        if obj is not None and (obj.is_locked or not may_edit_content(request.user, obj.status, obj.agency_id)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # An approved report is never deleted (reopen it first); otherwise the 管理员's delete_report permission.
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # Source documents cannot be deleted on their own (they are evidence), but they go with their report.
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(str(SourceDocument._meta.verbose_name))
        return to_delete, counts, perms_needed, protected

    def delete_model(self, request, obj):
        services.report_delete(report=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        approved = queryset.filter(status=Report.Status.APPROVED)
        for report in approved.select_related("agency"):
            self.message_user(request, f"{report}：{REPORT_LOCKED}未删除。", messages.WARNING)
        for report in queryset.exclude(status=Report.Status.APPROVED).select_related("agency"):
            services.report_delete(report=report, user=request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            # An approved report is frozen: every field read-only until someone reopens it.
            return [f for f in flatten_fieldsets(self.fieldsets) if f not in ("nb_change_reason", "nb_version")]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return self.fieldsets[:-1]
        return self.fieldsets

    # --- changelist ---------------------------------------------------------------------------------------

    @admin.display(description="机关", ordering="agency__name_pinyin")
    def agency_column(self, obj):
        return obj.agency

    def action_checkbox(self, obj):
        """The row's selection box, written out directly: the same HTML as Django's (a CheckboxInput rendered
        through the form renderer's templates), which cost about a third of the changelist's rendering."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    # errors first, then warnings: a report with 0 errors and 5 warnings sorts after one with 1 error
    @admin.display(description="校验", ordering=F("error_count") * 100_000 + F("warning_count"))
    def issue_summary(self, obj):
        if obj.validated_at is None:
            return "—"
        if not obj.error_count and not obj.warning_count:
            return mark_safe('<span class="nb-ok">✔ 通过</span>')  # noqa: S308 - a constant
        parts = []
        if obj.error_count:
            parts.append(format_html('<span class="nb-err">✖ {}</span>', obj.error_count))
        if obj.warning_count:
            parts.append(format_html('<span class="nb-warn">⚠ {}</span>', obj.warning_count))
        return format_html_join(" ", "{}", ((p,) for p in parts))

    @admin.display(description="待人工确认", ordering="unconfirmed_count")
    def unconfirmed_column(self, obj):
        if not obj.unconfirmed_count:
            return "—"
        return format_html(
            '<span class="nb-unconfirmed-count" title="未能读出或由勾稽关系推算、尚无人录入或确认的单元格">{} 格</span>',
            obj.unconfirmed_count,
        )

    # --- change page --------------------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        # The add page shows the three tables too: a report typed in by hand is typed in one go.
        extra_context = {**(extra_context or {}), "nb_grid_data": grid_data(None)}
        return super().add_view(request, form_url, extra_context)

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(lambda request, *a, **kw: func(self, request, *a, **kw))

        urls = [
            path("rollup/", view(rollup.rollup_view), name="reports_report_rollup"),
            path("rollup.xlsx", view(rollup.rollup_workbook_view), name="reports_report_rollup_workbook"),
            path("import/", view(importing.upload_view), name="reports_report_import"),
            path("import/<str:token>/", view(importing.preview_view), name="reports_report_import_preview"),
            path("<int:report_id>/transition/", view(workflow.transition_view), name="reports_report_transition"),
            path("<int:report_id>/confirm/", view(workflow.confirm_view), name="reports_report_confirm"),
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
                "<int:report_id>/sources/<int:source_id>/panel/",
                view(source_panel.panel_view),
                name="reports_report_source_panel",
            ),
            path(
                "<int:report_id>/sources/<int:source_id>/page/<int:page>.png",
                view(source_panel.page_view),
                name="reports_report_source_page",
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
        if request.method == "GET" and str(object_id).isdigit():
            # The version is read before the page's values: a change landing in between makes the page's version
            # older than its values (a save may then be refused needlessly), never newer (which could lose it).
            request.nb_page_version = Report.objects.filter(pk=object_id).values_list("version", flat=True).first()
        report = self.get_object(request, object_id)
        if request.method == "POST" and report is not None and not self.has_change_permission(request, report):
            # e.g. approved (or taken into review) while this page was open: say so, rather than a bare 403
            why = REPORT_LOCKED if report.is_locked else HANDED_IN
            return self._refused_read_only(request, f"{why}本次修改未保存。")
        extra_context = extra_context or {}
        if report is not None:
            extra_context.update(self._review_context(request, report))
            extra_context["nb_queue"] = self._queue(request, report)
        return super().change_view(request, object_id, form_url, extra_context)

    def _queue(self, request, report) -> dict | None:
        """Where this report stands in the changelist it was opened from (its filters, search and order), with
        the previous and next report: the reviewer walks a filtered list with 上一份 / 下一份."""
        filters = request.GET.get("_changelist_filters", "")  # none: the whole changelist, in its order
        # The list as it was when the walk began: a report taken into review or approved on the way stays in
        # its place even when it no longer matches the filter (e.g. 状态=已提交).
        saved = request.session.get("nb_queue") or {}
        ids = saved.get("ids") if saved.get("filters") == filters else None
        if not ids or report.pk not in ids:
            original_get = request.GET
            try:
                request.GET = QueryDict(filters)
                ids = list(self.get_changelist_instance(request).queryset.values_list("pk", flat=True))
            except (IncorrectLookupParameters, ValueError):
                return None
            finally:
                request.GET = original_get
            if report.pk not in ids:
                return None
            request.session["nb_queue"] = {"filters": filters, "ids": ids}
        at = ids.index(report.pk)
        query = "?" + urlencode({"_changelist_filters": filters})

        def url(pk):
            return reverse("admin:reports_report_change", args=[pk]) + query

        following = url(ids[at + 1]) if at + 1 < len(ids) else ""
        return {
            "position": at + 1,
            "total": len(ids),
            "previous": url(ids[at - 1]) if at > 0 else "",
            "next": following,
            "query": query,
            "then_next": query + "&" + urlencode({"nb_then": following}) if following else "",
            "changelist": reverse("admin:reports_report_changelist") + "?" + filters,
        }

    def _review_context(self, request, report):
        issues = list(report.issues.all())
        flagged: dict[str, str] = {}
        not_live: set[str] = set()
        for issue in issues:
            if issue.accepted:
                continue
            if issue.rule not in rules.LIVE_RULES:
                not_live.update(issue.keys)
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
        pending, confirmed = services.pending_cells(report)
        for cell in pending:  # still needs a person: marked on the grid
            cell_state[cell.key] = (cell_state.get(cell.key, "") + " nb-unconfirmed").strip()
            cell_title[cell.key] = f"待人工确认：{cell.why}。{cell_title.get(cell.key, '')}"
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
            "nb_pending": pending,
            "nb_confirmed": confirmed,
            "nb_can_confirm": self.has_change_permission(request, report),
            "nb_can_override_unconfirmed": request.user.has_perm("reports.approve_unconfirmed"),
            "nb_can_comment": request.user.has_perm("reports.add_cellcomment"),
            "nb_can_accept": self.has_change_permission(request, report)
            and request.user.has_perm("reports.add_issueacceptance"),
            # cells flagged only by equation rules: the grid script checks those live as the reviewer types
            "nb_grid_data": {**grid_data(report, request.user), "live_flags": sorted(set(flagged) - not_live)},
            "nb_r22_texts": self._r22_texts(request, report, issues),
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = {
            "nb_page_version": getattr(request, "nb_page_version", None),
            "nb_refusal": getattr(request, "nb_refusal", None),
        }
        return type(form.__name__, (form,), attrs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SaveRefused as refused:
            # The admin's transaction rolled back: nothing of this save is stored.
            if self._read_only_now(request, object_id) is not None:
                return self._refused_read_only(request, f"{refused.message}本次修改未保存。")
            # Show the page again, with the values as typed and the reason at the top (ReportForm.clean says it).
            request.nb_refusal = refused.message
            response = super().changeform_view(request, object_id, form_url, extra_context)
            response.status_code = REFUSED_STATUS
            return response
        except PermissionDenied:
            # approved (or taken into review) between change_view's check and the admin's own: say so
            if request.method == "POST" and (report := self._read_only_now(request, object_id)) is not None:
                return self._refused_read_only(
                    request, f"{REPORT_LOCKED if report.is_locked else HANDED_IN}本次修改未保存。"
                )
            raise

    def _read_only_now(self, request, object_id):
        """The report, if it exists for this user and they may no longer change it; else None."""
        report = self.get_object(request, object_id) if object_id else None
        return report if report is not None and not self.has_change_permission(request, report) else None

    def _refused_read_only(self, request, message):
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.path)

    def _r22_texts(self, request, report, issues):
        """五 of this year and last year side by side, when R22 says one copies the other."""
        if not any(i.rule == "R22" and not i.keys for i in issues):
            return None
        previous = previous_report(report, request.user)
        if previous is None:
            return None
        return {"year": previous.year, **side_by_side(report.problems, previous.problems)}

    def save_model(self, request, obj, form, change):
        if change:
            return  # written in save_related, with the grids, by one service call under the report's lock
        try:
            created = services.report_create(
                user=request.user, **{f: form.cleaned_data[f] for f in form.cleaned_data if f in _CREATE_FIELDS}
            )
        except IntegrityError:
            # The same agency and year created by someone else a moment ago (the form's check passed before).
            raise SaveRefused(CREATED_MEANWHILE)
        except ValidationError:
            # The other save committed between the form's check and the service's: the service's own check saw it.
            data = form.cleaned_data
            if Report.objects.filter(agency=data.get("agency"), year=data.get("year")).exists():
                raise SaveRefused(CREATED_MEANWHILE)
            raise
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        raise NotImplementedError("the grids are saved by save_related through services.report_update")

    def save_related(self, request, form, formsets, change):
        if not change:
            # services.report_create made every row; the add page's grid is written through the service.
            values = values_from_add_formsets(formsets)
            reason = form.cleaned_data.get("nb_change_reason", "") or "手工录入"
            services.report_set_values(report=form.instance, values=values, user=request.user, reason=reason)
            services.report_validate(report=form.instance)
            for formset in formsets:  # nothing saved through them (the admin's log message reads these)
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        values = {}
        for formset in formsets:
            for row in formset.forms:
                keys = row_keys(row.instance)
                for name in row.changed_data:  # against the hidden initial: what this page showed
                    if name in keys and name in row.cleaned_data:
                        values[keys[name]] = row.cleaned_data[name]
        try:
            result = services.report_update(
                report=form.instance,
                values=values,
                fields=form.edited_fields(),
                base_version=form.cleaned_data.get("nb_version"),
                user=request.user,
                reason=form.cleaned_data.get("nb_change_reason", ""),
                read_by_person=True,
            )
        except (ValidationError, PermissionDenied) as exc:
            raise SaveRefused(workflow.messages_of(exc))
        form.instance.refresh_from_db()
        request.nb_saved = result
        if result.merged and (result.changed or result.changed_fields):
            shown = "、".join(services.mark_label(k) for k in result.merged[:5])
            more = f"等 {len(result.merged)} 处" if len(result.merged) > 5 else ""
            self.message_user(
                request,
                f"您打开页面之后，他人修改了 {shown}{more}：与您的修改不冲突，已一并保留（请核对）。",
                messages.INFO,
            )

    def construct_change_message(self, request, form, formsets, add=False):
        result = getattr(request, "nb_saved", None)
        if add or result is None:
            return super().construct_change_message(request, form, formsets, add)
        names = [services.mark_label(k) for k in (*result.changed_fields, *result.changed)]
        return [{"changed": {"fields": names}}] if names else []

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
