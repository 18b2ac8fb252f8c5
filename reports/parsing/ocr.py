"""The OCR reader: a picture of a page → the characters and ruling lines the PDF reader works with.

A scanned page goes through the same table and text reading as a PDF page with a text layer (one
parser, another reader): this module finds what a text PDF would have told — ruling lines and
positioned characters — in the picture, and the PDF reader's grid and line code does the rest.

The page pipeline: colour marks (a red seal, a blue signature) are painted out; the tilt is measured
and turned back; ruling lines are found; each cell of a ruled table and each text line outside the
tables is cut out and read by the recognition model (batched, only where there is ink: no text
detection over the whole page). Every character keeps its certainty, so that a number is taken only
when every character of it is certain (:mod:`reports.parsing.ocr_vet`), and its place on the page, so
that a reviewer can be shown the picture of the cell.

Coordinates handed on are PDF points (y up) of the *straightened* page; :class:`OcrPage` turns a box
back into the page as scanned.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from reports.parsing import ocr_image as im
from reports.parsing.normalize import UNREADABLE
from reports.parsing.ocr_model import Reading, Recognizer
from reports.parsing.pdf_grid import Char, Segment, _Grid, table_frames

# Resolution the page is read at: enough for 9-point digits, little more (the model reads 48-pixel lines).
DPI = 200
MIN_DPI, MAX_DPI = 150, 300
# Typical body text height in points, when a page has too little text to measure it.
DEFAULT_EM = 10.5
# Punctuation read with less probability than this between two Chinese characters is noise.
STRAY_MARK = 0.8
# A character not replaced by a reading (ink the model read as nothing).
UNREAD_CHAR = UNREADABLE


@dataclass(frozen=True)
class OcrGlyph:
    """What is known about one character placed on a page."""

    text: str
    prob: float
    alt: str
    alt_prob: float
    doubt: float  # of the whole piece it was read in
    token: int  # the piece of ink it was read from (index on the page)
    digit: str = ""  # read as a figure (see ocr_model.Glyph)
    digit_prob: float = 0.0
    rival_prob: float = 0.0
    height: float = 0.0  # of its ink, in text-line heights of the page (a digit ~0.7, a dot ~0.15)


@dataclass
class OcrPage:
    """One page read by OCR: its characters' certainty and how to map back to the picture."""

    number: int  # 1-based
    width: float  # points
    height: float
    angle: float  # degrees the picture was turned to straighten it
    chars: list[Char] = field(default_factory=list)
    glyphs: list[OcrGlyph] = field(default_factory=list)  # parallel to chars
    seconds: float = 0.0

    def glyphs_in(self, box: tuple[float, float, float, float]) -> list[tuple[Char, OcrGlyph]]:
        """Characters whose centre lies in ``box`` (x0, y0, x1, y1 in points, y up, straightened page)."""
        x0, y0, x1, y1 = box
        return [(c, g) for c, g in zip(self.chars, self.glyphs, strict=True) if x0 <= c.cx <= x1 and y0 <= c.cy <= y1]

    def scanned_box(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A box of the straightened page (points, y up) as a box of the page as displayed: points from
        the top-left corner (left, top, right, bottom), enclosing the box turned back by the tilt."""
        x0, y0, x1, y1 = box
        cx, cy = self.width / 2, self.height / 2
        a = math.radians(self.angle)
        pts = []
        for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            # Straightened (y down) → as scanned: turn by -angle about the centre.
            dx, dy = x - cx, (self.height - y) - cy
            sx = cx + dx * math.cos(a) + dy * math.sin(a)
            sy = cy - dx * math.sin(a) + dy * math.cos(a)
            pts.append((sx, sy))
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        return (round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1))


@dataclass(frozen=True)
class _Piece:
    """A piece of ink to read: its box in pixels of the straightened page (x0, y0, x1, y1 exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int


def read_picture(
    picture: np.ndarray, width: float, height: float, number: int, recognizer: Recognizer | None = None
) -> tuple[list[Char], list[Segment], OcrPage]:
    """Characters and ruling lines of a page picture (RGB or grey) of ``width`` × ``height`` points."""
    import time

    started = time.perf_counter()
    recognizer = recognizer or Recognizer.shared()
    scale = picture.shape[1] / width  # pixels per point
    gray = im.grey(picture)
    threshold = im.ink_threshold(gray)
    mask = im.despeckle(gray < threshold)
    angle = im.skew_angle(mask)
    if abs(angle) >= 0.02:
        # The content leans by `angle`: turn it back.
        gray = im.rotate(gray, -angle)
        mask = im.despeckle(gray < threshold)
    em = _em(mask, scale)
    lines = im.ruling_lines(
        mask, min_h=int(em * 2.5), min_v=int(em * 1.15), join=int(3 * scale), max_thickness=max(6, int(em * 0.4))
    )
    segments = [_segment(ln, scale, height) for ln in lines]
    text_mask = im.erase(mask, lines)
    # Measured again without the ruling lines (a table's vertical lines join its rows into one band).
    em = _em(text_mask, scale, em)
    clean = gray.copy()
    clean[mask & ~text_mask] = 255  # the ruling lines painted out of what is read
    pieces: list[_Piece] = []
    outside = text_mask.copy()
    for frame in table_frames(segments):
        grid = _Grid(frame)
        if grid.n_rows < 1 or grid.n_cols < 1:
            continue
        fx0, fy0, fx1, fy1 = _px_box(grid.xs[0], grid.ys[0], grid.xs[-1], grid.ys[-1], scale, height)
        outside[max(0, fy0 - 2) : fy1 + 3, max(0, fx0 - 2) : fx1 + 3] = False
        ids = grid.regions()
        boxes: dict[int, list[int]] = {}
        for r in range(grid.n_rows):
            for c in range(grid.n_cols):
                b = boxes.setdefault(ids[r][c], [c, r, c, r])
                b[0], b[1], b[2], b[3] = min(b[0], c), min(b[1], r), max(b[2], c), max(b[3], r)
        for c0, r0, c1, r1 in boxes.values():
            x0, y0, x1, y1 = _px_box(grid.xs[c0], grid.ys[r0], grid.xs[c1 + 1], grid.ys[r1 + 1], scale, height)
            pieces.extend(_cell_pieces(text_mask, x0, y0, x1, y1, em))
    in_tables = len(pieces)
    pieces.extend(_text_pieces(outside, em))
    crops = [_crop(clean, p, em) for p in pieces]
    readings = _read_all(recognizer, [c for c, _ in crops], pieces, em)
    page = OcrPage(number, width, height, angle)
    for token, (piece, (_, left), reading) in enumerate(zip(pieces, crops, readings, strict=True)):
        if token >= in_tables and _noise(reading):
            continue  # outside a table, ink read as nothing is a picture, a logo or dirt, not text
        _place(page, token, piece, left, reading, text_mask, scale, height, em)
    page.seconds = time.perf_counter() - started
    return page.chars, segments, page


def _em(mask: np.ndarray, scale: float, default: float | None = None) -> float:
    """Height of a text line in pixels, from the page's rows of ink (the median plausible one)."""
    heights = [b - a for a, b in im.bands(mask, min_ink=3)]
    plausible = [h for h in heights if 5 * scale <= h <= 20 * scale]
    if len(plausible) < 3:
        return default or DEFAULT_EM * scale
    return float(np.median(plausible))


def _segment(ln: im.Line, scale: float, height: float) -> Segment:
    if ln.horizontal:
        return Segment(True, height - ln.pos / scale, ln.lo / scale, ln.hi / scale)
    return Segment(False, ln.pos / scale, height - ln.hi / scale, height - ln.lo / scale)


def _px_box(x0: float, top: float, x1: float, bottom: float, scale: float, height: float) -> tuple[int, int, int, int]:
    """A box in points (y up: ``top`` > ``bottom``) as pixels (y down)."""
    return (
        int(round(x0 * scale)),
        int(round((height - top) * scale)),
        int(round(x1 * scale)),
        int(round((height - bottom) * scale)),
    )


def _cell_pieces(mask: np.ndarray, x0: int, y0: int, x1: int, y1: int, em: float) -> list[_Piece]:
    """The text lines of one table cell, each split where its words stand apart."""
    inset = 2
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    return _pieces_in(mask, x0, y0, x1, y1, em, gap=0.9 * em)


def _text_pieces(mask: np.ndarray, em: float) -> list[_Piece]:
    h, w = mask.shape
    return _pieces_in(mask, 0, 0, w, h, em, gap=1.5 * em)


def _pieces_in(mask: np.ndarray, x0: int, y0: int, x1: int, y1: int, em: float, gap: float) -> list[_Piece]:
    region = mask[y0:y1, x0:x1]
    out = []
    for a, b in _split_tall(region, im.bands(region, min_ink=1, min_height=max(2, int(em * 0.15))), em):
        band = region[a:b]
        for s, e in im.pieces(band, int(gap)):
            piece = band[:, s:e]
            ys = np.nonzero(piece.any(axis=1))[0]
            if len(ys) == 0 or piece.sum() < max(4, em * em * 0.004):
                continue  # a speck
            out.append(_Piece(x0 + s, y0 + a + int(ys[0]), x0 + e, y0 + a + int(ys[-1]) + 1))
    return out


def _split_tall(region: np.ndarray, found: list[tuple[int, int]], em: float) -> list[tuple[int, int]]:
    """Bands taller than a line cut at their thinnest rows (two lines of text touching)."""
    out = []
    for a, b in found:
        if b - a <= 1.6 * em:
            out.append((a, b))
            continue
        profile = region[a:b].sum(axis=1)
        n = max(1, round((b - a) / em))
        cuts = [a]
        for k in range(1, n):
            centre = int(k * (b - a) / n)
            lo, hi = max(1, centre - int(em * 0.3)), min(b - a - 1, centre + int(em * 0.3))
            if hi <= lo:
                continue
            cut = lo + int(np.argmin(profile[lo:hi]))
            cuts.append(a + cut)
        cuts.append(b)
        out.extend((p, q) for p, q in zip(cuts, cuts[1:], strict=False) if q - p >= 2)
    return out


# A piece wider than this many times its height is a line of text; a narrower one a figure or a word.
LINE_SHAPE = 3.0
# Lines are read narrowed by this factor, with a looser margin: as accurate, half the time (measured
# on the shared scans). A line with a figure in it is read again at full width, where every digit
# has room of its own (two equal digits must have a step between them to be read as two).
SQUEEZE = 0.65


def _is_line(p: _Piece) -> bool:
    return p.x1 - p.x0 > LINE_SHAPE * (p.y1 - p.y0)


def _crop(gray: np.ndarray, p: _Piece, em: float) -> tuple[np.ndarray, int]:
    """The piece with a margin like the recogniser was trained with; and the crop's left edge.

    A figure is cut tight (a lone "0" with room around it looks like an "o" or a "。" to the model);
    a line of text gets a looser margin.
    """
    h, w = gray.shape
    height = p.y1 - p.y0
    base = max(height, em * 0.5)
    mv = max(2, int(round(base * (0.25 if _is_line(p) else 0.08))))
    mh = max(3, int(round(base * 0.3)))
    x0, x1 = max(0, p.x0 - mh), min(w, p.x1 + mh)
    y0, y1 = max(0, p.y0 - mv), min(h, p.y1 + mv)
    return gray[y0:y1, x0:x1], x0


def _read_all(recognizer: Recognizer, crops: list[np.ndarray], pieces: list[_Piece], em: float) -> list[Reading]:
    """Every piece read; lines of body text narrowed, and those in which a digit was seen read again at
    full width. Headings and titles (taller than body text: few characters, and the agency's name) are
    read at full width from the start."""
    if not crops:
        return []
    squeeze = [SQUEEZE if _is_line(p) and p.y1 - p.y0 <= 1.3 * em else 1.0 for p in pieces]
    readings = recognizer.read(crops, squeeze)
    again = [i for i, r in enumerate(readings) if squeeze[i] != 1.0 and any(g.text.isdigit() for g in r.glyphs)]
    if again:
        for i, reading in zip(again, recognizer.read([crops[i] for i in again]), strict=True):
            readings[i] = reading
    return readings


# Running text read with less mean certainty than this is not text (a photo, a logo, dirt).
NOISE = 0.4


def _noise(reading: Reading) -> bool:
    probs = [g.prob for g in reading.glyphs if g.text.strip()]
    return not probs or sum(probs) / len(probs) < NOISE


def _without_stray_marks(glyphs: list) -> list:  # type: ignore[type-arg]
    """Without doubtful punctuation between two Chinese characters: two noise dots read as a colon,
    a speck as a hyphen ("张掖市甘州区：北苑街道"). Punctuation that is printed is read with certainty."""
    out = []
    for i, g in enumerate(glyphs):
        if (
            0 < i < len(glyphs) - 1
            and g.prob < STRAY_MARK
            and unicodedata.category(g.text[0]).startswith("P")
            and _cjk(glyphs[i - 1].text)
            and _cjk(glyphs[i + 1].text)
        ):
            continue
        out.append(g)
    return out


def _cjk(text: str) -> bool:
    return bool(text) and "\u4e00" <= text[0] <= "\u9fff"


def _place(
    page: OcrPage,
    token: int,
    p: _Piece,
    left: int,
    reading: Reading,
    mask: np.ndarray,
    scale: float,
    height: float,
    em: float,
) -> None:
    """The characters read from one piece, placed along it (boxes meeting at midpoints between them)."""
    top, bottom = height - p.y0 / scale, height - p.y1 / scale
    glyphs = _without_stray_marks([g for g in reading.glyphs if g.text])
    if not glyphs:
        x0, x1 = p.x0 / scale, p.x1 / scale
        page.chars.append(Char(UNREAD_CHAR, x0, bottom, x1, top, (x0 + x1) / 2, (top + bottom) / 2))
        page.glyphs.append(OcrGlyph(UNREAD_CHAR, 0.0, "", 0.0, 1.0, token, height=(p.y1 - p.y0) / em))
        return
    centres = [left + (g.x0 + g.x1) / 2 for g in glyphs]
    edges = [p.x0] + [(a + b) / 2 for a, b in zip(centres, centres[1:], strict=False)] + [p.x1]
    ink = mask[p.y0 : p.y1]
    for i, g in enumerate(glyphs):
        a, b = edges[i], edges[i + 1]
        rows = np.nonzero(ink[:, int(a) : max(int(a) + 1, int(math.ceil(b)))].any(axis=1))[0]
        tall = (rows[-1] - rows[0] + 1) / em if len(rows) else 0.0
        x0, x1 = a / scale, b / scale
        page.chars.append(Char(g.text, x0, bottom, x1, top, (x0 + x1) / 2, (top + bottom) / 2))
        page.glyphs.append(
            OcrGlyph(g.text, g.prob, g.alt, g.alt_prob, reading.doubt, token, g.digit, g.digit_prob, g.rival_prob, tall)
        )
