"""The OCR reader on a real scan (two pages of a filled template, printed, stamped, tilted, noisy), on
picture files and Word files made of pictures, and the "never guess" rules on hand-made readings.

The scan in tests/fixtures/scans was made by benchmarks/tools/make_scans.py from pages 3-4 of the corpus
document generated/r12_pdf.pdf: 表三 (sub-row labels missing, as printed) and 表四, 190 cells.
"""

from __future__ import annotations

import io
import math
from functools import cache

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from reports import canonical
from reports.parsing import ParseError, parse_document
from reports.parsing import pdf as pdf_reader
from reports.parsing.assemble import Assembly
from reports.parsing.crop import CropError, render_crop
from reports.parsing.document import Document, GridCell, Table
from reports.parsing.infer import infer
from reports.parsing.ocr import OcrGlyph, OcrPage
from reports.parsing.ocr_image import grey, ruling_lines, skew_angle
from reports.parsing.ocr_pdf import ocr_available
from reports.parsing.ocr_vet import UNCONFIRMED, UNSURE, vet
from reports.parsing.pdf_grid import Char
from reports.parsing.types import CellSource
from tests.parsing.helpers import FIXTURES, compare, load_label

SCAN = FIXTURES / "scans" / "r12_p3-4_scan.pdf"
LABEL = load_label(SCAN.with_suffix(".json"))
ON_THE_PAGES = canonical.TABLE3_KEYS + canonical.TABLE4_KEYS

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="OCR 模型未安装（requirements-ocr.txt）")


@cache
def scanned():
    return parse_document(SCAN)


@cache
def page_picture(n: int) -> bytes:
    pdf = pdfium.PdfDocument(str(SCAN))
    try:
        image = pdf[n - 1].render(scale=160 / 72).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(160, 160))
    return out.getvalue()


@needs_ocr
def test_scan_reads_its_tables_without_a_wrong_cell():
    report = scanned()
    wrong, missing = compare(LABEL, report.values)
    assert wrong == [], [(k, canonical.flatten(LABEL)[k], report.values[k]) for k in wrong]
    read = [k for k in ON_THE_PAGES if k not in missing]
    assert len(read) >= 180, sorted(set(ON_THE_PAGES) & set(missing))
    warned = {k for w in report.warnings for k in w.keys}
    assert set(missing) <= warned


@needs_ocr
def test_scan_cells_keep_page_and_box_for_the_picture():
    report = scanned()
    for key in ON_THE_PAGES:
        src = report.provenance[key]
        assert src.page in (1, 2), key
        left, top, right, bottom = src.box  # fractions of the page as scanned
        assert 0 <= left < right <= 1 and 0 <= top < bottom <= 1, (key, src.box)
        assert 8 < (right - left) * 595 < 120 and 8 < (bottom - top) * 842 < 60, (key, src.box)
    # the 表四 block sits on the second page, below 表三's end
    assert report.provenance["review_litigation.review.total"].page == 2


@needs_ocr
def test_scan_texts_are_recognised():
    text = scanned().text
    assert "四、政府信息公开行政复议、行政诉讼情况" in text
    assert "五、存在的主要问题及改进情况" in text


@needs_ocr
def test_crop_of_a_cell_is_the_cell():
    src = scanned().provenance["review_litigation.litigation_direct.upheld"]
    png = render_crop(SCAN.read_bytes(), SCAN.name, src.page, src.box)
    image = Image.open(io.BytesIO(png))
    left, top, right, bottom = src.box
    assert image.format == "PNG"
    assert math.isclose(image.width, ((right - left) * 595 + 8) * 160 / 72, rel_tol=0.1)
    # the cell's number is dark ink in the middle of the crop
    grey_crop = np.asarray(image.convert("L"))
    h, w = grey_crop.shape
    assert grey_crop[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].min() < 100
    with pytest.raises(CropError):
        render_crop(SCAN.read_bytes(), SCAN.name, 9, src.box)


@needs_ocr
def test_picture_file_and_word_file_of_pictures():
    png = page_picture(2)
    report = parse_document(png, "第4页.png")
    assert report.format == "image"
    for key in canonical.TABLE4_KEYS:
        assert report.values[key] in (canonical.flatten(LABEL)[key], None), key
    assert sum(report.values[k] is not None for k in canonical.TABLE4_KEYS) >= 13

    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.add_picture(io.BytesIO(png), width=Cm(19))
    buffer = io.BytesIO()
    document.save(buffer)
    from_word = parse_document(buffer.getvalue(), "扫描件.docx")
    assert from_word.format == "docx"
    assert {k: from_word.values[k] for k in canonical.TABLE4_KEYS} == {
        k: report.values[k] for k in canonical.TABLE4_KEYS
    }
    src = from_word.provenance["review_litigation.review.total"]
    assert render_crop(buffer.getvalue(), "扫描件.docx", src.page, src.box).startswith(b"\x89PNG")


