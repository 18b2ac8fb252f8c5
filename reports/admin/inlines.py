"""The three tables as inline grids in the official layout (templates/admin/reports/edit_inline/)."""

from django import forms
from django.contrib import admin

from reports import canonical, layout
from reports.access import may_edit_content
from reports.models import ApplicationOutcome, DisclosureTable, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS

# Plain text inputs, never <input type=number>: a number input changes its value on an arrow key or a turn of the
# mouse wheel, and a pasted "5⇥1⇥0" becomes 510. The grid script (nianbao/grid.js) moves, pastes and checks; the
# form field (IntegerField / DecimalField) stays the judge of what is saved.
_CELL_ATTRS = {"class": "nb-cell", "autocomplete": "off", "spellcheck": "false", "size": "6"}
CELL_WIDGET = forms.TextInput(attrs={**_CELL_ATTRS, "inputmode": "numeric"})
FEE_WIDGET = forms.TextInput(attrs={**_CELL_ATTRS, "inputmode": "decimal"})


class FixedRowsInline(admin.TabularInline):
    """Rows fixed by the template: present from creation, never added or deleted by hand."""

    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["position"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Every number cell gets the same compact non-negative input; the fee amount allows decimals. Each carries
        # the value the page showed (a hidden initial input): a save writes only the cells this person changed.
        if db_field.name == "fees_amount":
            kwargs["widget"] = FEE_WIDGET
        elif db_field.name in self.fields:
            kwargs["widget"] = CELL_WIDGET
        if db_field.name in self.fields:
            kwargs["show_hidden_initial"] = True
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        # Only on the add page, where the grid is typed into before the report exists: one empty form per
        # template row (the rows themselves are created by services.report_create, see ReportAdmin.save_related).
        return obj is None and request.user.has_perm("reports.add_report")

    def get_extra(self, request, obj=None, **kwargs):
        return self.max_num if obj is None else 0

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # obj is the report: an approved report's grids are shown read-only.
        if obj is not None and (obj.is_locked or not may_edit_content(request.user, obj.status, obj.agency_id)):
            return False
        return super().has_change_permission(request, obj)


class DisclosureInline(FixedRowsInline):
    model = DisclosureTable
    fields = list(DISCLOSURE_FIELDS)
    template = "admin/reports/edit_inline/table2.html"
    verbose_name_plural = layout.TABLE_TITLES["table2"]
    max_num = 1
    ordering = None


class OutcomeInline(FixedRowsInline):
    model = ApplicationOutcome
    fields = list(canonical.TABLE3_COLUMN_KEYS)
    template = "admin/reports/edit_inline/table3.html"
    verbose_name_plural = layout.TABLE_TITLES["table3"]
    max_num = len(canonical.TABLE3_ROWS)


class ReviewLitigationInline(FixedRowsInline):
    model = ReviewLitigation
    fields = list(canonical.TABLE4_COLUMN_KEYS)
    template = "admin/reports/edit_inline/table4.html"
    verbose_name_plural = layout.TABLE_TITLES["table4"]
    max_num = len(canonical.TABLE4_BLOCKS)


def row_keys(row) -> dict[str, str]:
    """Model field → canonical key of one grid row (表二's single row, a 表三 row or a 表四 block)."""
    if isinstance(row, DisclosureTable):
        return dict(DISCLOSURE_FIELDS)
    return row.keys()
