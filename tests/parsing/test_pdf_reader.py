"""The PDF reader (reports/parsing/pdf.py): tables read by position, running text, refusals.

Pure tests, no database. The corpus PDFs are checked against their labels; the geometry rules are
checked on hand-made characters and ruling lines and on small PDFs drawn here with pdfium.
"""

from __future__ import annotations

import ctypes
import io
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from reports import canonical
from reports.parsing.document import Document, Table
from reports.parsing.pdf import SCANNED_MESSAGE, read_pdf
from reports.parsing.pdf_grid import Char, GridTable, Segment, find_tables, upright
from reports.parsing.types import ParseError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPUS = FIXTURES / "corpus"
LABELLED = sorted(p for p in CORPUS.glob("*/*.pdf") if p.with_suffix(".json").exists())
ALL_PDFS = sorted(CORPUS.glob("*/*.pdf"))
HEADINGS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
)
HEADING = re.compile(r"^(?:[一二三四五六]|[1-6])[、.．]\s*(" + "|".join(HEADINGS) + ")")

_CACHE: dict[Path, Document] = {}


def read(path: Path) -> Document:
    if path not in _CACHE:
        _CACHE[path] = read_pdf(path.read_bytes())
    return _CACHE[path]


def label(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s“”\"]", "", text)


def own_cells(row) -> list[str]:
    """The texts of a row's cells, each merged cell once (at its top-left position)."""
    return [c.text for c in row if not c.merged]


def find_row(doc: Document, row_label: str) -> tuple[Table, int]:
    """The (table, row index) whose cells include ``row_label`` as a cell of its own row."""
    want = norm(row_label)
    for table in doc.tables:
        for i, row in enumerate(table.rows):
            if any(norm(c.text) == want and not c.merged for c in row):
                return table, i
    raise AssertionError(f"no row labelled {row_label}")


def values_after(row, row_label: str, n: int) -> list[str]:
    """The ``n`` cells that follow the cell ``row_label`` in a row (merged cells counted once)."""
    cells = own_cells(row)
    start = [norm(t) for t in cells].index(norm(row_label)) + 1
    return cells[start : start + n]


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def number(text: str) -> str:
    return format(Decimal(text).normalize(), "f") if text else ""


# --------------------------------------------------------------------------------------------
# the corpus


@pytest.mark.parametrize("path", LABELLED, ids=lambda p: p.name)
def test_table3_rows_carry_the_labelled_numbers(path: Path) -> None:
    doc, truth = read(path), label(path)["applications"]
    checked = 0
    for row in canonical.TABLE3_ROWS:
        try:
            table, i = find_row(doc, row.label)
        except AssertionError:
            # Sub-row labels are missing in some files (numbers only); the top-level rows never are.
            assert row.group is not None, f"{row.label} not found"
            continue
        got = values_after(table.rows[i], row.label, 7)
        want = [as_text(truth[row.key][c]) for c in canonical.TABLE3_COLUMN_KEYS]
        assert got == want, row.label
        checked += 1
    assert checked >= 6


@pytest.mark.parametrize("path", LABELLED, ids=lambda p: p.name)
def test_table4_data_row_carries_the_labelled_numbers(path: Path) -> None:
    doc, truth = read(path), label(path)["review_litigation"]
    table, i = find_row(doc, "行政复议")
    data = [c.text for c in table.rows[-1]]
    want = [as_text(truth[b][c]) for b in canonical.TABLE4_BLOCK_KEYS for c in canonical.TABLE4_COLUMN_KEYS]
    assert i == 0 and data == want
    assert not any(c.merged for c in table.rows[-1])


@pytest.mark.parametrize("path", LABELLED, ids=lambda p: p.name)
def test_table2_rows_carry_the_labelled_numbers(path: Path) -> None:
    doc, truth = read(path), label(path)["active_disclosure"]
    for row_label, key, cols in (
        ("规章", "regulations", ("issued", "repealed", "in_force")),
        ("行政规范性文件", "normative_documents", ("issued", "repealed", "in_force")),
        ("行政许可", "licensing", ("decisions",)),
        ("行政处罚", "punishment", ("decisions",)),
        ("行政强制", "coercion", ("decisions",)),
        ("行政事业性收费", "fees", ("amount",)),
    ):
        table, i = find_row(doc, row_label)
        got = [number(t) for t in values_after(table.rows[i], row_label, len(cols))]
        assert got == [as_text(truth[key][c]) for c in cols], row_label


