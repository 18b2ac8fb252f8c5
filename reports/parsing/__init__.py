"""The document parser: any annual report file → :class:`~reports.parsing.types.ParsedReport`.

Pure Python, no Django (a test imports this package in a fresh interpreter and checks). One entry
point, :func:`parse_document`. The format comes from the content first and the file name second
(a ``.txt`` that is HTML, a ``.doc`` that is really a ``.docx``); each reader turns bytes into the
neutral :class:`~reports.parsing.document.Document`, and one engine reads every Document. Every
failure is a :class:`~reports.parsing.types.ParseError` with a stable ``code`` and a Chinese message.
"""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

from reports.parsing.document import Document
from reports.parsing.limits import open_zip
from reports.parsing.types import ParsedReport, ParseError

__all__ = [
    "MAX_BYTES",
    "ParseError",
    "ParsedReport",
    "detect_format",
    "ocr_pages",
    "parse_document",
    "read_document",
]

MAX_BYTES = 50 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_EXT = {".txt", ".text", ".csv", ".tsv", ".md", ""}
_HTML_EXT = {".html", ".htm", ".shtml", ".xhtml", ".mht"}


def parse_document(source: str | Path | bytes, filename: str | None = None) -> ParsedReport:
    """Parse one report. ``source`` is a path or the file's bytes; ``filename`` names it in messages."""
    data, name = _load(source, filename)
    fmt = detect_format(data, name)
    try:
        doc = read_document(data, fmt, name)
    except ParseError:
        raise
    except Exception as exc:
        # The readers meet untrusted bytes: whatever a library raises on them, the file cannot be read.
        raise ParseError("corrupt", f"文件 {name} 已损坏或格式不规范，无法读取（{type(exc).__name__}）") from exc
    from reports.parsing.engine import build_report

    try:
        return build_report(doc, source=name, fmt=fmt, sha256=hashlib.sha256(data).hexdigest())
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(
            "internal", f"解析 {name} 时发生内部错误（{type(exc).__name__}: {exc}），请联系管理员"
        ) from exc


def _load(source: str | Path | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        name = filename or "上传的文件"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
        except OSError:
            raise ParseError("not_found", f"找不到文件 {name}")
        if size > MAX_BYTES:
            raise ParseError("too_large", _too_large(name, size))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ParseError("not_readable", f"无法读取文件 {name}：{exc.strerror or exc}")
    if len(data) > MAX_BYTES:
        raise ParseError("too_large", _too_large(name, len(data)))
    if not data.strip():
        raise ParseError("empty", f"文件 {name} 是空的")
    return data, name


def _too_large(name: str, size: int) -> str:
    return f"文件 {name} 太大（{size / 1024 / 1024:.1f} MB），上限为 {MAX_BYTES // 1024 // 1024} MB"


def detect_format(data: bytes, name: str) -> str:
    """ "txt", "html", "docx", "doc", "wps", "rtf", "pdf", "image", "xlsx" or "xls", from the content, then the name."""
    ext = Path(name).suffix.lower()
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    from reports.parsing.image import picture_kind

    if picture_kind(data):
        return "image"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, name)
    if data.startswith(_OLE):
        if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data or b"B\x00o\x00o\x00k\x00" in data[:65536]:
            return "xls"
        if ext == ".wps":
            return "wps"
        if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
            return "doc"
        raise ParseError("unsupported", f"无法识别 {name} 的格式（Office 旧格式文件，但不是 Word 或 Excel）")
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lower()
    if ext in _HTML_EXT or b"<html" in lowered or b"<table" in lowered or b"<!doctype html" in lowered:
        return "html"
    if ext in {".docx", ".xlsx", ".xls", ".doc", ".wps", ".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}:
        raise ParseError("corrupt", f"文件 {name} 的内容与扩展名 {ext} 不符，可能已损坏或不完整")
    return "txt"


def _zip_kind(data: bytes, name: str) -> str:
    # Every zip-based format is checked here, from its directory, before any member is expanded (limits.py).
    with open_zip(data, f"文件 {name}") as z:
        names = set(z.namelist())
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.endswith(".xml") and n.startswith("Contents") for n in names) or "content.xml" in names:
        raise ParseError("unsupported", f"{name} 是 OFD/ODF 等格式，暂不支持，请上传 Word、PDF 或 HTML 文件")
    raise ParseError("unsupported", f"{name} 是一个压缩包，但不是 Word（.docx）或 Excel（.xlsx）文件")


def read_document(data: bytes, fmt: str, name: str = "", *, ocr: bool = True) -> Document:
    """The reader of one format: bytes → Document. ``ocr=False``: pictures of pages are not read (a quick
    look at a document's own text and tables, e.g. to show them; a scan then reads as one)."""
    if fmt == "txt":
        from reports.parsing.txt import read_txt

        return read_txt(data)
    if fmt == "html":
        from reports.parsing.html import read_html

        return read_html(data)
    if fmt == "docx":
        from reports.parsing.docx import read_docx
        from reports.parsing.image import docx_page_pictures, read_pictures

        doc = read_docx(data)
        pictures = docx_page_pictures(data, doc) if ocr else None
        # A Word file whose body is pictures of pages (a scan pasted into Word): read the pictures.
        return read_pictures(pictures, fmt="docx") if pictures else doc
    if fmt == "image":
        from reports.parsing.image import read_image

        if not ocr:
            raise ParseError("scanned", "这是扫描图片，没有可直接读取的文字")
        return read_image(data)
    if fmt in ("doc", "wps", "rtf"):
        from reports.parsing.office import read_legacy_word

        return read_legacy_word(data, fmt, name)
    if fmt in ("xlsx", "xls"):
        from reports.parsing.xlsx import read_workbook

        return read_workbook(data, fmt)
    if fmt == "pdf":
        from reports.parsing.pdf import read_pdf

        return read_pdf(data, ocr=ocr)
    raise ParseError("unsupported", f"不支持的文件格式：{fmt}")


def ocr_pages(data: bytes, name: str = "") -> int:
    """How many pages of the document would be read by OCR (0 for a document with text): a quick look,
    for sending slow documents to a background job. Never raises; an unreadable file counts 0."""
    try:
        fmt = detect_format(data, name)
        if fmt == "pdf":
            from reports.parsing.pdf import scanned_pages

            return scanned_pages(data)
        if fmt == "image":
            from PIL import Image

            with Image.open(BytesIO(data)) as img:
                return max(1, getattr(img, "n_frames", 1))
        if fmt == "docx":
            from reports.parsing.docx import read_docx
            from reports.parsing.image import docx_page_pictures

            return len(docx_page_pictures(data, read_docx(data)) or ())
    except Exception:
        return 0
    return 0
