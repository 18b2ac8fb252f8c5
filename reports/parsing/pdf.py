"""PDF reader: running text and tables, read by position.

Plain text extraction of these reports often reads a table column by column, so the tables are
rebuilt from what is drawn: the ruling lines give the grid, each character goes to the cell it
sits in (``pdf_grid``). Everything outside the tables is the running text, one visual line per
:class:`TextLine`. Pages are read one at a time and closed, so memory stays flat on long files.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from reports.parsing.document import Box, Document, GridCell, Table, TextLine
from reports.parsing.ocr_pdf import needs_ocr, ocr_available, read_picture, render_for_ocr
from reports.parsing.pdf_extract import page_chars, page_drawing
from reports.parsing.pdf_grid import Char, GridTable, Segment, VisualLine, find_tables, upright, visual_lines
from reports.parsing.types import ParseError

SCANNED_MESSAGE = "扫描件，无文字层，也没有识别出文字，请手工录入或上传原始 Word 文件"
OCR_MISSING_MESSAGE = "扫描件，无文字层；文字识别组件未安装，无法识别，请手工录入或上传原始 Word 文件"
ENCRYPTED_MESSAGE = "PDF 文件已加密（需要密码才能打开），请上传未加密的文件"
CORRUPT_MESSAGE = "PDF 文件已损坏或不完整，无法读取，请重新下载或导出后再上传"

# Fewer characters than this beside images is a scan with a stamp, not a text report.
MIN_TEXT_CHARS = 50

# pdfium is not thread-safe: one document at a time per process.
_PDFIUM_LOCK = threading.Lock()

# A line that is only a page number ("-1-", "— 2 —", "3", "第4页", "第4页 共6页", "4/6").
_PAGE_NUMBER = re.compile(
    r"[-－—–_·\s]*(?:\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，、/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})[-－—–_·\s]*"
)
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_DIGITS = re.compile(r"\d+")
# A running header or footer is told on at least this many pages.
RUNNING_MIN_PAGES = 3


def read_pdf(data: bytes, ocr: bool = True) -> Document:
    """Read a PDF's running text and tables. Raises :class:`ParseError` for encrypted and broken files,
    and for scans when the OCR reader is not installed or finds no text."""
    _check_envelope(data)
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
                raise ParseError("encrypted", ENCRYPTED_MESSAGE)
            raise ParseError("corrupt", CORRUPT_MESSAGE)
    try:
        return _read(pdf, ocr)
    except pdfium.PdfiumError:
        raise ParseError("corrupt", CORRUPT_MESSAGE)
    finally:
        with _PDFIUM_LOCK:
            pdf.close()


def scanned_pages(data: bytes) -> int:
    """How many pages of a PDF are pictures to be read by OCR (no text of their own)."""
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            count = 0
            for index in range(len(pdf)):
                page = pdf[index]
                try:
                    _, images, invisible_text = page_drawing(page)
                    textpage = page.get_textpage()
                    try:
                        chars = page_chars(textpage, skip_invisible=invisible_text)
                    finally:
                        textpage.close()
                finally:
                    page.close()
                count += needs_ocr(images, sum(1 for ch in chars if not ch.text.isspace()))
            return count
        finally:
            pdf.close()


def _check_envelope(data: bytes) -> None:
    # pdfium rebuilds a cut-off file without complaint and returns whatever pages survived; a
    # report missing its last pages must not look complete, so a file must end like a PDF.
    if b"%PDF-" not in data[:1024] or b"%%EOF" not in data[-2048:]:
        raise ParseError("corrupt", CORRUPT_MESSAGE)


def _read(pdf: pdfium.PdfDocument, ocr: bool = True) -> Document:
    pages: list[tuple[list[VisualLine], list[GridTable]]] = []
    frames: list[_Frame] = []
    image_only_pages: list[int] = []
    ocr_pages: list = []
    total_chars = total_images = 0
    with _PDFIUM_LOCK:
        n_pages = len(pdf)
    if n_pages == 0:
        raise ParseError("corrupt", CORRUPT_MESSAGE)
    ocr_ready = ocr and ocr_available()
    for index in range(n_pages):
        # pdfium is held only while a page is read from it, not while a picture of a page is recognised.
        with _PDFIUM_LOCK:
            page = pdf[index]
            try:
                segments, images, invisible_text = page_drawing(page)
                textpage = page.get_textpage()
                try:
                    chars = page_chars(textpage, skip_invisible=invisible_text)
                finally:
                    textpage.close()
                rotation = page.get_rotation()
                frame = _frame(page.get_cropbox(), rotation)
                text_chars = sum(1 for ch in chars if not ch.text.isspace())
                picture = render_for_ocr(page) if ocr_ready and needs_ocr(images, text_chars) else None
            finally:
                page.close()
        total_images += images
        if picture is not None:
            # A scanned page (perhaps with a stamp's or an OCR program's few characters): read its picture.
            chars, segments, ocr_page = read_picture(*picture, number=index + 1)
            ocr_pages.append(ocr_page)
            text_chars = sum(1 for ch in chars if not ch.text.isspace())
            rotation = 0  # the picture is rendered as displayed
            frame = page_frame(picture[1], picture[2])
            if not text_chars:
                image_only_pages.append(index + 1)  # a picture without any text to recognise
        elif images and not text_chars:
            # A picture of a page, perhaps with an OCR layer (left out above: machine guesses, not text).
            image_only_pages.append(index + 1)
        total_chars += text_chars
        pages.append(page_layout(chars, segments, rotation))
        frames.append(frame)
    lines, tables = join_pages(pages, frames)
    # A scan may still carry a stray text line (a portal's stamp or page number): a report has thousands.
    if total_chars == 0 or (total_images and total_chars < MIN_TEXT_CHARS):
        raise ParseError("scanned", SCANNED_MESSAGE if ocr_ready or not total_images else OCR_MISSING_MESSAGE)
    with _PDFIUM_LOCK:
        metadata = _metadata(pdf)
    if image_only_pages:
        # A scanned page inside a text PDF (e.g. a table pasted as a picture): the engine can say so.
        metadata["image_only_pages"] = ",".join(str(p) for p in image_only_pages)
    return Document(
        format="pdf",
        lines=tuple(lines),
        tables=tuple(tables),
        pages=n_pages,
        metadata=metadata,
        ocr=tuple(ocr_pages),
    )


def page_layout(
    chars: list[Char], segments: list[Segment], rotation: int = 0
) -> tuple[list[VisualLine], list[GridTable]]:
    """One page's running lines (page numbers left out) and tables, from its characters and ruling lines."""
    chars, segments = upright(chars, segments, rotation)
    page_tables, rest = find_tables(segments, chars)
    return _drop_page_numbers(visual_lines(rest)), page_tables


