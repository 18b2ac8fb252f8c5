"""Faster rows for openpyxl's write-only worksheets: the same XML, without a Cell object and an lxml context
manager per cell.

openpyxl turns every appended value into a WriteOnlyCell, infers its type, and writes it through nested
``xf.element`` contexts — about 10 µs a cell, which made the county workbook of a province (8 million cells) take
minutes. `fast_rows(ws)` replaces the worksheet's row writer: a value openpyxl would write as a plain number or an
inline string (int, float, Decimal; a str that is not formula-like, not an error code and has no illegal
character) becomes its ``<c>`` element directly, built in one lxml tree per row; anything else (None is skipped
as openpyxl does; styled cells, hyperlinks, dates, formulas, booleans, odd strings) goes through openpyxl's own
cell conversion and writer, so the file is what openpyxl writes, cell for cell.
"""

from __future__ import annotations

import types
from decimal import Decimal

from openpyxl import LXML
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import XML_NS, Element, SubElement, fromstring

_NUMBERS = (int, float, Decimal)  # exact types: bool (a subclass of int) is written by openpyxl as 'b'
_SPACE = f"{{{XML_NS}}}space"
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


def _append_plain(row, ref: str, kind: str, value) -> None:
    if kind == "n":
        c = SubElement(row, "c", {"r": ref, "t": "n"})
        SubElement(c, "v").text = safe_string(value)
        return
    c = SubElement(row, "c", {"r": ref, "t": "inlineStr"})
    if value == "":
        return  # openpyxl writes an empty string as an empty cell
    t = SubElement(SubElement(c, "is"), "t", {_SPACE: "preserve"} if value != value.strip() else {})
    t.text = value


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
    """WriteOnlyWorksheet._write_rows with the fast path (same protocol: a generator fed one row at a time)."""
    try:
        xf = self._writer.xf.send(True)
    except StopIteration:
        self._already_saved()
    dims = self.row_dimensions
    with xf.element("sheetData"):
        row_idx = 1
        try:
            while True:
                values = yield
                attrs = {"r": f"{row_idx}"}
                attrs.update(dims.get(row_idx, {}))
                kinds = [None if v is None else _plain(v) for v in values]
                if all(k is not None or v is None for k, v in zip(kinds, values, strict=True)):
                    # One parse of the row's text builds its elements far faster than a SubElement a cell.
                    row = Element("row", attrs)
                    r = str(row_idx)
                    cells = "".join(
                        _cell_xml(_letter(col) + r, kind, value)
                        for col, (kind, value) in enumerate(zip(kinds, values, strict=True), start=1)
                        if kind is not None
                    )
                    if cells:
                        row.extend(fromstring(f"<row>{cells}</row>"))
                    xf.write(row)
                else:
                    with xf.element("row", attrs):
                        for col, (kind, value) in enumerate(zip(kinds, values, strict=True), start=1):
                            if value is None:
                                continue
                            if kind is not None:
                                cells = Element("row")
                                _append_plain(cells, f"{_letter(col)}{row_idx}", kind, value)
                                xf.write(cells[0])
                                continue
                            _write_other(self, xf, value, row_idx, col)
                row_idx += 1
        except GeneratorExit:
            pass
    self._writer.xf.send(None)


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