@pytest.mark.parametrize("path", ALL_PDFS, ids=lambda p: p.name)
def test_merged_cells_are_expanded(path: Path) -> None:
    doc = read(path)
    table, top = find_row(doc, "三、本年度办理结果")
    col = next(j for j, c in enumerate(table.rows[top]) if norm(c.text) == norm("三、本年度办理结果"))
    below = [row[col] for row in table.rows[top + 1 :]]
    span = 0
    for cell in below:
        if not cell.merged:
            break
        assert cell.text == table.rows[top][col].text
        span += 1
    # It covers every outcome row on its page: down to 四、结转下年度继续办理 or to the page break.
    end = top + 1 + span
    assert span >= 5
    assert end == len(table.rows) or norm(table.rows[end][0].text) == norm("四、结转下年度继续办理")

    table, top = find_row(doc, "行政复议")
    header = table.rows[0][:5]
    assert [c.text for c in header] == ["行政复议"] * 5
    assert [c.merged for c in header] == [False, True, True, True, True]
    assert all(len(row) == t.width for t in doc.tables for row in t.rows)  # rectangular grids


@pytest.mark.parametrize("path", ALL_PDFS, ids=lambda p: p.name)
def test_running_text_has_the_six_headings_in_order_and_tables_between_them(path: Path) -> None:
    doc = read(path)
    found = [(HEADING.match(line.text), line) for line in doc.lines]
    headings = [(m.group(1), line.line) for m, line in found if m]
    assert [h for h, _ in headings] == list(HEADINGS)
    assert [line.line for line in doc.lines] == list(range(1, len(doc.lines) + 1))
    at = dict(headings)
    table3, _ = find_row(doc, "一、本年新收政府信息公开申请数量")
    assert at[HEADINGS[2]] <= table3.after_line < at[HEADINGS[3]]
    table4, _ = find_row(doc, "行政复议")
    assert at[HEADINGS[3]] <= table4.after_line < at[HEADINGS[4]]
    # Table text is not running text, and footers that are only a page number are dropped.
    assert not any("本年新收政府信息公开申请数量" in line.text for line in doc.lines)
    assert not any(re.fullmatch(r"[-—\s]*\d+[-—\s]*", line.text) for line in doc.lines)
    assert not any(re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", line.text) for line in doc.lines[:5])


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [
        ("generated/r05_pdf.pdf", "5.属于三类内部事务信息", "6.属于四类过程性信息"),
        ("real/003_huaian_shi_2024.pdf", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作"),
    ],
)
def test_a_table_split_by_a_page_break_comes_out_as_two_tables_of_one_width(name, first, second) -> None:
    doc = read(CORPUS / name)
    (a, _), (b, _) = find_row(doc, first), find_row(doc, second)
    assert a.index + 1 == b.index and a.page is not None and b.page == a.page + 1
    assert a.width == b.width
    assert all(c.page == b.page for row in b.rows for c in row)


def test_a_label_split_by_the_page_break_stays_in_its_column() -> None:
    doc = read(CORPUS / "real/003_huaian_shi_2024.pdf")
    a, i = find_row(doc, "1.本机关不掌握相关政府信息")
    b, j = find_row(doc, "2.没有现成信息需要另行制作")
    head, tail = a.rows[i][1].text, b.rows[j][1].text
    assert norm(head + tail) == norm("（四）无法提供") and head and tail


def test_metadata_dates_are_iso() -> None:
    doc = read(CORPUS / "real/003_huaian_shi_2024.pdf")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc.metadata["CreationDate"])
    assert doc.pages == 6 and doc.format == "pdf"


# --------------------------------------------------------------------------------------------
# refusals


def test_scanned_pdf_is_refused_with_the_exact_message() -> None:
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    bitmap = pdfium.PdfBitmap.new_native(40, 40, pdfium_c.FPDFBitmap_BGR)
    bitmap.fill_rect((200, 200, 200, 255), 0, 0, 40, 40)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(500, 700).translate(40, 60))
    page.insert_obj(image)
    page.gen_content()
    with pytest.raises(ParseError) as err:
        read_pdf(_save(pdf))
    assert err.value.code == "scanned"
    assert err.value.message == SCANNED_MESSAGE == "扫描件，无文字层，也没有识别出文字，请手工录入或上传原始 Word 文件"


