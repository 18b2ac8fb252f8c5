"""One report's 表二, 表三 and 表四 drawn like the 2021 template (国办公开办函〔2021〕30号), from reports/layout.py.

The sheet is a grid of fifteen equal columns, because 表四 has fifteen cells side by side. 表三's three label
columns take 1 + 2 + 5 grid columns and its seven value columns the last seven, so every value cell of 表三 and
表四 is a single, unmerged cell; 表二's four columns take 6 + 3 + 3 + 3 grid columns. Blank cells stay blank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from reports import canonical, layout
from reports.exports.sheet import SheetModel, sheet_title, write_sheet
from reports.layout import Span

GRID_COLUMNS = 15
COLUMN_WIDTH = 8.5
# 表三: logical column → first and last grid column (three label columns, then seven value columns).
T3_COLUMNS: tuple[tuple[int, int], ...] = ((1, 1), (2, 3), (4, 8), *((c, c) for c in range(9, 16)))
# 表二: 信息内容, then three value columns.
T2_COLUMNS: tuple[tuple[int, int], ...] = ((1, 6), (7, 9), (10, 12), (13, 15))
T4_COLUMNS: tuple[tuple[int, int], ...] = tuple((c, c) for c in range(1, 16))

BLANK_NOTE = "注：空白单元格表示报告中该项未填写（空白不等于 0）。"
OLD_TEMPLATE_NOTE = (
    "注：本报告按 2019 试行版模板填报，此处按 2021 版格式列示：表二各列的含义与 2021 版不同，"
    "表三“（六）其他处理”只有一行，记在“3.其他”。"
)


@dataclass(frozen=True)
class ReportInfo:
    """What the sheet says about the report above and below the tables."""

    agency_name: str
    year: int
    title: str = ""
    status: str = ""
    template_version: str = "2021"
    error_count: int | None = None
    warning_count: int | None = None
    exported_at: datetime | None = None

    @property
    def heading(self) -> str:
        return self.title or f"{self.agency_name}{self.year}年政府信息公开工作年度报告"


def place_spans(rows: Sequence[Sequence[Span]], width: int) -> list[list[tuple[int, Span]]]:
    """Lay spans out like an HTML table: each span starts in the first logical column not taken from above."""
    taken: set[tuple[int, int]] = set()
    placed: list[list[tuple[int, Span]]] = []
    for r, spans in enumerate(rows):
        col, out = 0, []
        for span in spans:
            while (r, col) in taken:
                col += 1
            if col + span.colspan > width:
                raise ValueError(f"span {span.text!r} does not fit in {width} columns")
            out.append((col, span))
            taken.update((r + dr, col + dc) for dr in range(span.rowspan) for dc in range(span.colspan))
            col += span.colspan
        placed.append(out)
    return placed


def _span_cells(
    model: SheetModel, top: int, rows: Sequence[Sequence[Span]], columns: Sequence[tuple[int, int]], style: str
) -> None:
    for r, row in enumerate(place_spans(rows, len(columns))):
        for col, span in row:
            first = columns[col][0]
            last = columns[col + span.colspan - 1][1]
            model.merge(top + r, first, top + r + span.rowspan - 1, last, span.text, style)


def cell_value(value: Any) -> Any:
    """The number as Excel should hold it: ints as ints, amounts exact (Decimal), blanks as None."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


def _heading(model: SheetModel, row: int, text: str) -> None:
    model.merge(row, 1, row, GRID_COLUMNS, text, "heading")
    model.row_heights[row] = 22


def _table2(model: SheetModel, row: int, values: Mapping[str, Any]) -> int:
    for caption, headers, data_rows in layout.TABLE2_BLOCKS:
        model.merge(row, 1, row, GRID_COLUMNS, caption, "caption")
        row += 1
        span = 3 // len(headers)
        _span_cells(model, row, [[Span("信息内容"), *(Span(h, colspan=span) for h in headers)]], T2_COLUMNS, "header")
        row += 1
        for label, keys in data_rows:
            model.merge(row, T2_COLUMNS[0][0], row, T2_COLUMNS[0][1], label, "label")
            for i, key in enumerate(keys):
                first = T2_COLUMNS[1 + i * span][0]
                last = T2_COLUMNS[(1 + i * span) + span - 1][1]
                model.merge(row, first, row, last, cell_value(values.get(key)), "value")
            row += 1
    return row


