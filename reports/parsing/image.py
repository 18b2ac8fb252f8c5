"""Picture files (.jpg, .png, .tif — one page each, or a multi-page TIFF) and Word files made of page
pictures, read by OCR into the same Document as a PDF.

A picture carries no page size: its resolution tag is used when it is plausible, otherwise the page is
taken to be A4 wide (a scanned page almost always is). Pictures larger than a 220 dpi A4 page are
reduced first (a phone photo has no more detail to give, and memory stays flat).
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from reports.parsing.document import Document
from reports.parsing.limits import open_zip, read_member
from reports.parsing.ocr_pdf import MAX_DPI, MAX_PIXELS, ocr_available
from reports.parsing.types import ParseError

A4_WIDTH_IN = 8.27
MAX_SOURCE_PIXELS = 80_000_000  # a larger picture is refused (a decompression bomb, or not a page)
MAX_PAGES = 60

CORRUPT = "图片文件已损坏或格式不受支持，无法读取"
TOO_BIG = "图片过大（{w}×{h} 像素），无法作为报告页面读取"
NO_OCR = "这是图片文件；文字识别组件未安装，无法识别，请手工录入或上传原始 Word 文件"
NOTHING = "图片中没有识别出文字，请确认上传的是报告页面，或手工录入"

_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
RASTER_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif")


def picture_kind(data: bytes) -> str | None:
    """ "jpeg", "png" or "tiff" from the file's first bytes."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def read_image(data: bytes) -> Document:
    """A picture file: each of its frames is a page."""
    return read_pictures([data], fmt="image")


def read_pictures(files: list[bytes], fmt: str) -> Document:
    """Pages from picture files, in order, read by OCR."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    if not ocr_available():
        raise ParseError("scanned", NO_OCR)
    from reports.parsing.ocr import read_picture
    from reports.parsing.pdf import join_pages, page_frame, page_layout

    pages = []
    frames = []
    ocr_pages = []
    for data in files:
        try:
            img = Image.open(BytesIO(data))
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise ParseError("corrupt", CORRUPT)
        with img:
            for frame in ImageSequence.Iterator(img):
                if len(pages) >= MAX_PAGES:
                    break
                w, h = frame.size
                if w * h > MAX_SOURCE_PIXELS or w < 16 or h < 16:
                    raise ParseError("too_large" if w * h > MAX_SOURCE_PIXELS else "corrupt", TOO_BIG.format(w=w, h=h))
                try:
                    picture, width, height = _page(frame)
                except (OSError, ValueError) as exc:
                    raise ParseError("corrupt", CORRUPT) from exc
                chars, segments, ocr_page = read_picture(picture, width, height, len(pages) + 1)
                ocr_pages.append(ocr_page)
                pages.append(page_layout(chars, segments))
                frames.append(page_frame(width, height))
    lines, tables = join_pages(pages, frames)
    if not lines and not tables:
        raise ParseError("scanned", NOTHING)
    return Document(fmt, lines=tuple(lines), tables=tuple(tables), pages=len(pages), ocr=tuple(ocr_pages))


def _page(frame):  # type: ignore[no-untyped-def]
    """(RGB array, width, height in points) of one frame, reduced to at most MAX_DPI."""
    import numpy as np
    from PIL import Image, ImageOps

    img = ImageOps.exif_transpose(frame) if frame.format == "JPEG" else frame
    img = img.convert("RGB")
    w, h = img.size
    dpi = _dpi(img.info.get("dpi"), w)
    limit = min(MAX_DPI / dpi, (MAX_PIXELS / (w * h)) ** 0.5)
    if limit < 1:
        img = img.resize((max(1, round(w * limit)), max(1, round(h * limit))), Image.Resampling.LANCZOS)
    return np.asarray(img), w / dpi * 72, h / dpi * 72


def _dpi(tag, width_px: int) -> float:  # type: ignore[no-untyped-def]
    """The picture's resolution: its tag when it makes the page 5–12 inches wide, else an A4 width."""
    try:
        dpi = float(tag[0]) if tag else 0.0
    except (TypeError, ValueError, IndexError):
        dpi = 0.0
    if dpi > 0 and 5 <= width_px / dpi <= 12:
        return dpi
    return width_px / A4_WIDTH_IN


# --- Word files whose pages are pictures -----------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
# A Word file with less text than this beside pictures is a pile of scanned pages.
MIN_DOCX_TEXT = 50


def docx_page_pictures(data: bytes, doc: Document) -> list[bytes] | None:
    """The raster pictures of a Word file whose body is page pictures (in body order), else None."""
    text = sum(len(ln.text.strip()) for ln in doc.lines) + sum(
        len(c.text.strip()) for t in doc.tables for r in t.rows for c in r if not c.merged
    )
    if text >= MIN_DOCX_TEXT:
        return None
    from lxml import etree

    try:
        with open_zip(data, "Word 文件") as z:  # bounded like every zip-based format (limits.py)
            rels = etree.fromstring(
                read_member(z, "word/_rels/document.xml.rels", "Word 文件"), etree.XMLParser(resolve_entities=False)
            )
            body = etree.fromstring(
                read_member(z, "word/document.xml", "Word 文件"), etree.XMLParser(resolve_entities=False)
            )
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            pictures = []
            for blip in body.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"):
                target = targets.get(blip.get(R_EMBED) or "")
                if not target or not target.lower().endswith(RASTER_SUFFIXES):
                    continue
                name = "word/" + target.lstrip("/").removeprefix("word/")
                info = z.getinfo(name)
                if info.file_size > 60 * 1024 * 1024:
                    continue
                pictures.append(read_member(z, info, "Word 文件"))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, etree.XMLSyntaxError, ParseError):
        return None
    return [p for p in pictures if _page_sized(p)] or None


def _page_sized(data: bytes) -> bool:
    """A picture big enough to be a page (a logo or a signature is not)."""
    from PIL import Image

    try:
        with Image.open(BytesIO(data)) as img:
            w, h = img.size
    except Exception:
        return False
    return min(w, h) >= 500
