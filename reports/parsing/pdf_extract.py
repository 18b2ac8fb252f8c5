"""What the PDF reader takes from one pdfium page: its characters and its ruling lines.

Raw pdfium calls (through ``pypdfium2.raw``) rather than the helper objects: a page has thousands
of characters and hundreds of paths, and the helpers' per-object wrappers cost more than the read.
"""

from __future__ import annotations

import ctypes
from typing import NamedTuple

import pypdfium2.raw as pdfium_c

from reports.parsing.pdf_grid import Char, Segment

# A filled rectangle at most this thick is a drawn line (Word and WPS draw borders that way).
THIN = 3.0
# A drawn line shorter than this is a dot or a corner joint, not a border.
MIN_LENGTH = 1.0
# Lines this close to white are invisible on paper; some writers paint hidden borders white.
WHITE = 245

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def page_chars(textpage, skip_invisible: bool = False) -> list[Char]:
    """The page's characters; pdfium's generated spaces and line breaks dropped.

    With ``skip_invisible``, text drawn invisibly is left out: that is the layer an OCR program
    lays over a scan, its guesses at what the picture shows, not text of the document.

    A char's box is pdfium's loose box (font ascent to descent, so all glyphs of a line share one
    band); the point that places it in a table cell is the centre of its ink (the tight box).
    Some WPS files with vertical text get loose boxes that are the unscaled font size (~200 pt
    wide); those are replaced by the tight box grown to a normal line height.
    """
    raw_tp = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw_tp)
    if n <= 0:
        return []
    text = textpage.get_text_range(0, n)
    if len(text) != n:  # characters outside the BMP: the text no longer lines up with the indices
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw_tp, i) or 0xFFFD) for i in range(n))
    loose = pdfium_c.FS_RECTF()
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    get_loose = pdfium_c.FPDFText_GetLooseCharBox
    get_tight = pdfium_c.FPDFText_GetCharBox
    is_generated = pdfium_c.FPDFText_IsGenerated
    found = []
    for i, ch in enumerate(text):
        if ch in "\r\n\x00\ufffe\uffff" or (ch.isspace() and is_generated(raw_tp, i)):
            continue  # pdfium only generates whitespace
        if skip_invisible and _invisible_text(pdfium_c.FPDFText_GetTextObject(raw_tp, i)):
            continue
        if not get_loose(raw_tp, i, loose):
            continue
        box = (loose.left, loose.bottom, loose.right, loose.top)
        if get_tight(raw_tp, i, left, right, bottom, top) and right.value > left.value and top.value > bottom.value:
            ink = (left.value, bottom.value, right.value, top.value)
        else:
            ink = box
        found.append((ch, box, ink))
    if not found:
        return []
    heights = sorted(b[3] - b[1] for _, b, _ in found)
    typical = max(heights[len(heights) // 2], 1.0)
    chars = []
    for ch, (x0, y0, x1, y1), (ix0, iy0, ix1, iy1) in found:
        cx, cy = (ix0 + ix1) / 2, (iy0 + iy1) / 2
        if y1 - y0 > 3 * typical or x1 - x0 > 3 * typical or not (x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1):
            half = max(iy1 - iy0, typical) / 2
            x0, y0, x1, y1 = ix0, cy - half, ix1, cy + half
        chars.append(Char(ch, x0, y0, x1, y1, cx, cy))
    return chars


class PageDrawing(NamedTuple):
    segments: list[Segment]  # visible axis-aligned ruling lines
    images: int  # image objects
    invisible_text: bool  # some text is drawn invisibly (an OCR layer)


def page_drawing(page) -> PageDrawing:
    """What the page draws besides its text: ruling lines, images, and whether text is hidden."""
    segments: list[Segment] = []
    images = 0
    invisible_text = False
    raw_page = page.raw
    stack = [
        (pdfium_c.FPDFPage_GetObject(raw_page, i), _IDENTITY) for i in range(pdfium_c.FPDFPage_CountObjects(raw_page))
    ]
    matrix = pdfium_c.FS_MATRIX()
    while stack:
        obj, parent = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            invisible_text = invisible_text or _invisible_text(obj)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
            m = _compose(_as_tuple(matrix), parent)
            stack.extend(
                (pdfium_c.FPDFFormObj_GetObject(obj, i), m) for i in range(pdfium_c.FPDFFormObj_CountObjects(obj))
            )
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
            segments.extend(_path_segments(obj, _compose(_as_tuple(matrix), parent)))
    return PageDrawing(segments, images, invisible_text)


_INVISIBLE_MODES = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)


def _invisible_text(obj) -> bool:
    return bool(obj) and pdfium_c.FPDFTextObj_GetTextRenderMode(obj) in _INVISIBLE_MODES


def _as_tuple(m) -> Matrix:
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix that applies ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _visible(obj, fill: bool, stroke: bool) -> tuple[bool, bool]:
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if fill and pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a):
        fill = a.value > 0 and min(r.value, g.value, b.value) < WHITE
    if stroke and pdfium_c.FPDFPageObj_GetStrokeColor(obj, r, g, b, a):
        stroke = a.value > 0 and min(r.value, g.value, b.value) < WHITE
    return fill, stroke


def _path_segments(obj, m: Matrix) -> list[Segment]:
    fill_mode, stroke_flag = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke_flag):
        return []
    fill, stroke = _visible(obj, fill_mode.value != 0, bool(stroke_flag.value))
    if not fill and not stroke:
        return []
    subpaths = _subpaths(obj, m)
    out: list[Segment] = []
    for points in subpaths:
        edges = [(p, q) for p, q in zip(points, points[1:], strict=False) if p != q]
        if fill:
            box = _thin_box(points, edges)
            if box is not None:
                out.append(box)
                continue
        if stroke:
            out.extend(s for p, q in edges if (s := _axis_segment(p, q)) is not None)
    return out


def _subpaths(obj, m: Matrix) -> list[list[tuple[float, float]]]:
    """Polylines of the path in page space; curves are kept only as their end points."""
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        pt = (x.value * a + y.value * c + e, x.value * b + y.value * d + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([pt])
        else:
            subpaths[-1].append(pt)
        if pdfium_c.FPDFPathSegment_GetClose(seg) and subpaths[-1][0] != pt:
            subpaths[-1].append(subpaths[-1][0])
    return subpaths


def _axis_segment(p: tuple[float, float], q: tuple[float, float]) -> Segment | None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < 0.5 and abs(x1 - x0) >= MIN_LENGTH:
        return Segment(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1))
    if abs(x0 - x1) < 0.5 and abs(y1 - y0) >= MIN_LENGTH:
        return Segment(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1))
    return None


def _thin_box(points: list[tuple[float, float]], edges) -> Segment | None:
    """A filled axis-aligned rectangle that is thin enough to be a drawn line, as that line.

    A browser draws each border of a cell as its own filled shape, with the ends cut on the slant
    where it meets a border of another width (a mitred corner): a short slanted edge, no longer than
    a line is thick, is still a line's end.
    """
    if len(points) < 4 or any(
        abs(p[0] - q[0]) > 0.5 and abs(p[1] - q[1]) > 0.5 and (abs(p[0] - q[0]) > THIN or abs(p[1] - q[1]) > THIN)
        for p, q in edges
    ):
        return None  # not an axis-aligned rectangle
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    if h <= THIN and w >= MIN_LENGTH and w > h:
        return Segment(True, (max(ys) + min(ys)) / 2, min(xs), max(xs))
    if w <= THIN and h >= MIN_LENGTH and h > w:
        return Segment(False, (max(xs) + min(xs)) / 2, min(ys), max(ys))
    return None
