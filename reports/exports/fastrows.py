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
import types
from decimal import Decimal

from lxml.etree import xmlfile
from openpyxl import LXML
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
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


def _write_rows(self):
    """WriteOnlyWorksheet._write_rows with the fast path (same protocol: a generator fed one row at a time).

    Each row is one string of ``<c>`` elements parsed once into the row element: plain numbers and strings are
    formatted here, anything else (a date, a styled cell, a link, a formula) is written by openpyxl's own cell
    writer into a small buffer and its XML taken as it is — so a row with one date among 200 numbers is no slower
    than a plain one."""
    try:
        xf = self._writer.xf.send(True)
    except StopIteration:
        self._already_saved()
    dims = self.row_dimensions
    letters = _LETTERS
    with xf.element("sheetData"):
        row_idx = 1
        try:
            while True:
                values = yield
                attrs = {"r": f"{row_idx}"}
                attrs.update(dims.get(row_idx, {}))
                if len(values) > len(letters):
                    _letter(len(values))
                r = str(row_idx)
                parts = []
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
                            parts.append(_other_xml(self, value, row_idx, i + 1))
                    else:
                        parts.append(_other_xml(self, value, row_idx, i + 1))
                row = Element("row", attrs)
                if parts:
                    row.extend(fromstring(f"<row>{''.join(parts)}</row>"))
                xf.write(row)
                row_idx += 1
        except GeneratorExit:
            pass
    self._writer.xf.send(None)


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
