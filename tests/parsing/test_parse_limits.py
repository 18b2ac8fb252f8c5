"""Bombs inside Office files are refused from the archive's directory, before anything is expanded, or while
streaming when the directory lies; spreadsheets are streamed under a cell budget. (The memory and time figures for
the full-size bombs — a 1 GiB document.xml, two million cells — are in benchmarks/bombs.py.)"""

import pytest

from reports.parsing import ParseError, parse_document
from reports.parsing.limits import MAX_CELLS, MiB, ZipLimits, check_zip, open_zip, read_member
from tests.bombs import docx_bomb, lying_sizes, xlsx_cells, xlsx_far_row, zip_of
from tests.factories import FIXTURES


def refused(data: bytes, name: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_document(data, name)
    return caught.value


def test_a_docx_expanding_past_the_member_limit_is_refused_before_expanding():
    bomb = docx_bomb(64 * MiB)
    assert len(bomb) < MiB
    error = refused(bomb, "炸弹.docx")
    assert error.code == "too_large" and "word/document.xml" in error.message and "压缩炸弹" in error.message


def test_a_docx_with_an_absurd_compression_ratio_is_refused():
    error = refused(docx_bomb(30 * MiB), "比例.docx")  # below the size limit, but a thousandfold
    assert error.code == "too_large" and "压缩比" in error.message


def test_a_directory_that_lies_about_a_size_is_caught_while_reading():
    real = zip_of({"word/document.xml": b"<x>" + b"A" * 5_000_000 + b"</x>"})
    lying = lying_sizes(real, "word/document.xml", 1000)
    with open_zip(lying, "测试") as z:  # the directory says 1000 bytes: passes the check
        assert z.getinfo("word/document.xml").file_size == 1000
        with pytest.raises(Exception) as caught:
            read_member(z, "word/document.xml", "测试")
    assert not isinstance(caught.value, MemoryError)
    assert refused(lying_sizes(_real_docx(), "word/document.xml", 100), "谎报.docx").code in ("corrupt", "too_large")


def _real_docx() -> bytes:
    return (FIXTURES / "template-2021.docx").read_bytes()


def test_too_many_members_are_refused():
    archive = zip_of({f"m{i}.xml": b"x" for i in range(30)})
    import zipfile
    from io import BytesIO

    with zipfile.ZipFile(BytesIO(archive)) as z, pytest.raises(ParseError, match="30 个部件"):
        check_zip(z, "测试", ZipLimits(max_members=20))


def test_a_two_million_cell_xlsx_is_refused():
    bomb = xlsx_cells(2_000_000)
    assert len(bomb) < 512 * 1024
    error = refused(bomb, "两百万格.xlsx")
    # refused from the archive's directory (the sheet's expanded size), before openpyxl builds anything
    assert error.code == "too_large" and "xl/worksheets/sheet1.xml" in error.message


def test_a_sheet_past_the_cell_budget_is_refused_while_streaming():
    # random values compress badly: the archive passes its directory check, the stream is stopped
    sheet = xlsx_cells(MAX_CELLS + 50_000, columns=10, random_values=True, dimension="A1:B2", refs=True)
    error = refused(sheet, "大表.xlsx")
    assert error.code == "too_large" and "单元格" in error.message


def test_a_cell_a_million_rows_down_is_refused_not_padded_into_memory():
    assert refused(xlsx_far_row(1_000_000), "远行.xlsx").code == "too_large"


def test_real_spreadsheets_and_documents_still_read():
    for path in sorted((FIXTURES / "corpus").glob("**/*.xlsx"))[:3] + [FIXTURES / "template-2021.docx"]:
        parse_document(path.read_bytes(), path.name)
