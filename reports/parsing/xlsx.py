"""Excel reader (.xlsx with openpyxl, .xls with xlrd): each sheet one grid, merged cells expanded.

A sheet may hold all three tables one below the other; the grid engine tells them apart by their
captions and headers. Numbers are written back as the shortest text that reads as the stored value
(2.2, not 2.2000000000000002). Rows holding a single text (the title, a section heading) are also
given as running text lines, so the title and headings are found as in any document.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from io import BytesIO

from reports.parsing.document import Document, GridCell, Table, TextLine
from reports.parsing.limits import MAX_CELLS, CellBudget, open_zip
from reports.parsing.types import ParseError

_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CORRUPT = "Excel 文件已损坏或不完整，无法读取"


def read_workbook(data: bytes, fmt: str) -> Document:
    sheets = _read_xls(data) if fmt == "xls" else _read_xlsx(data)
    tables: list[Table] = []
    lines: list[TextLine] = []
    for _name, grid in sheets:
        if not any(c.text.strip() for row in grid for c in row):
            continue
        for row in grid:
            texts = [c.text.strip() for c in row if c.text.strip() and not c.merged]
            if len(texts) == 1 and not _is_number(texts[0]):
                lines.append(TextLine(texts[0], len(lines) + 1))
        tables.append(Table(rows=tuple(tuple(r) for r in grid), index=len(tables), after_line=0))
    return Document(fmt, lines=tuple(lines), tables=tuple(tables), metadata={"sheets": ",".join(n for n, _ in sheets)})


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        d = Decimal(repr(value))
        return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> list[tuple[str, list[list[GridCell]]]]:
    import openpyxl

    # The archive is checked before openpyxl expands anything, and the sheets are streamed (read-only mode) under a
    # cell budget: a sheet of millions of cells is refused while it is read, never built in memory (limits.py).
    open_zip(data, "Excel 文件").close()
    try:
        wb = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ParseError("corrupt", f"{CORRUPT}（{type(exc).__name__}）")
    budget = CellBudget("Excel 文件", max_cells=MAX_CELLS)
    out = []
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # the size a sheet declares may lie: read what is there, under the budget
            grid: list[list[GridCell]] = []
            for row in ws.iter_rows(values_only=True):
                budget.take(len(row))
                grid.append([GridCell(_text(v)) for v in row])
            width = max((len(r) for r in grid), default=0)
            for r in grid:
                r.extend(GridCell("") for _ in range(width - len(r)))
            for r0, c0, r1, c1 in _merged_ranges(ws):
                _spread(grid, r0, c0, r1, c1)
            out.append((ws.title, grid))
    finally:
        wb.close()
    return out


def _merged_ranges(ws) -> list[tuple[int, int, int, int]]:
    """A read-only sheet's merged ranges (0-based, inclusive), streamed from its XML's <mergeCells>."""
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    ranges = []
    with ws._get_source() as src:
        for _, el in etree.iterparse(src, tag=f"{{{_SHEET_NS}}}mergeCell", resolve_entities=False, no_network=True):
            try:
                c0, r0, c1, r1 = range_boundaries(el.get("ref", ""))
            except (TypeError, ValueError):
                continue
            if None not in (c0, r0, c1, r1):
                ranges.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
            el.clear()
    return ranges


def _read_xls(data: bytes) -> list[tuple[str, list[list[GridCell]]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError, IndexError) as exc:
        raise ParseError("corrupt", f"{CORRUPT}（{type(exc).__name__}）")
    out = []
    for sheet in book.sheets():
        if sheet.nrows * sheet.ncols > MAX_CELLS:
            raise ParseError("too_large", f"工作表“{sheet.name}”太大，无法读取")
        grid = [[GridCell(_xls_text(sheet.cell(r, c))) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        for r0, r1, c0, c1 in sheet.merged_cells:
            _spread(grid, r0, c0, r1 - 1, c1 - 1)
        out.append((sheet.name, grid))
    return out


def _xls_text(cell: object) -> str:
    import xlrd

    ctype = getattr(cell, "ctype", None)
    value = getattr(cell, "value", None)
    if ctype == xlrd.XL_CELL_NUMBER:
        return _text(float(value))  # type: ignore[arg-type]
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return _text(value)


def _spread(grid: list[list[GridCell]], r0: int, c0: int, r1: int, c1: int) -> None:
    if r0 >= len(grid):
        return
    text = grid[r0][c0].text if c0 < len(grid[r0]) else ""
    for r in range(r0, min(r1, len(grid) - 1) + 1):
        for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
            if (r, c) != (r0, c0):
                grid[r][c] = GridCell(text, merged=True)