def test_encrypted_pdf_is_refused() -> None:
    with pytest.raises(ParseError) as err:
        read_pdf((FIXTURES / "bad/encrypted.pdf").read_bytes())
    assert err.value.code == "encrypted"
    assert re.search(r"[\u4e00-\u9fff]", err.value.message)


def test_pdf_with_only_a_permissions_password_is_read() -> None:
    doc = read_pdf((FIXTURES / "bad/permissions_only.pdf").read_bytes())
    assert [line.text for line in doc.lines][:1] == ["一、总体情况"]


@pytest.mark.parametrize(
    "cut",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:-200],
        lambda data: b"",
        lambda data: b"<html>not a pdf</html>",
        lambda data: data[:1024] + bytes(5000) + b"%%EOF\n",
    ],
    ids=["half", "tail", "empty", "html", "garbage-body"],
)
def test_broken_pdf_is_refused_as_corrupt(cut) -> None:
    data = (CORPUS / "generated/r02_pdf.pdf").read_bytes()
    with pytest.raises(ParseError) as err:
        read_pdf(cut(data))
    assert err.value.code == "corrupt"
    assert re.search(r"[\u4e00-\u9fff]", err.value.message)


def test_pdf_without_pages_is_refused_as_corrupt() -> None:
    with pytest.raises(ParseError) as err:
        read_pdf(_save(pdfium.PdfDocument.new()))
    assert err.value.code == "corrupt"


# --------------------------------------------------------------------------------------------
# small PDFs drawn here: what Word draws (filled rectangles) and content in column order


