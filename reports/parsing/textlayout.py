"""Tables in ``pdftotext -layout`` text: rows are lines, columns are character positions.

Positions are only comparable within one page (the tool lays out each page on its own grid), so
the columns of a page come from that page: the centres of the rows that show all seven values, or
else the column headers printed on it. A value is given a column only when it sits clearly nearer
one column than any other; otherwise the row keeps its values without columns and is placed only if
it has all of them.

A row whose label wraps is printed over several lines, and its values may sit on a line of their
own above or below the label (the label is centred vertically in a tall cell). A value line without
a label joins the row just above when their columns do not overlap, else the labelled row just
below that has no values yet — only when no line, not even a blank one, stands between them, never
when the line carries pieces of a label spanning rows ("三、本", "(四) 无"), and only between the labels
of two rows next to each other in the template (or a label and its own wrapped end): beside a stretch
of rows that lost their labels, the line may be any of theirs.

Each row keeps the lines it stands on and its page's profile of printed lines: the assembler places
rows without labels by their height where pdftotext's blank lines prove it (rows.LineProfile).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reports import canonical
from reports.parsing import labels as L
from reports.parsing.document import TextLine
from reports.parsing.normalize import is_value_like, norm
from reports.parsing.rows import MAX_LAYOUT_STEP, Cell, LineProfile, Row, Where

# A value line is taken with a label line only when nothing, not even a blank line, stands between them:
# a gap may hold a blank row, and a line in between belongs to another label.
NEAR_LINES = 1
# A value goes to the nearest column only when it is clearly nearer to it than to the next one.
CLEARLY_NEARER = 0.8


@dataclass
class _Tok:
    text: str
    start: int

    @property
    def x(self) -> float:
        return self.start + len(self.text) / 2


@dataclass
class _Line:
    ln: TextLine
    words: list[_Tok]
    nums: list[_Tok]

    @property
    def label(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def page(self) -> int:
        return self.ln.page or 1


# A group's ordinal printed apart from the rest of its label: "(四) 无" is the start of （四）无法提供.
_ORDINAL = re.compile(r"^[（(][一二三四五六七八九十]{1,2}[)）]$")


def _tokenize(ln: TextLine) -> _Line:
    words: list[_Tok] = []
    nums: list[_Tok] = []
    for m in re.finditer(r"\S+", ln.text):
        tok = _Tok(m.group(), m.start())
        glued = (
            bool(words) and _ORDINAL.match(words[-1].text) and tok.start - words[-1].start - len(words[-1].text) <= 1
        )
        if is_value_like(tok.text) and not (glued and not any(ch.isdigit() for ch in tok.text)):
            nums.append(tok)
        else:
            words.append(tok)
    return _Line(ln, words, nums)


def read_layout_region(table: str, region: list[TextLine]) -> list[Row]:
    lines = [_tokenize(ln) for ln in region if ln.text.strip()]
    if table == "t3":
        return _t3(lines)
    if table == "t2":
        return _t2(lines)
    return _t4(lines)


def _where(line: _Line) -> Where:
    return Where(page=line.ln.page, line=line.ln.line)


def _assign(nums: list[_Tok], anchors: list[float] | None, reach: float = 2.5) -> list[int] | None:
    """The column of each value, or None when one of them is not plainly under a single column: within
    ``reach`` characters of its centre and clearly nearer to it than to the next one."""
    if not anchors or len(anchors) < 2:
        return None
    cols = []
    for tok in nums:
        dist = sorted((abs(tok.x - a), k) for k, a in enumerate(anchors))
        (d1, best), (d2, _) = dist[0], dist[1]
        if d1 > reach or (d1 > 1.0 and d1 > CLEARLY_NEARER * d2):
            return None
        cols.append(best)
    if any(b <= a for a, b in zip(cols, cols[1:], strict=False)):
        return None
    return cols


def _agreed(nums: list[_Tok], candidates: list[list[float]]) -> list[int] | None:
    """Columns on which every candidate grid that fits the values agrees; None if none fits or they differ."""
    fits = {tuple(c) for c in (_assign(nums, a) for a in candidates) if c is not None}
    return list(fits.pop()) if len(fits) == 1 else None


# ---------------------------------------------------------------------------------------------------
# 表三


@dataclass
class _R:
    labels: list[str]
    key: str | None
    lines: list[_Line] = field(default_factory=list)
    cells: list[tuple[_Tok, int | None, _Line]] = field(default_factory=list)
    ordered: bool = True
    group: str | None = None
    strength: int = 2  # of the label match: 1 is a piece of a label, perhaps the wrapped end of one
    # The column readings a page fitted onto another page's columns leaves open (see _fitted_grids).
    choices: tuple[tuple[int, ...], ...] = ()
    page_readings: tuple[tuple[int, ...] | None, ...] = ()  # per grid of the page (Row.page_readings)

    @property
    def cols(self) -> set[int]:
        return {c for _, c, _ in self.cells if c is not None}

    @property
    def last_line(self) -> int:
        return max(ln.ln.line for ln in self.lines)


def _t3(lines: list[_Line]) -> list[Row]:
    first_data = next((i for i, ln in enumerate(lines) if L.match_t3_row(ln.label) or len(ln.nums) >= 2), len(lines))
    header = _t3_header_anchors(lines[:first_data])
    data = lines[first_data:]
    full = [(i, ln) for i, ln in enumerate(data) if len(ln.nums) == 7]
    fitted = _fitted_grids(data, header, full)
    loose = _fitted_grids(data, header, full, loose=True)
    rows: list[_R] = []
    consumed: set[int] = set()
    for i, line in enumerate(data):
        if i in consumed:
            continue
        m = _match(line)
        if not line.nums:
            if m is None:
                continue
            if rows and rows[-1].key == m.key:
                rows[-1].labels.append(line.label)
                rows[-1].lines.append(line)
                continue
            rows.append(_R([line.label], m.key, [line], strength=m.strength))
            continue
        cols = (
            list(range(7))
            if len(line.nums) == 7
            else _agreed(line.nums, _candidates(i, line, data, full, header, fitted))
        )
        cells = [(tok, cols[k] if cols else None, line) for k, tok in enumerate(line.nums)]
        if m is not None:
            if rows and rows[-1].key == m.key and _joinable(rows[-1], cols):
                _join(rows[-1], line, cells, cols)
                continue
            grids = loose.get(line.page, []) if cols is None else []
            choices = _choices(line, grids) if grids else ()
            readings = tuple(_assign(line.nums, g) for g in grids)
            rows.append(_R([line.label], m.key, [line], cells, choices=choices, page_readings=readings))
            continue
        # Values beside another label's pieces ("(四) 无  6  6") are not taken by a neighbouring label.
        near = rows and not _foreign(line) and line.ln.line - rows[-1].last_line <= NEAR_LINES
        prev = rows[-1] if near else None
        if prev is not None and prev.cells and _joinable(prev, cols) and _complements(prev, len(cells), cols):
            _join(prev, line, cells, cols)
            continue
        below = _label_row_below(data, i, consumed) if not _foreign(line) else None
        if below is not None and _adjacent(_keyed_above(rows), below[1]):
            j, key, label_line = below
            consumed.add(j)
            rows.append(_R([label_line.label], key, [label_line, line], cells))
            continue
        if prev is not None and not prev.cells and prev.key is not None and _closed_below(data, i, prev.key):
            prev.cells = cells
            prev.lines.append(line)
            continue
        rows.append(_R([line.label] if line.words else [], None, [line], cells, group=L.is_group_header(line.label)))
    blanks_shown = any(0 < len(r.cells) < 7 and r.cells and all(c is not None for _, c, _ in r.cells) for r in rows)
    profiles = _profiles(data, lines)
    return [_to_row(r, blanks_shown, profiles) for r in rows]


def _profiles(data: list[_Line], region: list[_Line]) -> dict[int, LineProfile]:
    """Each page's printed lines of the table, for placing unlabelled rows by height (LineProfile).

    The blank lines are taken for pdftotext's only when the table shows its signature: somewhere two blank
    lines or more in a row (a gap kept in proportion, not squeezed to one blank line), nowhere more than
    four (pdftotext never prints more)."""
    runs = [b.ln.line - a.ln.line - 1 for a, b in zip(region, region[1:], strict=False) if a.page == b.page]
    kept = any(n >= 2 for n in runs) and not any(n >= MAX_LAYOUT_STEP for n in runs)
    out = {}
    for page in sorted({ln.page for ln in data}):
        lines = [ln for ln in data if ln.page == page]
        printed = tuple(sorted(ln.ln.line for ln in lines))
        # A value line with label text of its own that names no row: that text belongs to a label cell
        # spanning rows ("三、本", "年度办 (四)"), whose baseline may differ from the values'.
        loose = frozenset(ln.ln.line for ln in lines if ln.nums and ln.words and L.match_t3_row(ln.label) is None)
        out[page] = LineProfile(page, printed, loose, kept)
    return out


def _foreign(line: _Line) -> bool:
    """The line carries a piece of a label spanning rows ("三、本", "(四) 无"): its values sit beside that
    label, not under the row above or below."""
    return any(_ORDINAL.match(w.text) or L.is_spanning_label_piece(w.text) for w in line.words)


def _match(line: _Line) -> L.RowMatch | None:
    """The row a line's label names. A label cell spanning rows (三、本年度办理结果, （五）不予处理)
    prints its wrapped pieces at the start of the lines beside it; those pieces are set aside."""
    if not line.words:
        return None
    m = L.match_t3_row(line.label)
    words = [w.text for w in line.words]
    while m is None and len(words) > 1 and L.is_spanning_label_piece(words[0]):
        words = words[1:]
        m = L.match_t3_row(" ".join(words))
    return m


def _joinable(row: _R, cols: list[int] | None) -> bool:
    if cols is None or any(c is None for _, c, _ in row.cells):
        return cols is None
    return not (set(cols) & row.cols)


def _complements(row: _R, n: int, cols: list[int] | None) -> bool:
    if cols is not None:
        return len(row.cols) + n <= 7
    return len(row.cells) + n == 7


def _join(row: _R, line: _Line, cells: list[tuple[_Tok, int | None, _Line]], cols: list[int] | None) -> None:
    if cols is None:
        row.ordered = False  # values from two lines without columns: their order is not known
    row.cells.extend(cells)
    row.lines.append(line)
    row.choices = ()  # the readings were of one line's values
    row.page_readings = ()


def _label_row_below(data: list[_Line], i: int, consumed: set[int]) -> tuple[int, str, _Line] | None:
    """A labelled line with no values just below line i (the label of a row whose values sit above it)."""
    base = data[i].ln.line
    for j in range(i + 1, len(data)):
        cand = data[j]
        if cand.ln.line - base > NEAR_LINES:
            return None
        if j in consumed:
            continue
        m = _match(cand)
        if cand.nums:
            return None
        if m is not None and m.strength == 2:
            return j, m.key, cand
    return None


def _adjacent(above: str | None, below: str) -> bool:
    """Whether no template row stands between row ``above`` and row ``below``: only then can a value line
    without a label between their labels be given to one of them. Where rows lost their labels, the line may
    be any of the unlabelled rows' (the next row's values taken by a blank labelled row is a wrong number
    that looks right)."""
    if above is None:
        return False
    order = canonical.TABLE3_ROW_KEYS
    return above == below or order.index(above) + 1 == order.index(below)


def _keyed_above(rows: list[_R]) -> str | None:
    """The row of the nearest labelled row above, None if a row of values without a label comes first."""
    for r in reversed(rows):
        if r.key is not None:
            return r.key
        if r.cells:
            return None
    return None


def _closed_below(data: list[_Line], i: int, key: str) -> bool:
    """Whether the first labelled line after value line i is row ``key`` again (its wrapped label) or the
    next row of the template, with no other value line before it."""
    for cand in data[i + 1 :]:
        m = _match(cand)
        if m is not None:
            return _adjacent(key, m.key)
        if cand.nums:
            return False
    return False


def _to_row(r: _R, blanks_shown: bool, profiles: dict[int, LineProfile]) -> Row:
    # A value plainly under one column is read as printed: a row that then does not add up is the
    # report's own mistake, for the rules to show (R2), never a reason to leave the row unread.
    positioned = bool(r.cells) and all(col is not None for _, col, _ in r.cells)
    if positioned:
        cells = [Cell(tok.text, _where(line), col=col) for tok, col, line in sorted(r.cells, key=lambda c: c[1])]
    else:
        cells = [Cell(tok.text, _where(line)) for tok, _, line in r.cells]
    row = Row("t3", tuple(r.labels), tuple(cells), _where(r.lines[0]), positioned=positioned, group=r.group)
    # A label line without values is a blank row only when it names its row outright: a piece of a
    # label is more likely the wrapped end of a row whose values were not recognised.
    row.explicit_blanks = positioned or (not r.cells and blanks_shown and r.strength == 2)
    row.ordered = r.ordered
    if not positioned and r.choices:
        row.choices = r.choices
    if not positioned and r.page_readings:
        row.page_readings = r.page_readings
        row.readings_page = r.lines[0].page
    row.notes.append("layout")
    worded = [ln.ln.line for ln in r.lines if ln.words]
    if worded and any(not min(worded) <= line.ln.line <= max(worded) for _, _, line in r.cells):
        # Values taken from a line beside the label's lines rather than among them: where the row stands
        # on the page is not known, so it proves nothing about the rows around it (placing by height).
        row.notes.append("values-beside-label")
    pages = {ln.page for ln in r.lines}
    if len(pages) == 1:
        row.span = (min(ln.ln.line for ln in r.lines), max(ln.ln.line for ln in r.lines))
        row.profile = profiles.get(pages.pop())
    return row


def _candidates(
    i: int,
    line: _Line,
    data: list[_Line],
    full: list[tuple[int, _Line]],
    header: dict[int, list[float]],
    fitted: dict[int, list[list[float]]],
) -> list[list[float]]:
    """Column grids that may apply to line i: its page's headers and the nearest complete rows above and
    below on its page (positions are only comparable within a page, and pasted text may have lost the
    page breaks, so nothing further away is trusted)."""
    out = []
    if line.page in header:
        out.append(header[line.page])
    above = [ln for j, ln in full if j < i and ln.page == line.page]
    below = [ln for j, ln in full if j > i and ln.page == line.page]
    for ln in (above[-1] if above else None, below[0] if below else None):
        if ln is not None:
            out.append([t.x for t in ln.nums])
    if not out and line.page in fitted:
        out.extend(fitted[line.page])
    return out


# A page's values, fitted onto another page's columns: how far a value may stand from its fitted column,
# and how much the page's scale may differ (pdftotext lays out each page on its own character grid).
FIT_RESIDUAL = 1.0
FIT_SCALE = (0.75, 1.35)
# The wider bounds within which a fit is still a possible reading: the readings they leave open are
# offered to the identities to choose from (reports.parsing.infer.choose_columns), never taken as read.
LOOSE_RESIDUAL = 1.5
LOOSE_SCALE = (0.7, 1.6)


def _fitted_grids(
    data: list[_Line], header: dict[int, list[float]], full: list[tuple[int, _Line]], loose: bool = False
) -> dict[int, list[list[float]]]:
    """Columns for the pages of a table split by a page break that show neither the column headers nor a
    complete row: the places where that page's values stand (clustered) are fitted, by one scale and one
    shift, onto the columns of a page that shows them. Taken only when exactly one assignment of the
    clusters to columns fits — with at least three clusters, so that two values alone never decide it.
    With ``loose``, the pages that several fits within the wider bounds leave open, with all those grids."""
    ref = next(iter(header.values()), None) or (next(([t.x for t in ln.nums] for _, ln in full), None))
    if ref is None:
        return {}
    known = set(header) | {ln.page for _, ln in full}
    xs: dict[int, list[float]] = {}
    for ln in data:
        if ln.page not in known:
            xs.setdefault(ln.page, []).extend(t.x for t in ln.nums)
    out = {}
    for page, values in xs.items():
        centres = _clusters(sorted(values))
        if loose:
            grids = _fits(centres, ref, LOOSE_SCALE, LOOSE_RESIDUAL, least=2)
            if len(grids) > 1:
                out[page] = grids
        else:
            grids = _fits(centres, ref, FIT_SCALE, FIT_RESIDUAL)
            if len(grids) == 1:
                out[page] = grids
    return out


def _clusters(xs: list[float], gap: float = 1.6) -> list[float]:
    groups: list[list[float]] = []
    for x in xs:
        if groups and x - groups[-1][-1] <= gap:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [sum(g) / len(g) for g in groups]


def _fits(
    centres: list[float], ref: list[float], scale: tuple[float, float], residual: float, least: int = 3
) -> list[list[float]]:
    """Every grid that places the clusters on distinct columns of ``ref`` by one scale and one shift."""
    from itertools import combinations

    if len(centres) < least or len(centres) > len(ref):
        return []
    fits = []
    for cols in combinations(range(len(ref)), len(centres)):
        r = [ref[c] for c in cols]
        n = len(r)
        mr, mc = sum(r) / n, sum(centres) / n
        var = sum((x - mr) ** 2 for x in r)
        if var == 0:
            continue
        a = sum((x - mr) * (y - mc) for x, y in zip(r, centres, strict=True)) / var
        b = mc - a * mr
        if not scale[0] <= a <= scale[1]:
            continue
        if max(abs(a * x + b - y) for x, y in zip(r, centres, strict=True)) <= residual:
            fits.append([a * x + b for x in ref])
    return fits


def _choices(line: _Line, grids: list[list[float]]) -> tuple[tuple[int, ...], ...]:
    """The distinct column readings of a line's values under the grids its page may have."""
    found = {tuple(c) for c in (_assign(line.nums, g) for g in grids) if c is not None}
    return tuple(sorted(found)) if len(found) > 1 else ()