def _table3(model: SheetModel, row: int, values: Mapping[str, Any]) -> int:
    _span_cells(model, row, layout.TABLE3_HEADER, T3_COLUMNS, "header")
    row += len(layout.TABLE3_HEADER)
    label_rows = [layout.TABLE3_LABELS[key] for key in canonical.TABLE3_ROW_KEYS]
    _span_cells(model, row, label_rows, T3_COLUMNS[: layout.TABLE3_LABEL_COLUMNS], "label")
    for i, row_key in enumerate(canonical.TABLE3_ROW_KEYS):
        for j, col in enumerate(canonical.TABLE3_COLUMN_KEYS):
            grid_col = T3_COLUMNS[layout.TABLE3_LABEL_COLUMNS + j][0]
            model.put(row + i, grid_col, cell_value(values.get(canonical.t3(row_key, col))), "value")
    return row + len(canonical.TABLE3_ROW_KEYS)


def _table4(model: SheetModel, row: int, values: Mapping[str, Any]) -> int:
    _span_cells(model, row, layout.TABLE4_HEADER, T4_COLUMNS, "header")
    row += len(layout.TABLE4_HEADER)
    for i, key in enumerate(canonical.TABLE4_KEYS):
        model.put(row, T4_COLUMNS[i][0], cell_value(values.get(key)), "value")
    return row + 1


def official_sheet(info: ReportInfo, values: Mapping[str, Any]) -> SheetModel:
    """The three tables of one report, with its title and agency/year on top, as a printable A4 sheet."""
    model = SheetModel(col_widths=dict.fromkeys(range(1, GRID_COLUMNS + 1), COLUMN_WIDTH))
    model.merge(1, 1, 1, GRID_COLUMNS, info.heading, "title")
    model.row_heights[1] = 30
    # What the county hands on: the agency, the year and the tables — not the review's own state (状态, 校验).
    subtitle = f"机关：{info.agency_name}　　年度：{info.year}年"
    model.merge(2, 1, 2, GRID_COLUMNS, subtitle, "subtitle")
    row = 4
    _heading(model, row, layout.TABLE_TITLES["table2"])
    row = _table2(model, row + 1, values) + 1
    _heading(model, row, layout.TABLE_TITLES["table3"])
    row = _table3(model, row + 1, values) + 1
    _heading(model, row, layout.TABLE_TITLES["table4"])
    row = _table4(model, row + 1, values) + 1
    notes = [BLANK_NOTE]
    if info.template_version == "2019":
        notes.append(OLD_TEMPLATE_NOTE)
    for note in notes:
        model.merge(row, 1, row, GRID_COLUMNS, note, "note")
        row += 1
    model.fit_row_heights()
    return model


def info_for(report, *, exported_at: datetime | None = None) -> ReportInfo:
    """ReportInfo of a stored report (its agency must be loaded, e.g. with select_related)."""
    return ReportInfo(
        agency_name=report.agency.name,
        year=report.year,
        title=report.title,
        status=report.get_status_display(),
        template_version=report.template_version,
        error_count=report.error_count if report.validated_at else None,
        warning_count=report.warning_count if report.validated_at else None,
        exported_at=exported_at,
    )


def report_workbook(report, values: Mapping[str, Any], *, exported_at: datetime | None = None) -> Workbook:
    """A workbook holding one report's official sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(report.agency.short_name or report.agency.name, set())
    write_sheet(official_sheet(info_for(report, exported_at=exported_at), values), ws)
    wb.properties.title = info_for(report).heading
    wb.properties.creator = "年报 Nianbao"
    return wb