class _Drawing:
    """A one-page PDF drawn with pdfium: lines, filled rectangles and Helvetica text."""

    def __init__(self, width: float = 400, height: float = 300) -> None:
        self.pdf = pdfium.PdfDocument.new()
        self.page = self.pdf.new_page(width, height)
        self.pages = [self.page]

    def line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        path = pdfium_c.FPDFPageObj_CreateNewPath(x0, y0)
        pdfium_c.FPDFPath_LineTo(path, x1, y1)
        pdfium_c.FPDFPageObj_SetStrokeColor(path, 0, 0, 0, 255)
        pdfium_c.FPDFPageObj_SetStrokeWidth(path, 0.5)
        pdfium_c.FPDFPath_SetDrawMode(path, 0, True)
        pdfium_c.FPDFPage_InsertObject(self.page.raw, path)

    def bar(self, x: float, y: float, w: float, h: float, grey: int = 0) -> None:
        path = pdfium_c.FPDFPageObj_CreateNewRect(x, y, w, h)
        pdfium_c.FPDFPageObj_SetFillColor(path, grey, grey, grey, 255)
        pdfium_c.FPDFPath_SetDrawMode(path, pdfium_c.FPDF_FILLMODE_WINDING, False)
        pdfium_c.FPDFPage_InsertObject(self.page.raw, path)

    def polygon(self, points: list[tuple[float, float]]) -> None:
        path = pdfium_c.FPDFPageObj_CreateNewPath(*points[0])
        for x, y in points[1:]:
            pdfium_c.FPDFPath_LineTo(path, x, y)
        pdfium_c.FPDFPath_Close(path)
        pdfium_c.FPDFPageObj_SetFillColor(path, 0, 0, 0, 255)
        pdfium_c.FPDFPath_SetDrawMode(path, pdfium_c.FPDF_FILLMODE_WINDING, False)
        pdfium_c.FPDFPage_InsertObject(self.page.raw, path)

    def text(
        self, s: str, x: float, y: float, size: float = 10, turn: bool = False, invisible: bool = False, page=None
    ) -> None:
        obj = pdfium_c.FPDFPageObj_NewTextObj(self.pdf.raw, b"Helvetica", ctypes.c_float(size))
        buf = ctypes.create_string_buffer((s + "\0").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        if invisible:  # how an OCR program lays its guesses over a scanned picture
            pdfium_c.FPDFTextObj_SetTextRenderMode(obj, pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
        if turn:  # drawn turned a quarter left, so that it reads upright on a page shown rotated 90°
            pdfium_c.FPDFPageObj_Transform(obj, 0, 1, -1, 0, 0, 0)
        pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
        pdfium_c.FPDFPage_InsertObject((page or self.page).raw, obj)

    def picture(self, page=None) -> None:
        bitmap = pdfium.PdfBitmap.new_native(10, 10, pdfium_c.FPDFBitmap_BGR)
        image = pdfium.PdfImage.new(self.pdf)
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(300, 200))
        (page or self.page).insert_obj(image)

    def new_page(self):
        self.pages.append(self.pdf.new_page(400, 300))
        return self.pages[-1]

    def bytes(self) -> bytes:
        for page in self.pages:
            page.gen_content()
        return _save(self.pdf)


def _save(pdf: pdfium.PdfDocument) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _word_style_table(d: _Drawing, shaded: bool = False) -> None:
    """3 rows × 3 columns of filled 0.5 pt bars; the top row's first two cells are one merged cell."""
    xs, ys = (50, 150, 250, 350), (250, 220, 190, 160)
    if shaded:  # a grey shaded cell is not a border
        d.bar(150, 190, 100, 30, grey=200)
    for y in ys:
        d.bar(50, y - 0.25, 300, 0.5)
    for x in xs:
        top = 220 if x == 150 else 250  # no border between the first two cells of the top row
        d.bar(x - 0.25, 160, 0.5, top - 160)


def test_word_style_table_is_read_by_position_even_when_drawn_column_by_column() -> None:
    d = _Drawing()
    d.text("Intro line", 50, 270)
    _word_style_table(d, shaded=True)
    # Content order is column by column: a plain text extraction would read "Row A Row B 12 3 …".
    for text, x, y in (
        ("Header", 60, 230),
        ("Row A", 60, 200),
        ("Row B", 60, 170),
        ("12", 160, 200),
        ("3", 160, 170),
        ("Total", 260, 230),
        ("45", 260, 200),
        ("0", 260, 170),
    ):
        d.text(text, x, y)
    d.text("After the table", 50, 130)
    doc = read_pdf(d.bytes())
    assert [line.text for line in doc.lines] == ["Intro line", "After the table"]
    (table,) = doc.tables
    assert [[(c.text, c.merged) for c in row] for row in table.rows] == [
        [("Header", False), ("Header", True), ("Total", False)],
        [("Row A", False), ("12", False), ("45", False)],
        [("Row B", False), ("3", False), ("0", False)],
    ]
    assert table.after_line == 1 and table.page == 1


def test_borders_with_mitred_ends_are_lines() -> None:
    # A browser draws every border of a cell as a filled shape; where it meets a thicker border, its
    # end is cut on the slant. A 0.8 pt border ending in a 3 pt slant is still a border.
    d = _Drawing()
    for y in (250, 220):
        d.polygon([(50, y), (350.8, y), (350.8, y - 0.8), (50, y - 0.8)])
    d.polygon([(50, 190), (350.8, 190), (350.8, 187), (50, 187)])  # a 3 pt bottom border
    for x in (50, 150, 250, 350):
        d.polygon([(x, 250), (x, 190), (x + 0.8, 187), (x + 0.8, 250)])
    for text, x, y in (("Row A", 60, 230), ("12", 160, 230), ("3", 260, 230), ("Row B", 60, 200), ("0", 160, 200),
                       ("45", 260, 200)):  # fmt: skip
        d.text(text, x, y)
    (table,) = read_pdf(d.bytes()).tables
    assert [[c.text for c in row] for row in table.rows] == [["Row A", "12", "3"], ["Row B", "0", "45"]]


def test_a_row_carried_over_a_page_break_without_its_top_border_is_a_table() -> None:
    # The border above the row was drawn at the foot of the page before: here only the bottom line
    # and the vertical lines are drawn.
    d = _Drawing()
    d.line(50, 200, 350, 200)
    for x in (50, 150, 350):
        d.line(x, 200, x, 230)
    d.text("Fees", 60, 210)
    d.text("0", 160, 210)
    d.text("Text under it", 50, 150)
    doc = read_pdf(d.bytes())
    assert [[c.text for c in row] for row in doc.tables[0].rows] == [["Fees", "0"]]
    assert [line.text for line in doc.lines] == ["Text under it"]


def test_a_running_header_and_footer_are_left_out() -> None:
    # A browser's print: date and title at the top of every page, address and page count at the foot.
    d = _Drawing()
    pages = [d.page, d.new_page(), d.new_page()]
    for n, page in enumerate(pages, start=1):
        d.text("11/22/26, 3:44 AM   Annual report", 10, 285, size=7, page=page)
        d.text(f"file:///tmp/report.html   {n}/3", 10, 8, size=7, page=page)
        d.text(f"Body text of page {n}", 40, 150, page=page)
    d.text("Annual report", 40, 250, size=14, page=pages[0])
    doc = read_pdf(d.bytes())
    assert [line.text for line in doc.lines] == [
        "Annual report",
        "Body text of page 1",
        "Body text of page 2",
        "Body text of page 3",
    ]


def test_a_line_repeated_on_two_pages_only_is_kept() -> None:
    d = _Drawing()
    pages = [d.page, d.new_page()]
    for page in pages:
        d.text("Same words on both pages", 10, 285, page=page)
    doc = read_pdf(d.bytes())
    assert [line.text for line in doc.lines] == ["Same words on both pages"] * 2


def test_lines_that_do_not_close_a_box_are_no_table() -> None:
    d = _Drawing()
    d.line(50, 200, 350, 200)
    d.line(50, 200, 50, 230)
    d.line(350, 200, 350, 260)  # the sides stop at different heights: no row of a table
    d.text("Fees 0", 60, 210)
    doc = read_pdf(d.bytes())
    assert doc.tables == () and [line.text for line in doc.lines] == ["Fees 0"]


def test_a_slanted_bar_is_no_line() -> None:
    d = _Drawing()
    for y in (250, 220, 190):
        d.line(50, y, 350, y)
    for x in (50, 350):
        d.line(x, 190, x, 250)
    d.polygon([(150, 250), (152, 250), (160, 190), (158, 190)])  # a stroke of a drawing, on the slant
    d.text("Row A", 60, 230)
    d.text("12", 200, 230)
    (table,) = read_pdf(d.bytes()).tables
    assert [len(row) for row in table.rows] == [1, 1]


def test_numbers_without_a_border_between_them_are_not_joined() -> None:
    d = _Drawing()
    for y in (250, 190):
        d.line(50, y, 250, y)
    for x in (50, 150, 250):
        d.line(x, 190, x, 250)
    d.text("Label", 60, 225)
    d.text("5", 160, 230)  # two numbers stacked in one cell …
    d.text("0", 160, 200)
    d.text("7", 200, 230)  # … and two side by side, half a digit apart
    d.text("1", 208.3, 230)
    doc = read_pdf(d.bytes())
    assert [c.text for c in doc.tables[0].rows[0]] == ["Label", "5 7 1 0"]


def test_text_without_borders_stays_running_text_with_column_gaps() -> None:
    d = _Drawing()
    d.text("Label one", 50, 200)
    d.text("3", 200, 200)
    d.text("14", 260, 200)
    doc = read_pdf(d.bytes())
    assert doc.tables == ()
    assert [line.text for line in doc.lines] == ["Label one\t3\t14"]


def test_rotated_page_reads_top_to_bottom_as_displayed() -> None:
    d = _Drawing(300, 400)
    # Shown rotated 90° clockwise, the user-space left edge becomes the top of the page.
    d.text("first line", 40, 50, turn=True)
    d.text("second line", 70, 50, turn=True)
    d.page.set_rotation(90)
    doc = read_pdf(d.bytes())
    assert [line.text for line in doc.lines] == ["first line", "second line"]


def test_an_image_only_page_in_a_text_pdf_is_reported_and_its_ocr_layer_is_not_read() -> None:
    d = _Drawing()
    d.text("A report with text on page one and a pasted picture on page two.", 20, 200)
    page = d.new_page()
    d.picture(page)
    d.text("12345 OCR guess", 20, 100, invisible=True, page=page)
    doc = read_pdf(d.bytes())
    assert doc.metadata["image_only_pages"] == "2" and doc.pages == 2
    assert [line.text for line in doc.lines] == ["A report with text on page one and a pasted picture on page two."]


def test_a_table_page_pasted_as_a_picture_is_named_in_a_warning() -> None:
    from reports.parsing import parse_document

    source = CORPUS / "generated/r02_pdf.pdf"
    pdf = pdfium.PdfDocument(source.read_bytes())
    table_page = next(i for i in range(len(pdf)) if "申请人情况" in pdf[i].get_textpage().get_text_range())
    width, height = pdf[table_page].get_size()
    pdf.del_page(table_page)
    page = pdf.new_page(width, height, index=table_page)
    bitmap = pdfium.PdfBitmap.new_native(40, 40, pdfium_c.FPDFBitmap_BGR)
    bitmap.fill_rect((200, 200, 200, 255), 0, 0, 40, 40)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(width - 80, height - 120).translate(40, 60))
    page.insert_obj(image)
    page.gen_content()
    report = parse_document(_save(pdf), "pasted.pdf")
    expected = canonical.flatten(label(source))
    read_values = {k: v for k, v in report.values.items() if v is not None}
    assert read_values and all(Decimal(str(expected[k])) == Decimal(str(v)) for k, v in read_values.items())
    pictures = [w for w in report.warnings if w.code == "W_IMAGE_PAGE"]
    assert len(pictures) == 1
    assert pictures[0].message == f"第{table_page + 1}页是图片，表格可能是插入的图片，请核对原件"
    unread = {k for k in canonical.ALL_KEYS if report.values[k] is None and not report.provenance[k].blank}
    assert unread and set(pictures[0].keys) == unread


