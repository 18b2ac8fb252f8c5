"""The flat sheet for analysts (django-import-export): one row per report, Chinese column headers, 200 cells.

Export: agency, year, status, template, error/warning counts and every canonical cell (header = flat_label: the
canonical label led by its table, "表二 …" / "表三 …" / "表四 …", so no two tables' headers start alike).
Import of the same sheet matches reports on (机关, 年度); creates missing ones with services.report_create and
writes the cells with services.report_set_values, which re-validates. An approved report is never changed: a row
that would change one is refused (a row error in the preview), and unchanged rows are skipped.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from agencies.models import Agency
from reports import canonical, services
from reports.access import agencies_actable_by, reports_visible_to, require_agency
from reports.choices import ReportStatus, TemplateVersion
from reports.exports.formulas import is_formula_like, neutralise, unneutralise
from reports.exports.official import cell_value
from reports.exports.sheet import set_value, sheet_title
from reports.models import Report
from reports.models.report import REPORT_LOCKED
from reports.parsing.limits import open_zip
from reports.selectors import report_values, report_values_many
from reports.services.records import clean_cell

IMPORT_REASON = "表格导入"
NOT_A_COUNT = "{label}：“{value}”不是非负整数。"
NOT_AN_AMOUNT = "{label}：“{value}”不是非负数额。"
UNKNOWN_AGENCY = "找不到机关“{value}”（请用全称、简称或别名；只能导入您有权处理的机关）。"
AMBIGUOUS_AGENCY = "“{value}”对应多个机关，请用全称。"
UNKNOWN_TEMPLATE = "模板版本“{value}”无效（可填 2021 或 2019）。"
LOCKED_ROW = "{report}：" + REPORT_LOCKED + "表格中的数字与库中不同，未导入。"
TEMPLATE_CHANGE = "{report}：模板版本不能通过表格导入修改（库中为 {old}），请在报告页面修改。"
BAD_VERSION_CELL = "“版本号”应为导出时的整数（或留空），不是“{value}”。"

_INTEGER = re.compile(r"^\d+$")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")


_TABLE_NAMES = {
    "active_disclosure": ("表二", "二、"),
    "applications": ("表三", ""),
    "review_litigation": ("表四", "四、"),
}


def flat_label(key: str) -> str:
    """A cell's column in the flat sheet: "表二 规章 本年制发件数", "表三 四、结转下年度继续办理 / 自然人",
    "表四 行政复议 结果维持" (canonical.LABELS starts 表二 and 表四 cells with the table's numeral, which 表三's
    own rows use too)."""
    name, numeral = _TABLE_NAMES[key.split(".")[0]]
    label = canonical.LABELS[key]
    return f"{name} {label.removeprefix(numeral) if numeral else label}"


FLAT_LABELS = {k: flat_label(k) for k in canonical.ALL_KEYS}
# Sheets exported before the columns were named by table still import: their headers are renamed on the way in.
_OLD_HEADERS = {canonical.LABELS[k]: FLAT_LABELS[k] for k in canonical.ALL_KEYS}
SHEET_TITLE = "年报数字"


class CellWidget(widgets.Widget):
    """A canonical cell: empty stays empty (None, not 0); counts are non-negative integers, fees an amount."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.amount = key == canonical.FEES_KEY

    def clean(self, value: Any, row=None, **kwargs) -> int | Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        label = canonical.short_label(self.key)
        if isinstance(value, bool):
            raise ValueError(NOT_A_COUNT.format(label=label, value=value))
        if isinstance(value, float):
            text = repr(value)
            if not self.amount and value.is_integer():
                text = str(int(value))
        else:
            text = str(value).strip()
        pattern, message = (_AMOUNT, NOT_AN_AMOUNT) if self.amount else (_INTEGER, NOT_A_COUNT)
        if not pattern.match(text):
            raise ValueError(message.format(label=label, value=value))
        if self.amount:
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError(message.format(label=label, value=value))
        else:
            number = int(text)
        try:  # the same bounds as every other way in (a row error here, not a failure while saving)
            return clean_cell(self.key, number)
        except ValidationError as exc:
            raise ValueError("；".join(exc.messages))

    def render(self, value: Any, obj=None, **kwargs) -> Any:
        value = cell_value(value)
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else str(value)


class CellField(fields.Field):
    """One of the 200 cells; its value lives in the report's loaded values (``report._nb_values``)."""

    def __init__(self, key: str) -> None:
        super().__init__(attribute=key, column_name=FLAT_LABELS[key], widget=CellWidget(key))
        self.key = key

    def get_value(self, instance) -> Any:
        return getattr(instance, "_nb_values", {}).get(self.key)

    def save(self, instance, row, is_m2m=False, **kwargs) -> None:
        instance._nb_values[self.key] = self.clean(row, **kwargs)


