from django.contrib import admin
from django.db.models import Count

from agencies.models import Agency, AgencyAlias
from reports.access import agencies_visible_to, sees_all
from reports.admin.scoped_history import ScopedHistoryAdmin


class AliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 1
    verbose_name = "别名"
    verbose_name_plural = "别名（报告中对本机关的其他称呼）"


@admin.register(Agency)
class AgencyAdmin(ScopedHistoryAdmin):
    list_display = [
        "name",
        "short_name",
        "kind",
        "parent",
        "contact_person",
        "contact_phone",
        "report_count",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "has_rulemaking_power", "parent"]
    search_fields = ["name", "short_name", "aliases__name", "division_code", "credit_code"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["members"]
    inlines = [AliasInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "kind", "parent", "is_active"]}),
        ("编码", {"fields": ["division_code", "credit_code", "has_rulemaking_power"]}),
        ("联系方式", {"fields": ["contact_person", "contact_phone"]}),
        ("权限", {"fields": ["members"], "classes": ["collapse"]}),
    ]

    def get_list_filter(self, request):
        # The 上级机关 filter lists agency names: only for users who may see every agency.
        return self.list_filter if sees_all(request.user) else [f for f in self.list_filter if f != "parent"]

    def get_queryset(self, request):
        qs = agencies_visible_to(request.user, super().get_queryset(request))
        return qs.select_related("parent").annotate(_report_count=Count("reports"))

    @admin.display(description="报告数", ordering="_report_count")
    def report_count(self, obj):
        return obj._report_count