def test_an_image_page_beside_complete_tables_is_not_warned_about() -> None:
    from reports.parsing import parse_document

    source = CORPUS / "generated/r02_pdf.pdf"
    pdf = pdfium.PdfDocument(source.read_bytes())
    width, height = pdf[0].get_size()
    page = pdf.new_page(width, height)
    bitmap = pdfium.PdfBitmap.new_native(40, 40, pdfium_c.FPDFBitmap_BGR)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(200, 100).translate(40, 60))
    page.insert_obj(image)
    page.gen_content()
    report = parse_document(_save(pdf), "with_a_stamp_page.pdf")
    assert not any(w.code == "W_IMAGE_PAGE" for w in report.warnings)


def test_scan_with_an_ocr_layer_is_refused_as_scanned() -> None:
    d = _Drawing()
    d.picture()
    for i in range(20):
        d.text(f"OCR line {i}: 1 2 3 4 5 6 7", 20, 20 + 12 * i, invisible=True)
    with pytest.raises(ParseError) as err:
        read_pdf(d.bytes())
    assert err.value.code == "scanned"


# --------------------------------------------------------------------------------------------
# the geometry rules on hand-made input


def _ch(text: str, x: float, y: float, w: float = 8, h: float = 10) -> Char:
    return Char.boxed(text, x, y, x + w, y + h)


