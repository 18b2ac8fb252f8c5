"""The source beside the numbers: a stored document shown as the parser read it. Pure Python (no Django).

* A PDF page rendered to a PNG (pypdfium2), for the report page's side panel to outline the selected cell on
  (the cell's box is in its provenance, as fractions of the page as displayed).
* Any other document's tables as read (the grid of every table, merged cells marked) and its running text, for
  the panel to highlight the cell or line the value came from.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from reports.parsing import ParseError, read_document

# A page is rendered this wide (pixels), and never larger than this many pixels in all.
PAGE_WIDTH = 1100
MAX_PIXELS = 12_000_000


class SourceUnavailable(Exception):
    """The document cannot be shown (message in Chinese, for the panel)."""


def pdf_page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    from reports.parsing.pdf import _PDFIUM_LOCK

    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise SourceUnavailable("PDF 文件无法打开") from exc
        try:
            return len(pdf)
        finally:
            pdf.close()


def render_pdf_page(data: bytes, page: int, *, width: int = PAGE_WIDTH) -> bytes:
    """Page ``page`` (1-based) of a PDF as a grayscale PNG about ``width`` pixels wide, as displayed (rotated)."""
    import pypdfium2 as pdfium

    from reports.parsing.pdf import _PDFIUM_LOCK

    with _PDFIUM_LOCK:  # pdfium is not thread-safe
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise SourceUnavailable("PDF 文件无法打开") from exc
        try:
            if not 1 <= page <= len(pdf):
                raise SourceUnavailable(f"没有第 {page} 页")
            pdf_page = pdf[page - 1]
            try:
                w, h = pdf_page.get_size()
                if pdf_page.get_rotation() % 180:
                    w, h = h, w
                scale = min(width / max(w, 1), (MAX_PIXELS / max(w * h, 1)) ** 0.5, 4.0)
                bitmap = pdf_page.render(scale=scale, grayscale=True, may_draw_forms=True)
                try:
                    return _png(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, bitmap.n_channels)
                finally:
                    bitmap.close()
            finally:
                pdf_page.close()
        finally:
            pdf.close()


def _png(buffer: bytes, width: int, height: int, stride: int, channels: int) -> bytes:
    """A PNG of a grayscale (1 channel) or BGR(x) bitmap: a few lines of zlib instead of an imaging library."""
    if channels == 1:
        color_type, rows = 0, (buffer[y * stride : y * stride + width] for y in range(height))
    else:
        color_type = 2

        def rgb(y: int) -> bytes:
            row = buffer[y * stride : y * stride + width * channels]
            out = bytearray(width * 3)
            out[0::3], out[1::3], out[2::3] = row[2::channels], row[1::channels], row[0::channels]
            return bytes(out)

        rows = (rgb(y) for y in range(height))
    raw = b"".join(b"\x00" + row for row in rows)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def document_as_read(data: bytes, fmt: str, name: str = "") -> dict[str, Any]:
    """The tables (grid of texts, merged positions marked) and running text the parser read from a document."""
    try:
        doc = read_document(data, fmt, name, ocr=False)  # pictures are shown by cell (crop), not re-read here
    except ParseError as exc:
        raise SourceUnavailable(exc.message) from exc
    except Exception as exc:  # untrusted bytes: whatever a reader raises, the document cannot be shown
        raise SourceUnavailable("文件无法读取") from exc
    return {
        "tables": [
            {
                "index": t.index,
                "page": t.page,
                "after_line": t.after_line,
                "rows": [[[c.text, c.merged] for c in row] for row in t.rows],
            }
            for t in doc.tables
        ],  # fmt: skip
        "lines": [line.text for line in doc.lines],
    }


def add_pdf_boxes(places: dict[str, dict], data: bytes) -> None:
    """Readings stored before the reader kept boxes: read the PDF's geometry again and place them the same way."""
    from reports.parsing.engine import box_of

    wanted = {k: p for k, p in places.items() if "box" not in p and ("row" in p or "line" in p)}
    if not wanted:
        return
    try:
        doc = read_document(data, "pdf", ocr=False)
    except Exception:  # noqa: BLE001 - the boxes are a help; the panel still shows the page without them
        return
    for place in wanted.values():
        box = box_of(doc, place.get("table"), place.get("row"), place.get("col"), place.get("line"))
        if box is not None:
            place["box"] = list(box)


def cell_places(provenance: dict[str, dict]) -> dict[str, dict]:
    """Where each cell's value came from, as the panel needs it. Readings stored before table 0 / row 0 /
    column 0 were kept in the JSON have no "table" key for the first table: a row without a table is table 0."""
    out = {}
    for key, src in provenance.items():
        place = {k: src[k] for k in ("page", "box", "table", "row", "col", "line", "raw", "location") if k in src}
        for flag in ("missing", "inferred", "blank"):
            if src.get(flag):
                place[flag] = True
        if "row" in place and "table" not in place and "line" not in place:
            place["table"] = 0
        out[key] = place
    return out
