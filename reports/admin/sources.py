from django.contrib import admin

from reports.models import SourceDocument


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "version", "format", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["format", "report__year"]
    search_fields = ["original_name", "sha256", "report__agency__name"]
    list_select_related = ["report__agency", "uploaded_by"]
    readonly_fields = [f.name for f in SourceDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Source documents are evidence: never thrown away.
        return False