class AgencyWidget(widgets.ForeignKeyWidget):
    """An agency by its full name, short name or alias (export writes the full name).

    Looked up among the agencies the importing user may act for, and nothing else: for a 填报员 another agency's
    name gets exactly the answer of a name that does not exist, so the sheet cannot be used to probe who exists,
    who has reported which year or what they reported."""

    def __init__(self) -> None:
        super().__init__(Agency, field="name")
        self.visible = Agency.objects.none()  # set by ReportResource for its user

    def clean(self, value, row=None, **kwargs) -> Agency | None:
        name = unneutralise(str(value or "")).strip()
        if not name:
            return None
        found = list(self.visible.filter(Q(name=name) | Q(short_name=name) | Q(aliases__name=name)).distinct()[:2])
        if not found:
            raise ValueError(UNKNOWN_AGENCY.format(value=name))
        if len(found) > 1:
            raise ValueError(AMBIGUOUS_AGENCY.format(value=name))
        return found[0]


class LabelWidget(widgets.Widget):
    """Exports a choice by its Chinese label (read-only columns)."""

    def __init__(self, choices) -> None:
        super().__init__()
        self.labels = dict(choices)

    def render(self, value, obj=None, **kwargs) -> str:
        return str(self.labels.get(value, value or ""))


class TemplateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        text = str(value or "").strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if not text:
            return TemplateVersion.V2021
        for key, label in TemplateVersion.choices:
            if text in (key, label):
                return key
        raise ValueError(UNKNOWN_TEMPLATE.format(value=text))

    def render(self, value, obj=None, **kwargs) -> str:
        return str(value or "")


LEAD_FIELDS = ("agency", "year", "status", "template_version", "error_count", "warning_count", "version")
VERSION_COLUMN = "版本号"