def join_pages(
    pages: list[tuple[list[VisualLine], list[GridTable]]], frames: list[_Frame]
) -> tuple[list[TextLine], list[Table]]:
    """The pages' lines and tables in reading order, without running headers and footers; ``frames`` say
    where each page is in its characters' coordinates (for the boxes of cells and lines)."""
    _drop_running_lines(pages)
    _align_page_splits(pages)
    lines: list[TextLine] = []
    tables: list[Table] = []
    for number, (page_lines, page_tables) in enumerate(pages, start=1):
        _place(page_lines, page_tables, number, lines, tables, frames[number - 1])
    return lines, tables


def _align_page_splits(pages: list[tuple[list[VisualLine], list[GridTable]]]) -> None:
    """Give the two parts of a table broken by a page break the same column boundaries.

    The parts stay separate tables (the engine joins them); only a part whose boundaries are a
    subset of the other's is widened, so two different tables that meet at a page break are left alone.
    """
    for (lines_a, tables_a), (lines_b, tables_b) in zip(pages, pages[1:], strict=False):
        if not tables_a or not tables_b:
            continue
        tail, head = tables_a[-1], tables_b[0]
        if any(_mid(vl) < tail.bottom for vl in lines_a) or any(_mid(vl) > head.top for vl in lines_b):
            continue  # text between them: not one table
        tables_a[-1] = tail.widened(head.xs)
        tables_b[0] = head.widened(tail.xs)


def _mid(vl: VisualLine) -> float:
    return (vl.top + vl.bottom) / 2


