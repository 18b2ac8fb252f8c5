from django.contrib import admin


class IssueStateFilter(admin.SimpleListFilter):
    title = "校验结果"
    parameter_name = "issues"

    def lookups(self, request, model_admin):
        return [("error", "有错误"), ("warning", "有警告（无错误）"), ("clean", "通过"), ("unchecked", "未校验")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "error":
            return queryset.filter(error_count__gt=0)
        if value == "warning":
            return queryset.filter(error_count=0, warning_count__gt=0)
        if value == "clean":
            return queryset.filter(error_count=0, warning_count=0, validated_at__isnull=False)
        if value == "unchecked":
            return queryset.filter(validated_at__isnull=True)
        return queryset


class UnconfirmedFilter(admin.SimpleListFilter):
    """Reports with cells nobody has read yet (unread or inferred, not typed or confirmed): they cannot be approved."""

    title = "人工确认"
    parameter_name = "unconfirmed"

    def lookups(self, request, model_admin):
        return [("pending", "有待人工确认的单元格"), ("done", "无待人工确认的单元格")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(unconfirmed_count__gt=0)
        if self.value() == "done":
            return queryset.filter(unconfirmed_count=0)
        return queryset