def test_scan_without_the_ocr_model_says_so(monkeypatch):
    monkeypatch.setattr(pdf_reader, "ocr_available", lambda: False)
    with pytest.raises(ParseError) as exc:
        parse_document(SCAN)
    assert exc.value.code == "scanned" and "文字识别组件未安装" in exc.value.message


# --- image processing on drawn pages --------------------------------------------------------------------


def _page(width: int = 800, height: int = 600) -> np.ndarray:
    return np.full((height, width, 3), 245, dtype=np.uint8)


def test_red_seal_goes_and_black_text_under_it_stays():
    page = _page()
    page[100:110, 100:400] = (20, 20, 20)  # a black stroke
    page[80:130, 250:500] = (215, 60, 70)  # a red seal over part of it
    page[100:110, 250:400] = (25, 5, 8)  # the black stroke under the red ink
    g = grey(page)
    assert g[105, 150] < 60 and g[105, 300] < 60  # the stroke, with and without the seal over it
    assert g[90, 450] == 255 and g[120, 300] == 255  # the seal itself


def test_tilt_is_measured():
    from reports.parsing.ocr_image import rotate

    page = np.full((600, 800), 250, dtype=np.uint8)
    for y in range(100, 500, 40):
        page[y : y + 2, 100:700] = 0
    tilted = rotate(page, 1.5)
    assert abs(skew_angle(tilted < 128) - 1.5) < 0.1


def test_ruling_lines_but_not_bold_text():
    page = np.zeros((300, 600), dtype=bool)
    page[50:52, 50:550] = True  # a table border
    page[50:250, 50:52] = True
    page[150:170, 300:305] = True  # a short vertical stroke of a character: no line
    for x in range(100, 500, 30):  # a row of bold characters (田) set so tight their strokes run together
        for y in (200, 213, 226):
            page[y : y + 5, x : x + 29] = True
        for dx in (0, 12, 24):
            page[200:231, x + dx : x + dx + 5] = True
    found = ruling_lines(page, min_h=80, min_v=40, join=3)
    assert any(ln.horizontal and abs(ln.pos - 50.5) < 1 and ln.hi - ln.lo > 450 for ln in found)
    assert any(not ln.horizontal and abs(ln.pos - 50.5) < 1 for ln in found)
    assert not any(ln.horizontal and 195 < ln.pos < 235 for ln in found)
    assert not any(not ln.horizontal and 295 < ln.pos < 310 for ln in found)


# --- never guess: what a reading must be to be taken ---------------------------------------------------

T4 = [canonical.t4("review", c) for c in canonical.TABLE4_COLUMN_KEYS]


SURE = {"prob": 0.999, "digit_prob": 0.999, "rival_prob": 0.0001}


def _ocr_case(cells: dict[str, tuple[str, dict]]) -> tuple[Assembly, Document]:
    """表四's first row (and 表二's 行政许可) read from a picture: each key → (text seen, glyph stats)."""
    asm = Assembly()
    grid = []
    page = OcrPage(number=2, width=595, height=842, angle=0.0)
    for col, key in enumerate([*T4, "active_disclosure.licensing.decisions"]):
        x0, y0, x1, y1 = 100 + 40 * col, 400, 130 + 40 * col, 420  # points, y upwards
        grid.append(GridCell("", page=2, box=(x0 / 595, 1 - y1 / 842, x1 / 595, 1 - y0 / 842)))
        text, stats = cells.get(key, ("", {}))
        for i, ch in enumerate(text):
            cx = x0 + 5 + 8 * i
            page.chars.append(Char(ch, cx - 4, y0 + 5, cx + 4, y1 - 5, cx, (y0 + y1) / 2))
            glyph = {"alt": "", "alt_prob": 0.0, "doubt": 0.0, "height": 0.7, "digit": ch, **SURE, **stats}
            page.glyphs.append(OcrGlyph(ch, token=col, **glyph))
        value = int(text) if text.isdigit() else None
        asm.values[key] = value
        asm.provenance[key] = CellSource(raw=text, location="第2页", page=2, table=0, row=0, col=col, blank=not text)
    table = Table(rows=(tuple(grid),), index=0, page=2)
    return asm, Document("pdf", tables=(table,), ocr=(page,))