def _t3_header_anchors(header: list[_Line]) -> dict[int, list[float]]:
    """Column centres per page from the printed column headers, split as they may be ("自然"/"人")."""
    out: dict[int, list[float]] = {}
    pieces: dict[int, dict[int, list[float]]] = {}
    for line in header:
        if line.nums:
            continue
        for w in line.words:
            col = L.T3_HEADER_PIECES.get(norm(w.text))
            if col is not None:
                pieces.setdefault(line.page, {}).setdefault(col, []).append(w.x)
    for page, cols in pieces.items():
        if len(cols) == 7:
            centres = [sum(cols[c]) / len(cols[c]) for c in range(7)]
            if all(b > a for a, b in zip(centres, centres[1:], strict=False)):
                out[page] = centres
    return out


# ---------------------------------------------------------------------------------------------------
# 表二


def _t2(lines: list[_Line]) -> list[Row]:
    rows: list[Row] = []
    block: str | None = None
    anchors: list[tuple[float, str]] = []
    for line in lines:
        caption = L.t2_caption(line.label) if line.words else None
        if caption:
            block, anchors = caption, []
            continue
        names = [(w.x, L.t2_column_of(w.text)) for w in line.words]
        if any(norm(w.text) == "信息内容" for w in line.words):
            anchors = [(x, n) for x, n in names if n]
            continue
        label = line.label
        if not line.words or L.match_t2_row(label) is None:
            continue
        where = _where(line)
        named = [(x, n) for x, n in anchors if n in ("issued", "repealed", "in_force")]
        if len(named) == 3:
            cols = _assign(line.nums, [x for x, _ in named])
            if cols is not None:
                by = {named[c][1]: tok for tok, c in zip(line.nums, cols, strict=True)}
                cells = tuple(
                    Cell(by[n].text if n in by else "", where, col=i, name=n) for i, (_, n) in enumerate(named)
                )
                rows.append(Row("t2", (label,), cells, where, positioned=True, explicit_blanks=True, block=block))
                continue
        cells = tuple(Cell(t.text, where) for t in line.nums)
        rows.append(Row("t2", (label,), cells, where, explicit_blanks=not line.nums, block=block))
    return rows


