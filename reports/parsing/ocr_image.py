"""Image processing for the OCR reader, in numpy: colour marks out, tilt out, ruling lines and text lines found.

A page image is ``uint8`` grey, dark ink on light paper, rows top to bottom (pixel coordinates).
Nothing here knows about reports; the reader (:mod:`reports.parsing.ocr`) decides what the shapes mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A pixel whose colour channels differ by more than this is a colour mark (a red seal, a blue
# signature, a highlighter), not printed text: it is painted white before anything is read …
COLOUR = 48
# … unless it is this dark in its brightest channel: black text under a seal's red is such a pixel.
COLOUR_DARK = 140
# Where colour marks lie, a pixel is ink only when it is this dark.
ZONE_DARK = 100
# Skew is looked for within ± this many degrees.
MAX_SKEW = 5.0


@dataclass(frozen=True)
class Line:
    """A ruling line in pixels: ``pos`` is the row of a horizontal line, the column of a vertical one."""

    horizontal: bool
    pos: float
    lo: int
    hi: int
    thickness: int


def grey(rgb: np.ndarray) -> np.ndarray:
    """Grey page with colour marks painted out.

    The brightest channel is the grey: red seal ink on paper is bright in red, a blue pen in blue, so
    both read as light, while black text under a seal stays dark in every channel. Where a colour mark
    lies (a neighbourhood with many coloured pixels), only what is really dark is kept: a JPEG keeps
    colour at half resolution, so the edges of a seal's strokes come out as a dull dark grey that
    would otherwise read as ink.
    """
    if rgb.ndim == 2:
        return rgb.astype(np.uint8, copy=False)
    r, g, b = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    hi = np.maximum(np.maximum(r, g), b)
    coloured = (hi - np.minimum(np.minimum(r, g), b)) > COLOUR
    out = hi.copy()
    out[coloured & (hi > COLOUR_DARK)] = 255
    if coloured.any():
        zone = _colour_zone(coloured)
        out[zone & (hi > ZONE_DARK)] = 255
    return out


def _colour_zone(coloured: np.ndarray, cell: int = 4) -> np.ndarray:
    """Where colour marks lie: pixels whose 3×3 neighbourhood of ``cell``-pixel blocks is over 12 % coloured."""
    h, w = coloured.shape
    hb, wb = -(-h // cell), -(-w // cell)
    padded = np.zeros((hb * cell, wb * cell), dtype=np.float32)
    padded[:h, :w] = coloured
    blocks = padded.reshape(hb, cell, wb, cell).mean(axis=(1, 3))
    p = np.pad(blocks, 1)
    around = sum(p[dy : dy + hb, dx : dx + wb] for dy in range(3) for dx in range(3)) / 9
    zone = around > 0.12
    return np.repeat(np.repeat(zone, cell, axis=0), cell, axis=1)[:h, :w]


def ink_threshold(gray: np.ndarray) -> int:
    """Otsu's threshold between ink and paper, kept within sane bounds for printed pages."""
    hist = np.bincount(gray[::2, ::2].ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    mean_all = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * w0 / total - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    t = int(np.argmax(between))
    return int(min(max(t, 90), 200))


def ink(gray: np.ndarray, threshold: int | None = None) -> np.ndarray:
    return gray < (ink_threshold(gray) if threshold is None else threshold)


def skew_angle(mask: np.ndarray) -> float:
    """The page's tilt in degrees (positive: the content is turned counter-clockwise), from the angle at
    which the rows of ink are sharpest (text lines and ruling lines line up with the pixel rows)."""
    small = mask[::2, ::2]
    ys, xs = np.nonzero(small)
    if len(ys) < 200:
        return 0.0
    if len(ys) > 150_000:
        pick = np.random.default_rng(0).choice(len(ys), 150_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - small.shape[1] / 2

    def score(deg: float) -> float:
        rows = np.round(ys + xs * np.tan(np.radians(deg))).astype(np.int64)
        rows -= rows.min()
        counts = np.bincount(rows)
        return float(np.dot(counts, counts))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=score)
    for step in (0.05, 0.01):
        best = max(np.arange(best - 5 * step, best + 5 * step + 1e-9, step), key=score)
    return float(best)


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """The page turned by ``degrees`` (counter-clockwise) about its centre, paper-white where nothing was."""
    if abs(degrees) < 0.02:
        return gray
    from PIL import Image

    img = Image.fromarray(gray).rotate(degrees, resample=Image.Resampling.BILINEAR, fillcolor=255)
    return np.asarray(img)


def _runs(mask: np.ndarray, min_len: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of ink along each row at least ``min_len`` long: (row, start, end exclusive)."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    sr, sc = np.nonzero(d == 1)
    er, ec = np.nonzero(d == -1)
    keep = (ec - sc) >= min_len
    return sr[keep], sc[keep], ec[keep]


def _bridge(mask: np.ndarray) -> np.ndarray:
    """Close one-pixel breaks along the rows (a thin scanned line is often broken by noise)."""
    out = mask.copy()
    out[:, 1:] |= mask[:, :-1]
    out[:, :-1] |= mask[:, 1:]
    return out


def ruling_lines(mask: np.ndarray, min_h: int, min_v: int, join: int, max_thickness: int = 12) -> list[Line]:
    """Straight horizontal and vertical lines of the page (table borders, underlines).

    A line is a band of rows (columns) holding long runs of ink that overlap; pieces along one band with a
    gap up to ``join`` are one line.
    """
    lines = [ln for ln in _lines(_bridge(mask), min_h, join, True) if _clear(mask, ln)]
    transposed = mask.T.copy()
    lines += [ln for ln in _lines(_bridge(transposed), min_v, join, False) if _clear(transposed, ln)]
    return [ln for ln in lines if ln.thickness <= max_thickness]


# A ruling line has paper on both sides along most of its length (ink touches it only where another
# line crosses or text comes close); the strokes of bold, tightly set characters joined into a long
# run have ink beside them all along.
CLEAR = 0.35


def _clear(mask: np.ndarray, ln: Line) -> bool:
    """Whether the band of ``ln`` (rows of ``mask``, transposed for a vertical line) has paper beside it."""
    p = int(round(ln.pos))
    half = ln.thickness // 2 + 1
    above = mask[max(0, p - half - 3) : max(0, p - half - 1), ln.lo : ln.hi]
    below = mask[p + half + 2 : p + half + 4, ln.lo : ln.hi]
    if above.size == 0 or below.size == 0:
        return True  # at the edge of the page
    busy = above.any(axis=0) | below.any(axis=0)
    return float(busy.mean()) <= CLEAR


def _lines(mask: np.ndarray, min_len: int, join: int, horizontal: bool) -> list[Line]:
    rows, starts, ends = _runs(mask, min_len)
    # Bands: runs on neighbouring rows whose extents overlap belong to one line.
    open_lines: list[list[int]] = []  # [first_row, last_row, lo, hi, weight_sum, weighted_rows]
    done: list[list[int]] = []
    for r, s, e in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True):
        hit = None
        for ln in open_lines:
            if r - ln[1] <= 2 and s <= ln[3] + join and e >= ln[2] - join:
                hit = ln
                break
        if hit is None:
            open_lines.append([r, r, s, e, e - s, (e - s) * r])
        else:
            hit[1] = r
            hit[2] = min(hit[2], s)
            hit[3] = max(hit[3], e)
            hit[4] += e - s
            hit[5] += (e - s) * r
        still = []
        for ln in open_lines:
            (still if r - ln[1] <= 2 else done).append(ln)
        open_lines = still
    done.extend(open_lines)
    out = []
    for first, last, lo, hi, weight, weighted in done:
        # The bridge widened every run by a pixel at each end.
        out.append(Line(horizontal, weighted / weight, lo + 1, hi - 1, last - first + 1))
    return out


def erase(mask: np.ndarray, lines: list[Line], pad: int = 1) -> np.ndarray:
    """The ink mask without the given ruling lines."""
    out = mask.copy()
    for ln in lines:
        half = ln.thickness // 2 + pad + 1
        p = int(round(ln.pos))
        if ln.horizontal:
            out[max(0, p - half) : p + half + 1, max(0, ln.lo - pad) : ln.hi + pad + 1] = False
        else:
            out[max(0, ln.lo - pad) : ln.hi + pad + 1, max(0, p - half) : p + half + 1] = False
    return out


def bands(mask: np.ndarray, min_ink: int = 2, min_height: int = 3, merge_gap: int = 1) -> list[tuple[int, int]]:
    """Rows of text in a (part of a) page: runs of rows with ink, top to bottom, as (first, end exclusive)."""
    profile = mask.sum(axis=1)
    rows = profile >= min_ink
    out: list[tuple[int, int]] = []
    start = None
    gap = 0
    for y, on in enumerate(rows.tolist()):
        if on:
            if start is None:
                start = y
            gap = 0
            end = y + 1
        elif start is not None:
            gap += 1
            if gap > merge_gap:
                out.append((start, end))
                start = None
    if start is not None:
        out.append((start, end))
    return [(a, b) for a, b in out if b - a >= min_height]


def pieces(mask: np.ndarray, gap: int, min_ink: int = 1) -> list[tuple[int, int]]:
    """Stretches of columns with ink, split where at least ``gap`` columns are empty: (first, end exclusive)."""
    cols = mask.sum(axis=0) >= min_ink
    xs = np.nonzero(cols)[0]
    if len(xs) == 0:
        return []
    breaks = np.nonzero(np.diff(xs) > gap)[0]
    starts = np.concatenate([[xs[0]], xs[breaks + 1]])
    ends = np.concatenate([xs[breaks], [xs[-1]]]) + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def components_bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1 exclusive) of all ink, or None."""
    ys = np.nonzero(mask.any(axis=1))[0]
    if len(ys) == 0:
        return None
    xs = np.nonzero(mask.any(axis=0))[0]
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1


def despeckle(mask: np.ndarray) -> np.ndarray:
    """Ink pixels with at least two ink neighbours (of eight): scan noise is mostly lone dots."""
    m = mask.astype(np.uint8)
    p = np.pad(m, 1)
    n = p[:-2, :-2] + p[:-2, 1:-1] + p[:-2, 2:] + p[1:-1, :-2] + p[1:-1, 2:] + p[2:, :-2] + p[2:, 1:-1] + p[2:, 2:]
    return mask & (n >= 2)
