"""The fast row writer of write-only sheets (reports/exports/fastrows.py) writes what openpyxl writes: the same
values, types, styles and links, read back cell for cell, and the same XML once parsed."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.hyperlink import Hyperlink

from reports.exports.fastrows import fast_rows

ROWS = [
    ["序号", "机关", None, 0, 7, 2_147_483_647, -3, 1.5, 1e-7, Decimal("12.3400"), Decimal("0")],
    [" leading", "trailing ", "  ", "", "a & b <c> d", "line\nbreak", "cr\r\nlf", "tab\there", "=", "]]>"],
    [" leading", "a & b", "cr\r\nlf", "=SUM(A1:A2)", 3],  # a formula-like string: the row takes the mixed path
    [
        "#N/A",
        "#DIV/0!",
        "'quoted",
        "emoji 😀",
        "全角　空格",
        True,
        False,
        date(2024, 1, 20),
        datetime(2024, 2, 1, 8, 30),
    ],
    [None, None, None],
    [],
    ["x" * 40_000, "𠀀 ext-B", "\u3000"],
]


def _workbook(fast: bool) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("表")
    if fast:
        fast_rows(ws)
    ws.row_dimensions[1].height = 30
    for row in ROWS:
        ws.append(row)
    styled = WriteOnlyCell(ws, value="链接")
    styled.font = Font(bold=True)
    styled.hyperlink = Hyperlink(ref="", location="'表'!A1")
    ws.append([1, styled, "tail"])
    ws.close()
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _canonical_sheet(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    return etree.tostring(etree.fromstring(xml), method="c14n")


def test_same_xml_as_openpyxl():
    assert _canonical_sheet(_workbook(fast=True)) == _canonical_sheet(_workbook(fast=False))


def test_same_values_read_back():
    fast = load_workbook(io.BytesIO(_workbook(fast=True)))["表"]
    slow = load_workbook(io.BytesIO(_workbook(fast=False)))["表"]
    cells = lambda ws: [(c.coordinate, c.value, c.data_type, c.font.b, c.hyperlink and c.hyperlink.location)  # noqa: E731
                        for row in ws.iter_rows() for c in row]  # fmt: skip
    assert cells(fast) == cells(slow)
    assert fast["B2"].value == "trailing " and fast["G2"].value == "cr\r\nlf" and fast["D3"].value == "=SUM(A1:A2)"
    assert fast.row_dimensions[1].height == 30


def test_illegal_characters_refused_as_openpyxl_does():
    wb = Workbook(write_only=True)
    ws = fast_rows(wb.create_sheet("表"))
    with pytest.raises(IllegalCharacterError):
        ws.append(["ok", "bad \x01 char"])
