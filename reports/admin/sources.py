from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from reports.access import reports_visible_to
from reports.models import Report, SourceDocument


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "version", "format", "size", "uploaded_by", "uploaded_at", "download"]
    list_filter = ["format", "report__year"]
    search_fields = ["original_name", "sha256", "report__agency__name"]
    list_select_related = ["report__agency", "uploaded_by"]
    fields = [
        "report", "version", "original_name", "download", "sha256", "size", "format", "uploaded_by", "uploaded_at",
        "note", "extracted_text",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        visible = reports_visible_to(request.user, Report.objects.all())
        return super().get_queryset(request).filter(report__in=visible)

    @admin.display(description="下载")
    def download(self, obj):
        # Served through a permission-checked view, never straight from MEDIA_ROOT.
        url = reverse("admin:reports_report_source", args=[obj.report_id, obj.pk])
        return format_html('<a href="{}">下载原文件</a>', url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Source documents are evidence: never thrown away.
        return False