# ---------------------------------------------------------------------------------------------------
# 表四


def _t4(lines: list[_Line]) -> list[Row]:
    header = [ln for ln in lines if not ln.nums and ln.words]
    data = [ln for ln in lines if ln.nums]
    if not data:
        return []
    nums = [(tok, ln) for ln in data for tok in ln.nums]
    where = _where(data[0])
    if len(nums) == 15:
        cells = tuple(Cell(t.text, _where(ln), col=i) for i, (t, ln) in enumerate(nums))
        return [Row("t4", (), cells, where, positioned=True, explicit_blanks=True)]
    anchors = _t4_anchors([ln for ln in header if ln.page == data[0].page])
    if len(data) == 1:
        # Values plainly under their columns are read as printed; a block that does not add up is for R4-R6.
        cols = _assign(data[0].nums, anchors, reach=4.0)
        if cols is not None:
            cells = tuple(Cell(t.text, where, col=c) for t, c in zip(data[0].nums, cols, strict=True))
            return [Row("t4", (), cells, where, positioned=True, explicit_blanks=True)]
    return [Row("t4", (), tuple(Cell(t.text, _where(ln)) for t, ln in nums), where)]


def _t4_anchors(header: list[_Line]) -> list[float] | None:
    xs = sorted(
        w.x
        for ln in header
        for w in ln.words
        if norm(w.text) not in ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉") and len(norm(w.text)) <= 4
    )
    if not xs:
        return None
    clusters: list[list[float]] = [[xs[0]]]
    for x in xs[1:]:
        if x - clusters[-1][-1] <= 2.5:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    if len(clusters) != 15:
        return None
    return [sum(c) / len(c) for c in clusters]
