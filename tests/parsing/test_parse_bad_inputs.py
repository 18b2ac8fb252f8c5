"""Input that is not a readable report: each gets a ParseError with a stable code and a Chinese
message — never a traceback, never numbers. The inputs are made here, at test time."""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

import reports.parsing as parsing
from reports.parsing import ParseError, parse_document
from tests.parsing.helpers import CORPUS, FIXTURES

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refused(source: bytes | Path, name: str | None = None) -> ParseError:
    with pytest.raises(ParseError) as err:
        parse_document(source, name)
    assert CHINESE.search(err.value.message), err.value.message
    return err.value


def _pdf_bytes(pdf: pdfium.PdfDocument) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空.txt"
    path.write_bytes(b"")
    err = refused(path)
    assert err.code == "empty" and "空.txt" in err.message


def test_whitespace_only() -> None:
    assert refused(b" \n\t\r\n  ", "blank.txt").code == "empty"


def test_random_bytes() -> None:
    data = random.Random(7).randbytes(5000)
    assert refused(data, "garbage.bin").code in ("not_text", "unsupported", "corrupt")


@pytest.mark.parametrize("name", ["garbage.txt", "garbage.docx", "garbage.pdf", "garbage.xlsx", "garbage"])
def test_random_bytes_under_any_name(name: str) -> None:
    data = random.Random(name).randbytes(3000)
    assert refused(data, name).code in ("not_text", "unsupported", "corrupt")


def test_truncated_docx() -> None:
    data = (CORPUS / "generated" / "r02_docx.docx").read_bytes()
    assert refused(data[: len(data) // 2], "cut.docx").code == "corrupt"


def test_truncated_xlsx() -> None:
    data = (CORPUS / "generated" / "r02_xlsx.xlsx").read_bytes()
    assert refused(data[: len(data) // 3], "cut.xlsx").code == "corrupt"


def test_zip_that_is_not_a_document() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not a report")
    err = refused(buf.getvalue(), "archive.docx")
    assert err.code == "unsupported" and "archive.docx" in err.message


def test_docx_without_body() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document xmlns:w='x'><broken")
    assert refused(buf.getvalue(), "broken.docx").code == "corrupt"


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as f:
        f.truncate(parsing.MAX_BYTES + 1)  # sparse: no 50 MB written
    err = refused(path)
    assert err.code == "too_large" and "MB" in err.message


def test_huge_bytes_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "MAX_BYTES", 1000)
    assert refused(b"x" * 1001, "big.txt").code == "too_large"


def test_text_that_is_not_a_report() -> None:
    poem = "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n" * 20
    err = refused(poem.encode("utf-8"), "poem.txt")
    assert err.code == "not_a_report" and "poem.txt" in err.message


def test_html_page_that_is_not_a_report() -> None:
    page = "<html><body><h1>通知</h1><p>明天放假。</p><table><tr><td>姓名</td><td>电话</td></tr></table></body></html>"
    assert refused(page.encode("utf-8"), "notice.html").code == "not_a_report"


def test_image_only_pdf() -> None:
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    bitmap = pdfium.PdfBitmap.new_native(40, 40, pdfium_c.FPDFBitmap_BGR)
    bitmap.fill_rect((200, 200, 200, 255), 0, 0, 40, 40)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(500, 700).translate(40, 60))
    page.insert_obj(image)
    page.gen_content()
    err = refused(_pdf_bytes(pdf), "scan.pdf")
    assert err.code == "scanned"
    assert err.message == "扫描件，无文字层，也没有识别出文字，请手工录入或上传原始 Word 文件"


def test_encrypted_pdf() -> None:
    assert refused(FIXTURES / "bad" / "encrypted.pdf").code == "encrypted"


def test_truncated_pdf() -> None:
    data = (CORPUS / "generated" / "r02_pdf.pdf").read_bytes()
    assert refused(data[: len(data) // 2], "cut.pdf").code == "corrupt"


def test_missing_file(tmp_path: Path) -> None:
    err = refused(tmp_path / "nope.txt")
    assert err.code == "not_found" and "nope.txt" in err.message


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("x")
    os.chmod(path, 0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file")
        assert refused(path).code == "not_readable"
    finally:
        os.chmod(path, 0o600)


def test_old_office_file_that_is_not_word_or_excel() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)
    assert refused(data, "thing.ppt").code == "unsupported"
