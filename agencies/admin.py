from django.contrib import admin
from django.db.models import Count

from agencies.models import Agency, AgencyAlias, NodeStaff
from reports.access import agencies_actable_by, agencies_visible_to, sees_all
from reports.admin.scoped_history import ScopedHistoryAdmin


class AliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 1
    verbose_name = "别名"
    verbose_name_plural = "别名（报告中对本机关的其他称呼）"


class NodeStaffInline(admin.TabularInline):
    model = NodeStaff
    fk_name = "node"
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name = "区划工作人员"
    verbose_name_plural = "区划工作人员（审核员、管理员在此区划任职，查看并审核本级及以下所有年报）"


@admin.register(NodeStaff)
class NodeStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "node", "reviews_below", "created_at"]
    list_filter = ["reviews_below"]
    search_fields = ["user__username", "node__name", "node__short_name"]
    autocomplete_fields = ["user", "node"]

    def get_queryset(self, request):
        # A post is shown only to whoever may see its node; a node-bound 管理员 manages posts beneath their own.
        return (
            super()
            .get_queryset(request)
            .filter(node__in=agencies_visible_to(request.user))
            .select_related("user", "node")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "node":
            kwargs["queryset"] = agencies_actable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
    inlines = [AliasInline, NodeStaffInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "kind", "parent", "is_active"]}),
        ("编码", {"fields": ["division_code", "credit_code", "has_rulemaking_power", "tree_position"]}),
        ("联系方式", {"fields": ["contact_person", "contact_phone"]}),
        ("权限", {"fields": ["members"], "classes": ["collapse"]}),
    ]

    readonly_fields = ["tree_position"]

    @admin.display(description="区划层级")
    def tree_position(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        names = [a.short_name or a.name for a in obj.ancestors()]
        return " › ".join([*names, obj.short_name or obj.name]) + f"（第 {obj.depth + 1} 级）"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # Someone working at a node places agencies only inside it (and must: a root would be out of sight).
            kwargs["queryset"] = agencies_actable_by(request.user)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            if not sees_all(request.user):
                field.required = True
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # The 上级机关 filter lists agency names: only for users who may see every agency.
        return self.list_filter if sees_all(request.user) else [f for f in self.list_filter if f != "parent"]

    def get_queryset(self, request):
        qs = agencies_visible_to(request.user, super().get_queryset(request))
        return qs.select_related("parent").annotate(_report_count=Count("reports"))

    @admin.display(description="报告数", ordering="_report_count")
    def report_count(self, obj):
        return obj._report_count
