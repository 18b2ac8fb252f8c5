"""Tables as text with one cell a line and blank cells as empty lines (a word processor's "save as text").

Such a file gives every cell of a row its own line right after the row's label, an empty line for a
blank cell; the lines after a row's cells and before the next label are the places of merged label
cells and stay empty. Read that way a row needs no column positions. The reading is taken only when
the whole table has this shape — every template row labelled, in order, each followed by exactly its
cells, no number anywhere else — and every identity of the table holds, so that a label with one line
too many (which would shift its row) cannot pass unnoticed.
"""

from __future__ import annotations

from reports import canonical
from reports.parsing import labels as L
from reports.parsing.document import TextLine
from reports.parsing.normalize import is_value_like, parse_value
from reports.parsing.rows import Cell, Row, Where

T3_ROWS = list(canonical.TABLE3_ROW_KEYS)


class Identities:
    """R1, R2 and R3 over a 表三 given as 7 values a row, rows in template order."""

    def __init__(self, keys: list[str]) -> None:
        self.n = len(keys)
        at = {k: i for i, k in enumerate(keys)}
        self.outcomes = [at[k] for k in canonical.OUTCOME_ROW_KEYS if k in at]
        self.new, self.over = at["new_received"], at["carried_over"]
        self.total, self.forward = at["total_processed"], at["carried_forward"]

    def bad_rows(self, v: list[int]) -> list[int]:
        return [r for r in range(self.n) if sum(v[r * 7 : r * 7 + 6]) != v[r * 7 + 6]]

    def holds(self, v: list[int]) -> bool:
        if self.bad_rows(v):
            return False
        for c in range(7):
            if v[self.new * 7 + c] + v[self.over * 7 + c] != v[self.total * 7 + c] + v[self.forward * 7 + c]:
                return False
            if sum(v[r * 7 + c] for r in self.outcomes) != v[self.total * 7 + c]:
                return False
        return True


def _slot(line: TextLine) -> bool:
    text = line.text.strip()
    return not text or (is_value_like(text) and parse_value(text).status != "text")


def _total_anchors(cells: list[TextLine]) -> bool:
    """A group of cells ending in its total either has the total printed or is empty throughout.

    A line too many before the cells (a label or header cell with an empty second paragraph) would
    move every cell one place on: with the total printed, the total then falls outside the row and is
    seen; an empty total with something printed before it is refused, as it might be such a move."""
    return bool(cells[-1].text.strip()) or not any(c.text.strip() for c in cells)


def _number_follows(lines: list[TextLine], i: int) -> bool:
    """Whether the first non-empty line from ``i`` on is a value (one cell more than the row has)."""
    for line in lines[i:]:
        if line.text.strip():
            return _slot(line)
    return False


def t3_by_slots(region: list[TextLine]) -> list[Row] | None:
    """表三 read cell by cell, or None when the region does not have the shape or the identities fail."""
    found: list[tuple[str, TextLine, list[TextLine]]] = []
    i = 0
    while i < len(region):
        line = region[i]
        text = line.text.strip()
        if not text:
            i += 1
            continue
        if _slot(line):
            return None  # a number that follows no row label
        m = L.match_t3_row(text)
        if m is not None and not found and m.key != T3_ROWS[0]:
            m = None  # the header before the first row ("总计" names a column there)
        if m is None or m.strength != 2:
            if found and not (L.is_group_header(text) or L.is_spanning_label_piece(text)):
                break  # the text after the table
            i += 1
            continue
        cells = region[i + 1 : i + 8]
        if len(cells) < 7 or not all(_slot(c) for c in cells) or _number_follows(region, i + 8):
            return None
        found.append((m.key, line, cells))
        i += 8
    if [k for k, _, _ in found] != T3_ROWS or not all(_total_anchors(cells) for _, _, cells in found):
        return None
    values = [parse_value(c.text.strip()).value or 0 for _, _, cells in found for c in cells]
    if any(not isinstance(v, int) for v in values) or not Identities(T3_ROWS).holds(values):  # type: ignore[arg-type]
        return None
    rows = []
    for _, label, cells in found:
        where = Where(page=label.page, line=label.line)
        row_cells = tuple(Cell(c.text.strip(), Where(page=c.page, line=c.line), col=j) for j, c in enumerate(cells))
        rows.append(Row("t3", (label.text.strip(),), row_cells, where, positioned=True, explicit_blanks=True))
    return rows


def t4_by_slots(region: list[TextLine]) -> Row | None:
    """表四's one row read cell by cell after its header, or None (the shape or R4-R6 fail)."""
    last_header = max(
        (i for i, ln in enumerate(region) if L.t4_column_of(ln.text) is not None or L.t4_block_of(ln.text) is not None),
        default=None,
    )
    if last_header is None:
        return None
    cells = region[last_header + 1 : last_header + 16]
    if len(cells) < 15 or not all(_slot(c) for c in cells) or _number_follows(region, last_header + 16):
        return None
    if not any(c.text.strip() for c in cells) or not all(_total_anchors(cells[b : b + 5]) for b in (0, 5, 10)):
        return None  # an empty stretch proves no row
    values = [parse_value(c.text.strip()).value or 0 for c in cells]
    if any(not isinstance(v, int) for v in values) or any(sum(values[b : b + 4]) != values[b + 4] for b in (0, 5, 10)):  # type: ignore[misc]
        return None
    row_cells = tuple(Cell(c.text.strip(), Where(page=c.page, line=c.line), col=j) for j, c in enumerate(cells))
    return Row("t4", (), row_cells, row_cells[0].where, positioned=True, explicit_blanks=True)