def _box(x0: float, y0: float, x1: float, y1: float) -> list[Segment]:
    return [
        Segment(True, y0, x0, x1),
        Segment(True, y1, x0, x1),
        Segment(False, x0, y0, y1),
        Segment(False, x1, y0, y1),
    ]


def test_a_stray_tick_inside_a_cell_makes_no_column() -> None:
    segments = _box(0, 0, 200, 40) + [
        Segment(True, 20, 0, 200),
        Segment(False, 100, 0, 20),
        Segment(False, 150, 36, 40),
    ]
    chars = [_ch("A", 10, 25), _ch("B", 10, 5), _ch("C", 110, 5)]
    (table,), rest = find_tables(segments, chars)
    assert rest == []
    assert table.cells == ((("A", False), ("A", True)), (("B", False), ("C", False)))


def test_a_single_framed_box_is_text_not_a_table() -> None:
    tables, rest = find_tables(_box(0, 0, 200, 40), [_ch("A", 10, 10)])
    assert tables == [] and [c.text for c in rest] == ["A"]


def test_widening_restores_the_columns_a_page_part_lost() -> None:
    part = GridTable(((("Label", False), ("1", False)),), 100, 80, (0.0, 150.0, 200.0))
    wide = part.widened((0.0, 50.0, 100.0, 150.5, 200.0))
    assert wide.cells == ((("Label", False), ("Label", True), ("Label", True), ("1", False)),)
    other = (0.0, 120.0, 200.0)  # a different table: not a superset of the part's boundaries
    assert part.widened(other) is part


