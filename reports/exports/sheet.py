"""A worksheet as plain data — cells, merged ranges, sizes, page setup — and two ways to write it out.

`write_sheet` fills a normal openpyxl worksheet; `stream_sheet` writes the same sheet row by row onto a write-only
worksheet (merged ranges go to ``ws.merged_cells``, which openpyxl writes at the end of the sheet even in write-only
mode, and the cells a merge covers get their borders as empty styled cells, since Excel draws a merged range's
border from every covered cell).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.exports.formulas import is_formula_like

FONT_NAME = "宋体"
_THIN = Side(style="thin", color="000000")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


class Formula(str):
    """A cell value to be written as a formula; every other string is written as text, even one starting with =."""


@dataclass(frozen=True)
class Style:
    font: Font = field(default_factory=lambda: Font(name=FONT_NAME, size=10))
    alignment: Alignment = field(default_factory=lambda: Alignment(vertical="center", wrap_text=True))
    border: Border | None = None
    fill: PatternFill | None = None
    number_format: str | None = None

    @property
    def wraps(self) -> bool:
        return bool(self.alignment.wrap_text)


def _font(size: float = 10, bold: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)

STYLES: dict[str, Style] = {
    "title": Style(font=_font(16, bold=True), alignment=_CENTER),
    "subtitle": Style(font=_font(10), alignment=_CENTER),
    "heading": Style(font=_font(12, bold=True), alignment=Alignment(horizontal="left", vertical="center")),
    "caption": Style(font=_font(10, bold=True), alignment=_LEFT, border=BOX),
    "header": Style(font=_font(10, bold=True), alignment=_CENTER, border=BOX, fill=HEADER_FILL),
    "label": Style(font=_font(10), alignment=_LEFT, border=BOX),
    "label_center": Style(font=_font(10), alignment=_CENTER, border=BOX),
    "value": Style(font=_font(10), alignment=_CENTER, border=BOX, number_format="General"),
    "note": Style(font=_font(9), alignment=_LEFT),
    "text": Style(font=_font(10), alignment=_LEFT),
    "total": Style(font=_font(10, bold=True), alignment=_CENTER, border=BOX, fill=HEADER_FILL),
}

LINE_POINTS = {9: 12.0, 10: 13.5, 12: 16.0, 16: 21.0}


def text_width(text: str) -> float:
    """Approximate width in Excel column units: a CJK character is two, anything else a little over one."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


@dataclass
class SheetModel:
    """A sheet as data. Rows and columns are 1-based like Excel's."""

    cells: dict[tuple[int, int], tuple[Any, str]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    row_heights: dict[int, float] = field(default_factory=dict)
    col_widths: dict[int, float] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    landscape: bool = False
    fit_width: bool = True

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=0)

    def put(self, row: int, col: int, value: Any, style: str = "value") -> None:
        self.cells[(row, col)] = (value, style)

    def merge(self, row: int, col: int, last_row: int, last_col: int, value: Any, style: str) -> None:
        """Write `value` into a merged range; every covered cell carries the style so the border is drawn whole."""
        for r in range(row, last_row + 1):
            for c in range(col, last_col + 1):
                self.cells[(r, c)] = (None, style)
        self.cells[(row, col)] = (value, style)
        if (row, col) != (last_row, last_col):
            self.merges.append((row, col, last_row, last_col))

    def fit_row_heights(self, default_width: float = 8.43) -> None:
        """Give wrapped text the rows it needs: Excel does not grow a row for text in a merged cell by itself."""
        spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in self.merges}
        tall: list[tuple[int, int, float]] = []
        for (row, col), (value, style_name) in self.cells.items():
            style = STYLES[style_name]
            if value is None or not isinstance(value, str) or not style.wraps:
                continue
            last_row, last_col = spans.get((row, col), (row, col))
            width = sum(self.col_widths.get(c, default_width) for c in range(col, last_col + 1))
            lines = max(1, math.ceil(text_width(value) / max(1.0, width - 1.0)))
            size = int(style.font.sz or 10)
            needed = lines * LINE_POINTS.get(size, size * 1.35) + 4
            if last_row == row:
                self.row_heights[row] = max(self.row_heights.get(row, 15.0), needed)
            else:
                tall.append((row, last_row, needed))
        for first, last, needed in tall:
            rows = range(first, last + 1)
            have = sum(self.row_heights.get(r, 15.0) for r in rows)
            if have < needed:
                extra = (needed - have) / len(rows)
                for r in rows:
                    self.row_heights[r] = self.row_heights.get(r, 15.0) + extra


def _apply(cell, style: Style) -> None:
    cell.font = style.font
    cell.alignment = style.alignment
    if style.border is not None:
        cell.border = style.border
    if style.fill is not None:
        cell.fill = style.fill
    if style.number_format is not None:
        cell.number_format = style.number_format


def set_value(cell, value: Any) -> None:
    """Assign a value; plain strings stay text (a name like "=x" must never become a formula, see formulas.py)."""
    if isinstance(value, str) and not isinstance(value, Formula):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str) and not isinstance(value, Formula) and (cell.data_type == "f" or is_formula_like(value)):
        cell.data_type = "s"
        cell.quotePrefix = True  # as if typed with a leading apostrophe: stays text even when edited in Excel


def _page_setup(model: SheetModel, ws) -> None:
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape" if model.landscape else "portrait"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if model.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0


def _dimensions(model: SheetModel, ws) -> None:
    for col, width in model.col_widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def write_sheet(model: SheetModel, ws: Worksheet) -> None:
    """Draw the model onto a normal (not write-only) worksheet."""
    _dimensions(model, ws)
    _page_setup(model, ws)
    for (row, col), (value, style_name) in sorted(model.cells.items()):
        cell = ws.cell(row=row, column=col)
        set_value(cell, value)
        _apply(cell, STYLES[style_name])
    for row, height in model.row_heights.items():
        ws.row_dimensions[row].height = height
    for row in model.hidden_rows:
        ws.row_dimensions[row].hidden = True
    for r1, c1, r2, c2 in model.merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def stream_sheet(model: SheetModel, ws) -> None:
    """Write the model onto a write-only worksheet and close it (its rows go to a temporary file at once)."""
    _dimensions(model, ws)
    _page_setup(model, ws)
    by_row: dict[int, dict[int, tuple[Any, str]]] = {}
    for (row, col), spec in model.cells.items():
        by_row.setdefault(row, {})[col] = spec
    width = model.max_col
    for row in range(1, model.max_row + 1):
        if row in model.row_heights:
            ws.row_dimensions[row].height = model.row_heights[row]
        if row in model.hidden_rows:
            ws.row_dimensions[row].hidden = True
        specs = by_row.get(row, {})
        out: list[Any] = [None] * width
        for col, (value, style_name) in specs.items():
            cell = WriteOnlyCell(ws)
            set_value(cell, value)
            _apply(cell, STYLES[style_name])
            out[col - 1] = cell
        ws.append(out)
    for r1, c1, r2, c2 in model.merges:
        ws.merged_cells.add(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
    ws.close()


def styled(ws, value: Any, style_name: str) -> WriteOnlyCell:
    """One styled write-only cell (for sheets streamed row by row without a model)."""
    cell = WriteOnlyCell(ws)
    set_value(cell, value)
    _apply(cell, STYLES[style_name])
    return cell


_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (at most 31 characters, none of []:*?/\\); remembers it in `used`."""
    base = (name or "表").translate(_FORBIDDEN).strip("'").strip() or "表"
    title, n = base[:31], 1
    while title.lower() in used:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title.lower())
    return title
