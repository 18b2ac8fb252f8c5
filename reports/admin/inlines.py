"""The three tables as inline grids in the official layout (templates/admin/reports/edit_inline/)."""

from django import forms
from django.contrib import admin

from reports import canonical, layout
from reports.models import ApplicationOutcome, DisclosureTable, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS

CELL_WIDGET = forms.NumberInput(attrs={"class": "nb-cell", "min": "0", "step": "1"})


class FixedRowsInline(admin.TabularInline):
    """Rows fixed by the template: present from creation, never added or deleted by hand."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # obj is the report: an approved report's grids are shown read-only.
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)


class DisclosureInline(FixedRowsInline):
    model = DisclosureTable
    fields = list(DISCLOSURE_FIELDS)
    template = "admin/reports/edit_inline/table2.html"
    verbose_name_plural = layout.TABLE_TITLES["table2"]
    max_num = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "fees_amount":
            kwargs["widget"] = forms.NumberInput(attrs={"class": "nb-cell", "min": "0", "step": "0.0001"})
        elif db_field.name in DISCLOSURE_FIELDS:
            kwargs["widget"] = CELL_WIDGET
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class OutcomeInline(FixedRowsInline):
    model = ApplicationOutcome
    fields = list(canonical.TABLE3_COLUMN_KEYS)
    template = "admin/reports/edit_inline/table3.html"
    verbose_name_plural = layout.TABLE_TITLES["table3"]
    max_num = len(canonical.TABLE3_ROWS)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in canonical.TABLE3_COLUMN_KEYS:
            kwargs["widget"] = CELL_WIDGET
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("position")


class ReviewLitigationInline(FixedRowsInline):
    model = ReviewLitigation
    fields = list(canonical.TABLE4_COLUMN_KEYS)
    template = "admin/reports/edit_inline/table4.html"
    verbose_name_plural = layout.TABLE_TITLES["table4"]
    max_num = len(canonical.TABLE4_BLOCKS)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in canonical.TABLE4_COLUMN_KEYS:
            kwargs["widget"] = CELL_WIDGET
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("position")
