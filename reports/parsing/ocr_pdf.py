"""Where the PDF reader hands a page to the OCR reader: which pages, and the picture of each.

A page is read from its picture when it shows a picture and has (almost) no text of its own — a scan,
perhaps with a page number or an OCR program's invisible layer, which the PDF reader leaves out. The
page is rendered as displayed, at the resolution of the scan inside it (within bounds that serve the
recogniser), so no detail is invented or lost by resampling twice.
"""

from __future__ import annotations

import ctypes
from functools import cache

import pypdfium2.raw as pdfium_c

# Fewer characters than this beside a picture: the page is a scan (or a picture pasted whole).
OCR_PAGE_CHARS = 30
MIN_DPI, MAX_DPI, DEFAULT_DPI = 150, 220, 200
# A page is never rendered larger than this (a poster-sized scan would take the memory of dozens).
MAX_PIXELS = 14_000_000


@cache
def ocr_available() -> bool:
    """Whether the recognition model and its runtime are installed."""
    try:
        import onnxruntime  # noqa: F401

        from reports.parsing.ocr_model import model_dir

        model_dir()
    except Exception:
        return False
    return True


def needs_ocr(images: int, text_chars: int) -> bool:
    return images > 0 and text_chars < OCR_PAGE_CHARS


def render_for_ocr(page):  # type: ignore[no-untyped-def]
    """(RGB picture, width, height in points) of a pdfium page, as displayed. Call with pdfium's lock held."""
    width, height = page.get_size()
    dpi = scan_dpi(page) or DEFAULT_DPI
    dpi = min(max(dpi, MIN_DPI), MAX_DPI)
    scale = dpi / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
    bitmap = page.render(scale=scale, rev_byteorder=True)
    try:
        picture = bitmap.to_numpy().copy()
    finally:
        bitmap.close()
    return picture[:, :, :3], float(width), float(height)


def scan_dpi(page) -> float | None:  # type: ignore[no-untyped-def]
    """The resolution of the largest picture on the page (pixels per inch as placed), or None."""
    raw = page.raw
    best_area, best_dpi = 0.0, None
    stack = [pdfium_c.FPDFPage_GetObject(raw, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw))]
    w, h = ctypes.c_uint(), ctypes.c_uint()
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    while stack:
        obj = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            stack.extend(pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(pdfium_c.FPDFFormObj_CountObjects(obj)))
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            continue
        if not pdfium_c.FPDFImageObj_GetImagePixelSize(obj, w, h) or not pdfium_c.FPDFPageObj_GetBounds(
            obj, left, bottom, right, top
        ):
            continue
        pw, ph = right.value - left.value, top.value - bottom.value
        if pw <= 1 or ph <= 1:
            continue
        if pw * ph > best_area:
            best_area = pw * ph
            # The image may be placed turned by 90°: compare like with like.
            long_px, long_pt = max(w.value, h.value), max(pw, ph)
            best_dpi = long_px / long_pt * 72
    return best_dpi


def read_picture(picture, width: float, height: float, number: int):  # type: ignore[no-untyped-def]
    from reports.parsing.ocr import read_picture as read

    return read(picture, width, height, number)