def test_upright_turns_a_rotated_page() -> None:
    chars, segments = upright([_ch("A", 10, 100)], [Segment(True, 50, 0, 80)], 90)
    assert chars[0].cy == pytest.approx(-14) and segments[0].horizontal is False


def _grid(xs: list[float], ys: list[float], missing: set[tuple[int, int]] = frozenset()) -> list[Segment]:
    """Ruling lines of a regular grid; ``missing`` holds (row, boundary) pairs of vertical pieces not drawn."""
    segments = [Segment(True, y, xs[0], xs[-1]) for y in ys]
    for k, x in enumerate(xs):
        for r in range(len(ys) - 1):
            if (r, k) not in missing:
                segments.append(Segment(False, x, ys[r + 1], ys[r]))
    return segments


def test_a_number_in_a_cell_whose_border_is_missing_stays_in_its_column() -> None:
    # Four rows × three value columns; in the last row the border between columns 1 and 2 is missing
    # and the number is printed in column 2: it must not become column 1's value.
    xs, ys = [0, 40, 80, 120], [80, 60, 40, 20, 0]
    chars = [_ch(str(r), 4 + 40 * c, 65 - 20 * r) for r in range(3) for c in range(3)] + [_ch("7", 84, 5)]
    (table,), _ = find_tables(_grid(xs, ys, {(3, 2)}), chars)
    assert table.cells[3] == (("", False), ("", False), ("7", False))


def test_a_merged_value_cell_of_an_irregular_block_stays_merged() -> None:
    # The 表二 shape: three value columns in one block, one merged value cell in the next block;
    # the number is centred, so its glyphs lie in the middle column — still one merged cell.
    xs, ys = [0, 40, 80, 120, 160], [80, 60, 40, 20, 0]
    missing = {(r, k) for r in (2, 3) for k in (2, 3)}
    chars = [_ch("a", 4, 65), _ch("1", 44, 65), _ch("2", 84, 65), _ch("3", 124, 65)]
    chars += [_ch("b", 4, 5), _ch("9", 96, 5)]
    (table,), _ = find_tables(_grid(xs, ys, missing), chars)
    assert table.cells[3] == (("b", False), ("9", False), ("9", True), ("9", True))


def test_a_label_and_a_header_joined_by_a_missing_border_are_split_where_the_text_stands_apart() -> None:
    xs, ys = [0, 100, 140, 180], [60, 40, 20, 0]
    chars = [_ch(t, 4 + 9 * i, 45, w=9) for i, t in enumerate("LABELTEXT")] + [_ch("N", 104, 45), _ch("T", 144, 45)]
    chars += [_ch("1", 104, 25), _ch("2", 144, 25), _ch("3", 104, 5), _ch("4", 144, 5)]
    (table,), _ = find_tables(_grid(xs, ys, {(0, 1)}), chars)
    assert table.cells[0] == (("LABELTEXT", False), ("N", False), ("T", False))
    # A label that runs across the missing border stays whole.
    chars[0:10] = [_ch(t, 50 + 6 * i, 45, w=6) for i, t in enumerate("LABELTEXT")] + [_ch("N", 125, 45)]
    (table,), _ = find_tables(_grid(xs, ys, {(0, 1)}), chars)
    assert table.cells[0][:2] == (("LABELTEXTN", False), ("LABELTEXTN", True))


def test_missing_lines_do_not_chain_two_rows_into_one_merged_cell() -> None:
    # Below the header, the first column has no line between the rows and none towards the labels,
    # but the labels themselves are separated by a drawn line: two rows, each with its own label.
    segments = [
        Segment(True, 60, 0, 140),
        Segment(True, 40, 0, 140),
        Segment(True, 20, 30, 140),
        Segment(True, 0, 0, 140),
        Segment(False, 0, 0, 60),
        Segment(False, 30, 40, 60),
        Segment(False, 100, 0, 60),
        Segment(False, 140, 0, 60),
    ]
    chars = [_ch("A", 5, 45), _ch("B", 35, 45), _ch("C", 105, 45)]
    chars += [_ch("T", 35, 25), _ch("K", 35, 5), _ch("5", 110, 25)]
    (table,), _ = find_tables(segments, chars)
    assert [[text for text, _ in row] for row in table.cells] == [["A", "B", "C"], ["T", "T", "5"], ["K", "K", ""]]
