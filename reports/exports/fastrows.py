"""Faster rows for openpyxl's write-only worksheets: the same XML, without a Cell object and an lxml context
manager per cell.

openpyxl turns every appended value into a WriteOnlyCell, infers its type, and writes it through nested
``xf.element`` contexts — about 10 µs a cell, which made the county workbook of a province (8 million cells) take
minutes. `fast_rows(ws)` replaces the worksheet's row writer: a value openpyxl would write as a plain number or an
inline string (int, float, Decimal; a str that is not formula-like, not an error code and has no illegal
character) becomes its ``<c>`` element's text directly; anything else (None is skipped as openpyxl does; styled
cells, hyperlinks, dates, formulas, booleans, odd strings) goes through openpyxl's own cell conversion and writer
into a small buffer; the row's text is parsed once into its element — so the file is what openpyxl writes, cell
for cell, and a row with one date among 200 numbers is as fast as a plain one.
"""

from __future__ import annotations

import io
import os
import shutil
import types
from decimal import Decimal

from lxml.etree import xmlfile
from openpyxl import LXML
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.xml.functions import Element, fromstring

_NUMBERS = (int, float, Decimal)  # exact types: bool (a subclass of int) is written by openpyxl as 'b'
_LETTERS: list[str] = []


def _letter(col: int) -> str:
    while len(_LETTERS) < col:
        _LETTERS.append(get_column_letter(len(_LETTERS) + 1))
    return _LETTERS[col - 1]


def _plain(value) -> str | None:
    """'n' or 's' when openpyxl would write the value as a plain number or inline string; None otherwise."""
    t = type(value)
    if t in _NUMBERS:
        return "n"
    if t is str:
        if (
            len(value) > 32767
            or (len(value) > 1 and value[0] == "=")
            or value in ERROR_CODES
            or ILLEGAL_CHARACTERS_RE.search(value)
        ):
            return None
        return "s"
    return None


def _escape(text: str) -> str:
    # Text in XML: the three markup characters, and a carriage return (a parser would turn it into a newline).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _cell_xml(ref: str, kind: str, value) -> str:
    if kind == "n":
        return f'<c r="{ref}" t="n"><v>{safe_string(value)}</v></c>'
    if value == "":
        return f'<c r="{ref}" t="inlineStr"/>'  # openpyxl writes an empty string as an empty cell
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'


_MARKER = "nbFastRows"  # where the rows go in the sheet's file, replaced by them once the sheet is closed


def _attr(value: str) -> str:
    return _escape(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _row_xml(ws, values, row_idx: int, letters: list[str]) -> str:
    """One row's XML: plain numbers and strings formatted here, anything else (a date, a styled cell, a link, a
    formula) by openpyxl's own cell writer into a small buffer, its XML taken as it is."""
    if len(values) > len(letters):
        _letter(len(values))
    r = str(row_idx)
    attrs = {"r": r}
    attrs.update(ws.row_dimensions.get(row_idx, {}))
    parts = ["<row", *(f' {k}="{_attr(str(v))}"' for k, v in attrs.items()), ">"]
    for i, value in enumerate(values):
        if value is None:
            continue
        t = type(value)
        if t is int:  # safe_string's format for a number, without its checks for NaN and infinity
            parts.append(f'<c r="{letters[i]}{r}" t="n"><v>{value:.16g}</v></c>')
        elif t is str or t in _NUMBERS:
            kind = _plain(value)
            if kind is not None:
                parts.append(_cell_xml(letters[i] + r, kind, value))
            else:
                parts.append(_other_xml(ws, value, row_idx, i + 1))
        else:
            parts.append(_other_xml(ws, value, row_idx, i + 1))
    parts.append("</row>")
    return "".join(parts)


def _write_rows(self):
    """WriteOnlyWorksheet._write_rows with the fast path (same protocol: a generator fed one row at a time).

    The rows' XML text goes straight to a file of their own (no element is built, parsed or serialised); the
    sheet's own file gets a marker element in <sheetData>, replaced by that file's content when the sheet's
    writer closes. A writer that does not write to a file (never the case for a write-only sheet) gets each
    row parsed into its element instead."""
    try:
        xf = self._writer.xf.send(True)
    except StopIteration:
        self._already_saved()
    writer = self._writer
    letters = _LETTERS
    if not isinstance(writer.out, str):
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    values = yield
                    xf.write(fromstring(_row_xml(self, values, row_idx, letters)))
                    row_idx += 1
            except GeneratorExit:
                pass
        writer.xf.send(None)
        return
    rows_path = writer.out + ".rows"
    ALL_TEMP_FILES.append(rows_path)  # removed at exit if the sheet is never closed, as openpyxl's own
    rows = open(rows_path, "w", encoding="utf-8")  # noqa: SIM115 — closed below, when the rows end
    with xf.element("sheetData"):
        xf.write(Element(_MARKER))
        row_idx = 1
        try:
            while True:
                values = yield
                rows.write(_row_xml(self, values, row_idx, letters))
                row_idx += 1
        except GeneratorExit:
            pass
    rows.close()
    writer.xf.send(None)
    close = writer.close

    def close_and_splice():
        close()
        _splice(writer.out, rows_path)

    writer.close = close_and_splice


def _splice(sheet_path: str, rows_path: str) -> None:
    """Put the rows where the marker is in the sheet's file (the file holds only what comes before and after the
    rows: a few kilobytes), streaming the rows' file."""
    with open(sheet_path, "rb") as f:
        head, found, tail = f.read().partition(f"<{_MARKER}/>".encode())
    if not found:
        raise RuntimeError("fast_rows: the rows' place was not found in the sheet")
    with open(sheet_path, "wb") as out, open(rows_path, "rb") as rows:
        out.write(head)
        shutil.copyfileobj(rows, out, 1 << 20)
        out.write(tail)
    os.remove(rows_path)
    ALL_TEMP_FILES.remove(rows_path)


def _other_xml(ws, value, row_idx: int, col: int) -> str:
    """One cell's XML as openpyxl's own cell writer writes it (links and comments recorded on the sheet as
    _write_other does)."""
    buffer = io.BytesIO()
    with xmlfile(buffer) as xf:
        _write_other(ws, xf, value, row_idx, col)
    return buffer.getvalue().decode("utf-8")


def _write_other(ws, xf, value, row_idx: int, col: int) -> None:
    """One cell through openpyxl's own conversion and writer (as WriteOnlyWorksheet._values_to_row does)."""
    if isinstance(value, Cell):
        cell = value
    else:
        cell = WriteOnlyCell(ws)
        cell.value = value
    cell.column = col
    cell.row = row_idx
    if cell.hyperlink is not None:
        cell.hyperlink.ref = cell.coordinate
    if cell._comment is not None:
        from openpyxl.comments.comment_sheet import CommentRecord

        ws._comments.append(CommentRecord.from_cell(cell))
    if cell._value is None and not cell.has_style and not cell._comment:
        return
    write_cell(xf, ws, cell, cell.has_style)


def fast_rows(ws):
    """Give a write-only worksheet the fast row writer (before its first append); returns it. Without lxml
    (openpyxl's other XML writer) the worksheet is left as it is."""
    if LXML and ws._rows is None:
        ws._write_rows = types.MethodType(_write_rows, ws)
    return ws
