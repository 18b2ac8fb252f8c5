"""Pure geometry for the PDF reader: characters into visual lines, ruling lines into table grids.

Coordinates are PDF user space (points, y grows upwards). Nothing here touches pdfium, so the
rules can be tested with hand-made characters and segments.

A table is rebuilt the way it was drawn: the ruling lines give the row and column boundaries,
a boundary that is not drawn between two neighbouring grid cells means they are one merged cell,
and every character goes to the cell its centre lies in. Text gaps are only used to keep apart
what a missing border would otherwise join (two numbers, or two cells' texts across a column
boundary of the grid); they never join anything.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import NamedTuple

# Lines closer than this (points) are one ruling line: Word draws a cell border and its
# neighbour's border a fraction of a point apart.
SNAP = 2.0
# Two collinear pieces of a ruling line with a gap up to this are one line (dashed borders, joins).
JOIN = 3.0
# The digits of one number stand (nearly) shoulder to shoulder; digits further apart than this many
# glyph heights belong to two numbers.
DIGIT_GAP = 0.15
# A merged cell is read as two where its text stands this many glyph heights apart across a column
# boundary of the grid (see _split_at_blank_columns).
BLANK_GAP = 0.5
REGULAR_GAP = 0.2
# A column boundary drawn in at least this share of a table's rows is part of its regular grid.
REGULAR = 0.75
# A boundary separates two grid cells when the drawn lines cover at least this share of the edge.
COVER = 0.5


class Char(NamedTuple):
    """One glyph: its box (the line band it occupies) and the point that decides its cell (its ink centre)."""

    text: str
    x0: float
    y0: float  # bottom
    x1: float
    y1: float  # top
    cx: float
    cy: float

    @classmethod
    def boxed(cls, text: str, x0: float, y0: float, x1: float, y1: float) -> Char:
        return cls(text, x0, y0, x1, y1, (x0 + x1) / 2, (y0 + y1) / 2)


class Segment(NamedTuple):
    """An axis-aligned ruling line: ``pos`` is y for a horizontal line, x for a vertical one."""

    horizontal: bool
    pos: float
    lo: float
    hi: float


@dataclass(frozen=True)
class VisualLine:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float = 0.0


@dataclass(frozen=True)
class GridTable:
    """A table found on one page: ``cells[r][c]`` is ``(text, merged)``; ``top`` orders it among lines."""

    cells: tuple[tuple[tuple[str, bool], ...], ...]
    top: float
    bottom: float
    xs: tuple[float, ...]  # column boundaries, left to right
    # Per grid position, the box of the (merged) cell it belongs to: (x0, bottom, x1, top) in page points.
    boxes: tuple[tuple[tuple[float, float, float, float], ...], ...] = ()

    def widened(self, xs: tuple[float, ...]) -> GridTable:
        """The same table on the column boundaries ``xs``, if they include all of its own; else itself.

        A table split by a page break loses, on each page, the column boundaries that no row there
        needs (a lone 四、结转下年度继续办理 row has its 3-column label as one cell). Putting them back
        gives both parts the same width; a cell spanning a restored boundary is a merged cell, so
        no text moves.
        """
        if (
            len(xs) <= len(self.xs)
            or not _same_boundaries(xs[0], self.xs[0])
            or not _same_boundaries(xs[-1], self.xs[-1])
        ):
            return self
        if not all(any(_same_boundaries(x, y) for y in xs) for x in self.xs):
            return self
        # For every new column, the old column it lies in.
        last = len(self.xs) - 2
        source = [min(max(bisect_right(self.xs, (a + b) / 2) - 1, 0), last) for a, b in zip(xs, xs[1:], strict=False)]
        rows = []
        for row in self.cells:
            new_row = []
            for i, c in enumerate(source):
                text, merged = row[c]
                new_row.append((text, merged or (i > 0 and source[i - 1] == c)))
            rows.append(tuple(new_row))
        boxes = tuple(tuple(row[c] for c in source) for row in self.boxes)
        return GridTable(tuple(rows), self.top, self.bottom, tuple(xs), boxes)


def _same_boundaries(a: float, b: float) -> bool:
    return abs(a - b) <= SNAP


def upright(chars: list[Char], segments: list[Segment], rotation: int) -> tuple[list[Char], list[Segment]]:
    """Chars and lines turned so that y points up on the page as displayed (``/Rotate`` 90, 180, 270)."""
    if rotation % 360 == 0:
        return chars, segments
    # Display position of a user-space point: (right, up).
    turn = {90: lambda x, y: (y, -x), 180: lambda x, y: (-x, -y), 270: lambda x, y: (-y, x)}[rotation % 360]
    out_chars = []
    for ch in chars:
        (ax, ay), (bx, by) = turn(ch.x0, ch.y0), turn(ch.x1, ch.y1)
        cx, cy = turn(ch.cx, ch.cy)
        out_chars.append(Char(ch.text, min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), cx, cy))
    out_segments = []
    for sg in segments:
        a = turn(sg.lo, sg.pos) if sg.horizontal else turn(sg.pos, sg.lo)
        b = turn(sg.hi, sg.pos) if sg.horizontal else turn(sg.pos, sg.hi)
        if abs(a[1] - b[1]) < abs(a[0] - b[0]):
            out_segments.append(Segment(True, a[1], min(a[0], b[0]), max(a[0], b[0])))
        else:
            out_segments.append(Segment(False, a[0], min(a[1], b[1]), max(a[1], b[1])))
    return out_chars, out_segments


# ---------------------------------------------------------------------------------------------
# characters → visual lines

_SPACE = re.compile(r"\s+")


def group_lines(chars: list[Char]) -> list[list[Char]]:
    """Chars grouped into visual lines, top to bottom, each line left to right.

    A char joins the line being built when its vertical centre lies inside the line's band and
    the two overlap by half the smaller height: a small line just under a big title stays apart.
    """
    lines: list[list[Char]] = []
    band_lo = band_hi = 0.0
    for ch in sorted(chars, key=lambda c: -(c.y0 + c.y1)):
        mid = (ch.y0 + ch.y1) / 2
        if lines and band_lo <= mid <= band_hi:
            overlap = min(band_hi, ch.y1) - max(band_lo, ch.y0)
            if overlap >= 0.5 * min(band_hi - band_lo, ch.y1 - ch.y0):
                lines[-1].append(ch)
                continue
        lines.append([ch])
        band_lo, band_hi = ch.y0, ch.y1
        if band_hi - band_lo < 1:  # a glyph box without height (e.g. a space): give it some
            band_lo, band_hi = mid - 2, mid + 2
    for line in lines:
        line.sort(key=lambda c: c.x0)
    return lines


def line_text(line: list[Char], wide_gap: str = "") -> str:
    """The characters of one visual line, without invented spaces.

    Spaces that are really in the PDF are kept (collapsed to one); a glyph drawn twice on the same
    spot (fake bold) is read once. Where two glyphs stand further apart than a glyph's height
    (a column gap, not justification), ``wide_gap`` is put between them; two digits further
    apart than ``DIGIT_GAP`` glyph heights get a space in any case, so that two numbers never read as one.
    """
    out: list[str] = []
    prev: Char | None = None
    for ch in line:
        if prev is not None:
            if ch.text == prev.text and _same_spot(ch, prev):
                continue
            gap = (ch.x0 - prev.x1) / max(prev.y1 - prev.y0, ch.y1 - ch.y0, 1.0)
            sep = ""
            if gap > 1:
                sep = wide_gap
            if not sep and gap > DIGIT_GAP and _digit(prev.text) and _digit(ch.text):
                sep = " "
            if sep and not ch.text.isspace() and not prev.text.isspace():
                out.append(sep)
        out.append(ch.text)
        prev = ch
    return _SPACE.sub(lambda m: m.group(0)[0], "".join(out)).strip()


def _digit(text: str) -> bool:
    return text.isdigit() or text in ".,"


def _same_spot(a: Char, b: Char) -> bool:
    width = max(a.x1 - a.x0, b.x1 - b.x0, 0.1)
    overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    return overlap > 0.7 * width


def visual_lines(chars: list[Char]) -> list[VisualLine]:
    """Running text, one entry per visual line; a wide gap (a borderless table's columns) reads as a tab."""
    result = []
    for line in group_lines(chars):
        text = line_text(line, "\t")
        if text:
            top, bottom = max(c.y1 for c in line), min(c.y0 for c in line)
            result.append(VisualLine(text, top, bottom, min(c.x0 for c in line), max(c.x1 for c in line)))
    return result


def cell_text(chars: list[Char]) -> str:
    """A cell's text: its visual lines joined without spaces (a wrapped label reads as one).

    Two lines that meet digit to digit are joined with a space: a cell holding two stacked numbers
    (a border missing in the drawing) must not read as one bigger number.
    """
    text = ""
    for line in group_lines(chars):
        part = line_text(line)
        if text and part and text[-1].isdigit() and part[0].isdigit():
            text += " "
        text += part
    return text


# ---------------------------------------------------------------------------------------------
# ruling lines → tables


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Collinear pieces joined into whole ruling lines."""
    merged: list[Segment] = []
    for horizontal in (True, False):
        group = sorted((s for s in segments if s.horizontal == horizontal), key=lambda s: s.pos)
        for cluster in _clusters(group, lambda s: s.pos, SNAP / 2):
            pos = sum(s.pos for s in cluster) / len(cluster)
            pieces = sorted(cluster, key=lambda s: s.lo)
            lo, hi = pieces[0].lo, pieces[0].hi
            for s in pieces[1:]:
                if s.lo <= hi + JOIN:
                    hi = max(hi, s.hi)
                else:
                    merged.append(Segment(horizontal, pos, lo, hi))
                    lo, hi = s.lo, s.hi
            merged.append(Segment(horizontal, pos, lo, hi))
    return merged


def _clusters(items: list, key, tol: float) -> list[list]:
    """Single-linkage clusters of items sorted by ``key``."""
    out: list[list] = []
    last = None
    for item in items:
        k = key(item)
        if last is None or k - last > tol:
            out.append([])
        out[-1].append(item)
        last = k
    return out


def _touch(h: Segment, v: Segment) -> bool:
    return h.lo - SNAP <= v.pos <= h.hi + SNAP and v.lo - SNAP <= h.pos <= v.hi + SNAP


def table_frames(segments: list[Segment]) -> list[list[Segment]]:
    """Groups of ruling lines that touch each other; each group with a closed box is one table."""
    segs = merge_segments(segments)
    parent = list(range(len(segs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segs) if s.horizontal]
    vs = sorted((i for i, s in enumerate(segs) if not s.horizontal), key=lambda i: segs[i].pos)
    v_pos = [segs[j].pos for j in vs]
    for i in hs:
        h = segs[i]
        # Only the vertical lines within the horizontal one's reach can touch it.
        for j in vs[bisect_left(v_pos, h.lo - SNAP) : bisect_right(v_pos, h.hi + SNAP)]:
            if _touch(h, segs[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[Segment]] = {}
    for i, s in enumerate(segs):
        groups.setdefault(find(i), []).append(s)
    frames = []
    for group in groups.values():
        hs = [s for s in group if s.horizontal]
        vs = [s for s in group if not s.horizontal]
        if len(vs) >= 2 and (len(hs) >= 2 or (len(hs) == 1 and _open_box(hs[0], vs))):
            frames.append(group)
    return frames


def _open_box(h: Segment, vs: list[Segment]) -> bool:
    """A box with one side not drawn: the rest of a table row carried over a page break, whose top
    border was drawn at the foot of the page before. The vertical lines stand on the one horizontal
    line from end to end and all stop at the same height."""
    if abs(min(v.pos for v in vs) - h.lo) > SNAP or abs(max(v.pos for v in vs) - h.hi) > SNAP:
        return False
    if all(abs(v.lo - h.pos) <= SNAP for v in vs):
        far = [v.hi for v in vs]
    elif all(abs(v.hi - h.pos) <= SNAP for v in vs):
        far = [v.lo for v in vs]
    else:
        return False
    return max(far) - min(far) <= SNAP and abs(far[0] - h.pos) > 2 * SNAP


def _boundaries(values: list[float]) -> list[float]:
    return [sum(c) / len(c) for c in _clusters(sorted(values), lambda v: v, SNAP)]


def _coverage(lines: list[Segment], lo: float, hi: float) -> float:
    """Share of the edge [lo, hi] that the drawn ``lines`` (all on the edge's boundary) cover."""
    spans = sorted((max(s.lo, lo), min(s.hi, hi)) for s in lines if s.hi > lo and s.lo < hi)
    covered = 0.0
    end = lo
    for a, b in spans:
        a = max(a, end)
        if b > a:
            covered += b - a
            end = b
    return covered / (hi - lo) if hi > lo else 1.0


class _Grid:
    """Boundaries plus, for every edge between two neighbouring grid cells, whether a line is drawn."""

    def __init__(self, frame: list[Segment]) -> None:
        self.h = [s for s in frame if s.horizontal]
        self.v = [s for s in frame if not s.horizontal]
        # The frame's extent is a boundary even where a table has no outer border drawn.
        xs = [s.pos for s in self.v] + [min(s.lo for s in self.h), max(s.hi for s in self.h)]
        ys = [s.pos for s in self.h] + [min(s.lo for s in self.v), max(s.hi for s in self.v)]
        self.xs = _boundaries(xs)  # left to right
        self.ys = _boundaries(ys)[::-1]  # top to bottom
        self._prune()

    def _prune(self) -> None:
        # A boundary that separates no pair of cells comes from a stray stroke, not from the table.
        while True:
            on_x = [[s for s in self.v if abs(s.pos - x) <= SNAP] for x in self.xs[1:-1]]
            on_y = [[s for s in self.h if abs(s.pos - y) <= SNAP] for y in self.ys[1:-1]]
            self.col_sep = [
                [_coverage(lines, self.ys[r + 1], self.ys[r]) >= COVER for lines in on_x]
                for r in range(len(self.ys) - 1)
            ]
            self.row_sep = [
                [_coverage(lines, self.xs[c], self.xs[c + 1]) >= COVER for c in range(len(self.xs) - 1)]
                for lines in on_y
            ]
            dead_x = {c + 1 for c in range(len(on_x)) if not any(row[c] for row in self.col_sep)}
            dead_y = {r + 1 for r in range(len(on_y)) if not any(self.row_sep[r])}
            if not dead_x and not dead_y:
                self._down = [-y for y in self.ys]  # ascending, for bisect
                return
            self.xs = [x for i, x in enumerate(self.xs) if i not in dead_x]
            self.ys = [y for i, y in enumerate(self.ys) if i not in dead_y]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    def regions(self) -> list[list[int]]:
        """``region[r][c]``: the id of the (merged) cell covering grid position r, c."""
        rows, cols = self.n_rows, self.n_cols
        parent = list(range(rows * cols))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for r in range(rows):
            for c in range(cols - 1):
                if not self.col_sep[r][c]:
                    parent[find(r * cols + c)] = find(r * cols + c + 1)
        for r in range(rows - 1):
            for c in range(cols):
                if not self.row_sep[r][c]:
                    parent[find(r * cols + c)] = find((r + 1) * cols + c)
        ids = [[find(r * cols + c) for c in range(cols)] for r in range(rows)]
        members: dict[int, set[tuple[int, int]]] = {}
        for r in range(rows):
            for c in range(cols):
                members.setdefault(ids[r][c], set()).add((r, c))
        fresh = rows * cols
        for cells in members.values():
            if self._clean(cells):
                continue
            # Lines missing here and there can chain grid cells into a region that is no merged cell
            # (a rectangle with a drawn line inside it, or an odd shape): cut it wherever a line is
            # drawn inside it, and read what is still odd cell by cell rather than guess.
            for block in self._cut(cells):
                if self._clean(block):
                    for r, c in block:
                        ids[r][c] = fresh
                    fresh += 1
                else:
                    for r, c in block:
                        ids[r][c] = fresh
                        fresh += 1
        return ids

    def _clean(self, cells: set[tuple[int, int]]) -> bool:
        """Whether the grid cells form one merged cell: a rectangle with no line drawn inside."""
        if len(cells) == 1:
            return True
        r0, r1 = min(r for r, _ in cells), max(r for r, _ in cells)
        c0, c1 = min(c for _, c in cells), max(c for _, c in cells)
        if (r1 - r0 + 1) * (c1 - c0 + 1) != len(cells):
            return False
        return not any(
            ((r, c + 1) in cells and self.col_sep[r][c]) or ((r + 1, c) in cells and self.row_sep[r][c])
            for r, c in cells
        )

    def _cut(self, cells: set[tuple[int, int]]) -> list[set[tuple[int, int]]]:
        row_cuts = {r + 1 for r, c in cells if (r + 1, c) in cells and self.row_sep[r][c]}
        col_cuts = {c + 1 for r, c in cells if (r, c + 1) in cells and self.col_sep[r][c]}
        blocks: dict[tuple[int, int], set[tuple[int, int]]] = {}
        for r, c in cells:
            key = (sum(cut <= r for cut in row_cuts), sum(cut <= c for cut in col_cuts))
            blocks.setdefault(key, set()).add((r, c))
        return list(blocks.values())

    def locate(self, ch: Char) -> tuple[int, int]:
        c = min(max(bisect_right(self.xs, ch.cx) - 1, 0), self.n_cols - 1)
        r = min(max(bisect_right(self._down, -ch.cy) - 1, 0), self.n_rows - 1)
        return r, c


def build_table(frame: list[Segment], chars: list[Char]) -> GridTable | None:
    """The grid of one frame with the given chars (those inside it) placed in their cells."""
    grid = _Grid(frame)
    if grid.n_rows < 1 or grid.n_cols < 1:
        return None
    ids = grid.regions()
    placed = [(ch, *grid.locate(ch)) for ch in chars]
    _split_at_blank_columns(grid, ids, placed)
    by_region: dict[int, list[Char]] = {}
    for ch, r, c in placed:
        by_region.setdefault(ids[r][c], []).append(ch)
    texts = {rid: cell_text(cs) for rid, cs in by_region.items()}
    seen: set[int] = set()
    rows = []
    for r in range(grid.n_rows):
        row = []
        for c in range(grid.n_cols):
            rid = ids[r][c]
            row.append((texts.get(rid, ""), rid in seen))
            seen.add(rid)
        rows.append(tuple(row))
    return GridTable(tuple(rows), grid.ys[0], grid.ys[-1], tuple(grid.xs), _region_boxes(grid, ids))


def _region_boxes(grid: _Grid, ids: list[list[int]]) -> tuple[tuple[tuple[float, float, float, float], ...], ...]:
    """The box of every grid position's (merged) cell, from the row and column boundaries it spans."""
    spans: dict[int, list[int]] = {}
    for r, row in enumerate(ids):
        for c, rid in enumerate(row):
            s = spans.setdefault(rid, [r, r, c, c])
            s[0], s[1], s[2], s[3] = min(s[0], r), max(s[1], r), min(s[2], c), max(s[3], c)
    box = {rid: (grid.xs[c0], grid.ys[r1 + 1], grid.xs[c1 + 1], grid.ys[r0]) for rid, (r0, r1, c0, c1) in spans.items()}
    return tuple(tuple(box[rid] for rid in row) for row in ids)


def _split_at_blank_columns(grid: _Grid, ids: list[list[int]], placed: list[tuple[Char, int, int]]) -> None:
    """Split a merged cell at a column boundary its text clearly stands apart on.

    Some writers (a browser printing an HTML table) leave out a border here and there, so a row
    label and the header beside it come out as one merged cell ("（本列数据…）自然人"), or a number
    shares a merged cell with an empty neighbour column. A column boundary of the grid that runs
    through a merged cell, with no glyph crossing it, splits the cell when:

    - there is text on both sides and, on each visual line with text on both sides, a clear gap
      around it (half a glyph height; a fifth where the boundary is drawn in most rows of the table);
    - or the boundary is drawn in most rows of the table and the cell holds only a number: the
      number stays in the column it is printed in instead of going to the merged cell's first column.

    Text is never moved: each side keeps the glyphs drawn there.
    """
    cells: dict[int, list[tuple[int, int]]] = {}
    for r, row in enumerate(ids):
        for c, rid in enumerate(row):
            cells.setdefault(rid, []).append((r, c))
    chars_of: dict[int, list[tuple[Char, int]]] = {}
    for ch, r, c in placed:
        if not ch.text.isspace():
            chars_of.setdefault(ids[r][c], []).append((ch, c))
    regular = [False] + [
        sum(row[k - 1] for row in grid.col_sep) >= REGULAR * grid.n_rows for k in range(1, grid.n_cols)
    ]
    fresh = max(max(row) for row in ids) + 1
    for rid, members in cells.items():
        c0, c1 = min(c for _, c in members), max(c for _, c in members)
        found = chars_of.get(rid, [])
        if not found or c0 == c1:
            continue
        cuts = [k for k in range(c0 + 1, c1 + 1) if _blank_column_boundary(grid.xs[k], k, found, regular[k])]
        if not cuts:
            continue
        for r, c in members:
            band = sum(k <= c for k in cuts)
            if band:
                ids[r][c] = fresh + band - 1
        fresh += len(cuts)


_NUMBER = re.compile(r"[\d.,，\-－—]+")


def _blank_column_boundary(x: float, k: int, found: list[tuple[Char, int]], regular: bool) -> bool:
    if any(ch.x0 < x - 0.5 and ch.x1 > x + 0.5 for ch, _ in found):
        return False
    left = [ch for ch, c in found if c < k]
    right = [ch for ch, c in found if c >= k]
    if not left or not right:
        return regular and bool(_NUMBER.fullmatch("".join(ch.text for ch, _ in found)))
    need = REGULAR_GAP if regular else BLANK_GAP
    for line in group_lines(left + right):
        lo = [ch for ch in line if ch.cx < x]
        hi = [ch for ch in line if ch.cx >= x]
        if lo and hi:
            height = max(max(ch.y1 - ch.y0 for ch in line), 1.0)
            if min(ch.x0 for ch in hi) - max(ch.x1 for ch in lo) < need * height:
                return False
    return True


def find_tables(segments: list[Segment], chars: list[Char]) -> tuple[list[GridTable], list[Char]]:
    """Tables of one page (top to bottom) and the chars that are not in any of them."""
    tables: list[GridTable] = []
    rest = list(chars)
    for frame in table_frames(segments):
        x0 = min(min(s.lo for s in frame if s.horizontal), min(s.pos for s in frame if not s.horizontal))
        x1 = max(max(s.hi for s in frame if s.horizontal), max(s.pos for s in frame if not s.horizontal))
        y0 = min(min(s.lo for s in frame if not s.horizontal), min(s.pos for s in frame if s.horizontal))
        y1 = max(max(s.hi for s in frame if not s.horizontal), max(s.pos for s in frame if s.horizontal))
        inside = [ch for ch in rest if x0 - 1 <= ch.cx <= x1 + 1 and y0 - 1 <= ch.cy <= y1 + 1]
        if not any(ch.text.strip() for ch in inside):
            continue
        table = build_table(frame, inside)
        # A single box around some text (a framed paragraph) is not a table: keep it as text.
        if table is None or (len(table.cells) == 1 and len(table.cells[0]) == 1):
            continue
        tables.append(table)
        ids = {id(ch) for ch in inside}
        rest = [ch for ch in rest if id(ch) not in ids]
    tables.sort(key=lambda t: -t.top)
    return tables, rest