class ReportResource(resources.ModelResource):
    agency = fields.Field(attribute="agency", column_name="机关", widget=AgencyWidget())
    year = fields.Field(attribute="year", column_name="年度", widget=widgets.IntegerWidget(coerce_to_string=False))
    status = fields.Field(
        attribute="status", column_name="状态", widget=LabelWidget(ReportStatus.choices), readonly=True
    )
    template_version = fields.Field(attribute="template_version", column_name="模板版本", widget=TemplateWidget())
    error_count = fields.Field(
        attribute="error_count", column_name="错误数", widget=widgets.IntegerWidget(), readonly=True
    )
    warning_count = fields.Field(
        attribute="warning_count", column_name="警告数", widget=widgets.IntegerWidget(), readonly=True
    )
    # The report's version when exported: an import then changes only cells nobody changed since (as the report
    # page does); a cell changed meanwhile makes its row an error naming the cell and who changed it.
    version = fields.Field(
        attribute="version", column_name=VERSION_COLUMN, widget=widgets.IntegerWidget(), readonly=True
    )

    class Meta:
        model = Report
        name = "年报数字（每份报告一行）"
        fields = LEAD_FIELDS + canonical.ALL_KEYS
        import_id_fields = ("agency", "year")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        chunk_size = 500

    # --- export ------------------------------------------------------------------------------------------

    def iter_queryset(self, queryset):
        # The cells of a chunk of reports come in three queries, not three per report.
        chunk: list[Report] = []
        for report in super().iter_queryset(queryset.select_related("agency")):
            chunk.append(report)
            if len(chunk) == self.get_chunk_size():
                yield from self._attach(chunk)
                chunk = []
        yield from self._attach(chunk)

    @staticmethod
    def _attach(chunk: list[Report]):
        values = report_values_many(r.pk for r in chunk)
        for report in chunk:
            report._nb_values = values[report.pk]
            yield report

    # --- import ------------------------------------------------------------------------------------------

    def __init__(self, user=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._scope(user)

    def _scope(self, user) -> None:
        """Every lookup of this import goes through the user's agencies and reports, before anything else."""
        self.user = user
        self.fields["agency"].widget.visible = agencies_actable_by(user)

    def get_queryset(self):
        return reports_visible_to(getattr(self, "user", None), super().get_queryset())

    def export(self, *args, **kwargs):
        dataset = super().export(*args, **kwargs)
        dataset.title = SHEET_TITLE  # the xlsx sheet's name (tablib's default is "Tablib Dataset")
        return dataset

    def before_import(self, dataset, **kwargs):
        if dataset.headers:
            dataset.headers = [_OLD_HEADERS.get(h, h) for h in dataset.headers]
        if kwargs.get("user") is not None:
            self._scope(kwargs["user"])

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError as exc:  # an agency that cannot be found is the row's fault, not the file's
            raise ValidationError(str(exc))

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._nb_values = canonical.empty_values() if new else report_values(instance)

    def save_instance(self, instance, is_create, row, **kwargs):
        user = kwargs.get("user", getattr(self, "user", None))
        values = instance._nb_values
        try:
            require_agency(user, instance.agency)  # the widget already looked only among the user's agencies
            if is_create:
                report = services.report_create(
                    agency=instance.agency, year=instance.year, template_version=instance.template_version, user=user
                )
                instance.pk = report.pk
                base_version = None
            else:
                stored = Report.objects.get(pk=instance.pk)
                if stored.template_version != instance.template_version:
                    raise ValidationError(TEMPLATE_CHANGE.format(report=stored, old=stored.template_version))
                current = report_values(stored)
                changed = any(not services.values_equal(current[k], values[k]) for k in canonical.ALL_KEYS)
                if changed and stored.is_locked:
                    raise ValidationError(LOCKED_ROW.format(report=stored))
                report, base_version = stored, _version_of(row)
            # the one locked write path: only cells that differ are written, against the version exported
            services.report_set_values(
                report=report, values=values, user=user, reason=IMPORT_REASON, base_version=base_version
            )
        except PermissionDenied as exc:
            raise ValidationError(str(exc))
        instance.refresh_from_db()
        instance._nb_values = report_values(instance)


def _version_of(row) -> int | None:
    raw = row.get(VERSION_COLUMN) if hasattr(row, "get") else None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValidationError(BAD_VERSION_CELL.format(value=raw))
    return int(text)


class FlatSheetTooLarge(ValueError):
    """The sheet is past the flat import's limits; the message is for the user."""


def _too_many_rows(rows: int) -> FlatSheetTooLarge:
    limit = settings.NIANBAO_FLAT_IMPORT_MAX_ROWS
    return FlatSheetTooLarge(f"表格行数过多（至少 {rows:,} 行，上限 {limit:,} 行），未导入：请分批导入。")


def _neutralised_rows(dataset):
    """The dataset with every cell that would start a formula made inert (exports/formulas.py)."""
    for i, row in enumerate(dataset):
        if any(is_formula_like(v) for v in row):
            dataset[i] = [neutralise(v) for v in row]
    return dataset


class SafeXLSX(base_formats.XLSX):
    """The flat sheet as .xlsx: written row by row (write-only), text that would start a formula stored as text
    with Excel's quote prefix; read back under the zip limits and a row limit, streamed (read-only)."""

    def export_data(self, dataset, **kwargs) -> bytes:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=sheet_title(dataset.title or "年报", set()))
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for name in dataset.headers or []:
            cell = WriteOnlyCell(ws)
            set_value(cell, name)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in dataset:
            ws.append([_xlsx_cell(ws, v) for v in row])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def create_dataset(self, in_stream):
        import openpyxl

        open_zip(in_stream, "表格").close()  # member count, sizes and ratio, before anything is expanded
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            sheet = book.active
            sheet.reset_dimensions()  # the size a sheet declares may lie: read what is there, counting rows
            rows = sheet.iter_rows(values_only=True)
            headers = list(next(rows, ()) or ())
            width = len(headers)
            dataset = tablib.Dataset(headers=headers)
            limit = settings.NIANBAO_FLAT_IMPORT_MAX_ROWS
            for n, row in enumerate(rows, start=1):
                if n > limit:
                    raise _too_many_rows(n)
                if any(v is not None for v in row):
                    dataset.append((list(row) + [None] * width)[:width])
        finally:
            book.close()
        return dataset


def _xlsx_cell(ws, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(ws)
        set_value(cell, value)
        return cell
    return value


class CSVWithBOM(base_formats.CSV):
    """CSV that Excel opens as UTF-8 (it needs the byte-order mark to show Chinese); formulas made inert."""

    def export_data(self, dataset, **kwargs) -> str:
        return "\ufeff" + super().export_data(_neutralised_rows(dataset), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        _check_rows(in_stream, b"\n")
        return super().create_dataset(in_stream, **kwargs)


class BoundedJSON(base_formats.JSON):
    def create_dataset(self, in_stream, **kwargs):
        _check_rows(in_stream, b"{")
        return super().create_dataset(in_stream, **kwargs)


def _check_rows(data, marker: bytes) -> None:
    """A cheap upper bound on the rows before the whole text is parsed into Python objects."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    rows = raw.count(marker)
    if rows > settings.NIANBAO_FLAT_IMPORT_MAX_ROWS + 1:
        raise _too_many_rows(rows - 1)


FLAT_FORMATS = [SafeXLSX, CSVWithBOM, BoundedJSON]


def _declare_cells() -> None:
    # The 200 cell columns are declared from the canonical vocabulary, in its order.
    for key in canonical.ALL_KEYS:
        ReportResource.fields[key] = CellField(key)


_declare_cells()
