from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from reports import services
from reports.admin.inlines import DisclosureInline, OutcomeInline, ReviewLitigationInline
from reports.models import Report


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "year", "status", "template_version", "published_on", "updated_at"]
    list_filter = ["year", "status", "agency__kind", "template_version"]
    search_fields = ["agency__name", "agency__short_name", "agency__aliases__name", "title"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    inlines = [DisclosureInline, OutcomeInline, ReviewLitigationInline]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
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
    ]

    class Media:
        css = {"all": ["nianbao/admin.css"]}

    def get_inlines(self, request, obj):
        # The rows are created with the report; on the add page there is nothing to show yet.
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.updated_by = request.user
            super().save_model(request, obj, form, change)
            return
        created = services.report_create(
            user=request.user, **{f: form.cleaned_data[f] for f in form.cleaned_data if f in _CREATE_FIELDS}
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, "报告已创建，表二、表三、表四的各行已就绪，请录入数据。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reports_report_change", args=[obj.pk]))


_CREATE_FIELDS = {
    "agency", "year", "template_version", "status", "title", "published_on", "preamble", "overview", "problems",
    "other_matters",
}