def _row(values: list[str], stats: dict[int, dict] | None = None) -> dict[str, tuple[str, dict]]:
    stats = stats or {}
    return {key: (v, stats.get(i, {})) for i, (key, v) in enumerate(zip(T4, values, strict=True))}


def test_sure_digits_whose_row_adds_up_are_taken_with_their_box():
    asm, doc = _ocr_case(_row(["3", "1", "0", "2", "6"]))
    vet(asm, doc)
    assert [asm.values[k] for k in T4] == [3, 1, 0, 2, 6]
    # the cell's box on the page as scanned (here not tilted), as fractions of the page from its top left
    assert asm.provenance[T4[0]].box == pytest.approx((100 / 595, 422 / 842, 130 / 595, 442 / 842), abs=1e-4)
    assert not asm.warnings


def test_a_letter_is_never_taken_for_a_digit_but_the_arithmetic_may_prove_it():
    letter_o = {"prob": 0.8, "digit": "0", "digit_prob": 0.99, "rival_prob": 0.001}  # read "O"; a 0 by its shape
    asm, doc = _ocr_case(_row(["3", "O", "0", "2", "5"], {1: letter_o}))
    readings = vet(asm, doc)
    assert asm.values[T4[1]] is None and asm.provenance[T4[1]].missing
    infer(asm, readings=readings)
    # the others are confirmed once the row's arithmetic proves the round glyph a 0, which it looks like
    assert [asm.values[k] for k in T4] == [3, 0, 0, 2, 5]
    assert asm.provenance[T4[1]].inferred and not asm.provenance[T4[0]].inferred


def test_an_unsure_digit_the_arithmetic_contradicts_stays_unread():
    unsure = {"prob": 0.9, "digit_prob": 0.9, "rival_prob": 0.08}
    asm, doc = _ocr_case(_row(["3", "8", "0", "2", "6"], {1: unsure}))  # 3 + 1 + 0 + 2 = 6: the 8 is a misread 1
    readings = vet(asm, doc)
    infer(asm, readings=readings)
    assert all(asm.values[k] is None for k in T4)
    message = next(w.message for w in asm.warnings if w.code == UNSURE)
    assert message.startswith("第2页 表四 行政复议 结果纠正（读作“8”）") and "识别不确定" in message


def test_a_report_that_does_not_add_up_is_not_corrected():
    asm, doc = _ocr_case(_row(["3", "1", "0", "2", "7"]))  # printed total 7, parts 6
    readings = vet(asm, doc)
    infer(asm, readings=readings)
    assert all(asm.values[k] is None and asm.provenance[k].missing for k in T4)
    warning = next(w for w in asm.warnings if w.code == UNCONFIRMED)
    assert set(warning.keys) == set(T4) and "原表本身计算有误" in warning.message


def test_table_two_cells_stand_on_their_certainty_alone():
    licensing = "active_disclosure.licensing.decisions"
    asm, doc = _ocr_case({**_row(["3", "1", "0", "2", "7"]), licensing: ("12", {})})
    vet(asm, doc)
    assert asm.values[licensing] == 12
    asm, doc = _ocr_case({licensing: ("5", {"prob": 0.95, "digit_prob": 0.95, "rival_prob": 0.04})})
    vet(asm, doc)
    assert asm.values[licensing] is None
    assert any("表二 行政许可 本年处理决定数量（读作“5”）" in w.message for w in asm.warnings)


def test_a_speck_is_no_digit():
    speck = {"height": 0.2}
    asm, doc = _ocr_case(_row(["3", "1", "0", "2", "6"], {1: speck}))
    vet(asm, doc)
    assert asm.values[T4[1]] is None
    assert any("笔画大小不像数字" in w.message for w in asm.warnings)


def test_how_many_pages_need_ocr():
    from reports.parsing import ocr_pages

    assert ocr_pages(SCAN.read_bytes(), SCAN.name) == 2
    text_pdf = next((FIXTURES / "corpus").glob("*/*.pdf"))
    assert ocr_pages(text_pdf.read_bytes(), text_pdf.name) == 0
    assert ocr_pages(b"not a report", "x.txt") == 0