def _drop_running_lines(pages: list[tuple[list[VisualLine], list[GridTable]]]) -> None:
    """Leave out a page's running header and footer: the same line (but for its digits: a date, a
    page count) at the same place at the top or foot of most pages, e.g. a browser's date, title and
    address. Report text never repeats page after page in one spot."""
    if len(pages) < RUNNING_MIN_PAGES:
        return

    def key(vl: VisualLine) -> tuple[str, int]:
        return _DIGITS.sub("0", vl.text), round(vl.top / 2)

    for edge in (0, -1):
        counts: dict[tuple[str, int], int] = {}
        for page_lines, _ in pages:
            if page_lines:
                counts[key(page_lines[edge])] = counts.get(key(page_lines[edge]), 0) + 1
        running = {k for k, n in counts.items() if n >= max(RUNNING_MIN_PAGES, len(pages) / 2)}
        for n, (page_lines, tables) in enumerate(pages):
            if page_lines and key(page_lines[edge]) in running:
                pages[n] = (page_lines[1:] if edge == 0 else page_lines[:-1], tables)


def _drop_page_numbers(page_lines: list[VisualLine]) -> list[VisualLine]:
    """Without the page's first or last line when it is only a page number (header or footer)."""
    if page_lines and _PAGE_NUMBER.fullmatch(page_lines[-1].text):
        page_lines = page_lines[:-1]
    if page_lines and _PAGE_NUMBER.fullmatch(page_lines[0].text):
        page_lines = page_lines[1:]
    return page_lines


class _Frame(NamedTuple):
    """The page as displayed, in the upright coordinates of its chars: its left, right, bottom and top."""

    left: float
    right: float
    bottom: float
    top: float

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box | None:
        """A rectangle in page points as fractions of the displayed page (left, top, right, bottom)."""
        width, height = self.right - self.left, self.top - self.bottom
        if width <= 0 or height <= 0:
            return None
        return (
            round((x0 - self.left) / width, 4),
            round((self.top - y1) / height, 4),
            round((x1 - self.left) / width, 4),
            round((self.top - y0) / height, 4),
        )


def page_frame(width: float, height: float) -> _Frame:
    """The frame of a page whose characters are in displayed coordinates from (0, 0): a page read as a picture."""
    return _Frame(0.0, width, 0.0, height)


def _frame(cropbox: tuple[float, float, float, float], rotation: int) -> _Frame:
    left, bottom, right, top = cropbox
    if rotation % 360 == 0:
        return _Frame(left, right, bottom, top)
    turned, _ = upright([Char.boxed("", left, bottom, right, top)], [], rotation)
    ch = turned[0]
    return _Frame(ch.x0, ch.x1, ch.y0, ch.y1)


def _place(
    page_lines: list[VisualLine],
    page_tables: list[GridTable],
    page: int,
    lines: list[TextLine],
    tables: list[Table],
    frame: _Frame,
) -> None:
    """Number the page's lines after those before it and anchor each table after the last line above it."""
    pending = list(page_tables)  # top to bottom
    for vl in page_lines:
        while pending and pending[0].top >= _mid(vl):
            tables.append(_to_table(pending.pop(0), len(tables), page, len(lines), frame))
        lines.append(TextLine(vl.text, len(lines) + 1, page, frame.box(vl.x0, vl.bottom, vl.x1, vl.top)))
    for gt in pending:
        tables.append(_to_table(gt, len(tables), page, len(lines), frame))


def _to_table(gt: GridTable, index: int, page: int, after_line: int, frame: _Frame) -> Table:
    boxes = gt.boxes or tuple(tuple(None for _ in row) for row in gt.cells)
    rows = tuple(
        tuple(
            GridCell(text, merged, page, frame.box(*box) if box else None)
            for (text, merged), box in zip(row, box_row, strict=True)
        )
        for row, box_row in zip(gt.cells, boxes, strict=True)
    )
    return Table(rows=rows, index=index, page=page, after_line=after_line)


def _metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):
        # A damaged Info dictionary must not cost the tables: metadata is optional.
        return {}
    out: dict[str, str] = {}
    for key in ("Title", "Author", "Creator", "Producer"):
        if info.get(key, "").strip():
            out[key] = info[key].strip()
    for key in ("CreationDate", "ModDate"):
        iso = _iso_date(info.get(key, ""))
        if iso:
            out[key] = iso
    return out


def _iso_date(value: str) -> str | None:
    """The calendar date of a PDF date string (``D:20250225100250+08'00'`` → ``2025-02-25``), as written."""
    m = _PDF_DATE.match(value.strip())
    if not m or not m.group(2) or not m.group(3):
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None
