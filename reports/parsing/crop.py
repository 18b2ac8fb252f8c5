"""The picture of one cell, cut out of the document it was read from, for a reviewer to compare.

Pure: bytes of the stored document, a page and a box from the cell's provenance (fractions of the page
as displayed, from its top-left corner) → PNG bytes. Works for PDFs (the page is rendered, so a scan
shows as scanned and a text PDF as printed), picture files and Word files made of page pictures.
"""

from __future__ import annotations

from io import BytesIO

from reports.parsing.types import ParseError

# Around the cell: enough of its neighbours to see where it is, not so much that another number distracts.
MARGIN = 4.0  # points
DPI = 160
MAX_SIDE = 1600  # pixels


class CropError(ValueError):
    pass


def render_crop(data: bytes, name: str, page: int, box: tuple[float, float, float, float]) -> bytes:
    """PNG of ``box`` (left, top, right, bottom as fractions of the page) on 1-based ``page`` of the document."""
    from reports.parsing import detect_format

    left, top, right, bottom = (float(v) for v in box)
    if not (0 <= left < right <= 1 and 0 <= top < bottom <= 1) or page < 1:
        raise CropError("单元格位置无效")
    try:
        fmt = detect_format(data, name)
    except ParseError as exc:
        raise CropError(exc.message) from exc
    if fmt == "pdf":
        return _pdf_crop(data, page, (left, top, right, bottom))
    if fmt == "image":
        return _picture_crop([data], page, (left, top, right, bottom))
    if fmt == "docx":
        from reports.parsing.docx import read_docx
        from reports.parsing.image import docx_page_pictures

        pictures = docx_page_pictures(data, read_docx(data))
        if pictures:
            return _picture_crop(pictures, page, (left, top, right, bottom))
    raise CropError("该文件没有可截取的页面图像")


def _pdf_crop(data: bytes, page_no: int, box: tuple[float, float, float, float]) -> bytes:
    import pypdfium2 as pdfium

    from reports.parsing.pdf import _PDFIUM_LOCK

    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise CropError("PDF 文件无法打开") from exc
        try:
            if page_no > len(pdf):
                raise CropError("页码超出文件页数")
            page = pdf[page_no - 1]
            try:
                width, height = page.get_size()
                left, top, right, bottom = _clamp(_points(box, width, height), width, height)
                scale = min(DPI / 72, MAX_SIDE / max(right - left, bottom - top))
                # pdfium's crop: what to cut off each side of the page as displayed (left, bottom, right, top).
                bitmap = page.render(scale=scale, crop=(left, height - bottom, width - right, top), rev_byteorder=True)
                image = bitmap.to_pil()
                bitmap.close()
            finally:
                page.close()
        finally:
            pdf.close()
    return _png(image)


def _picture_crop(files: list[bytes], page_no: int, box: tuple[float, float, float, float]) -> bytes:
    from PIL import Image, ImageOps, ImageSequence

    from reports.parsing.image import MAX_SOURCE_PIXELS, _dpi

    n = 0
    for data in files:
        with Image.open(BytesIO(data)) as img:
            for frame in ImageSequence.Iterator(img):
                n += 1
                if n != page_no:
                    continue
                w, h = frame.size
                if w * h > MAX_SOURCE_PIXELS:
                    raise CropError("图片过大")
                pic = ImageOps.exif_transpose(frame) if frame.format == "JPEG" else frame
                pic = pic.convert("RGB")
                w, h = pic.size
                dpi = _dpi(frame.info.get("dpi"), frame.size[0])
                k = dpi / 72
                left, top, right, bottom = _clamp(_points(box, w / k, h / k), w / k, h / k)
                part = pic.crop((int(left * k), int(top * k), int(right * k + 1), int(bottom * k + 1)))
                if max(part.size) > MAX_SIDE:
                    part.thumbnail((MAX_SIDE, MAX_SIDE))
                return _png(part)
    raise CropError("页码超出文件页数")


def _points(box: tuple[float, float, float, float], width: float, height: float) -> tuple[float, float, float, float]:
    left, top, right, bottom = box
    return left * width, top * height, right * width, bottom * height


def _clamp(box: tuple[float, float, float, float], width: float, height: float) -> tuple[float, float, float, float]:
    left, top, right, bottom = box
    left, top = max(0.0, left - MARGIN), max(0.0, top - MARGIN)
    right, bottom = min(width, right + MARGIN), min(height, bottom + MARGIN)
    if right - left < 1 or bottom - top < 1:
        raise CropError("单元格不在页面内")
    return left, top, right, bottom


def _png(image) -> bytes:  # type: ignore[no-untyped-def]
    out = BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()
