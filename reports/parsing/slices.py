"""Rows of a grid that are only slices of a table row, as a browser's print of a table makes them.

Chrome printing an HTML table across pages draws the borders of row-spanning label cells partway down
a row, carries half a header to the next page and leaves a border out here and there; the PDF grid then
cuts one table row into two or three grid rows. :func:`tidy_rows` gives the grid back its table rows:
a slice that adds nothing is dropped, two slices whose value cells span both are joined. Only what
the merged cells prove is used: a number never moves to a cell it is not printed in.
"""

from __future__ import annotations

from reports.parsing import labels as L
from reports.parsing.document import GridCell
from reports.parsing.normalize import is_value_like, norm


def tidy_rows(rows: tuple[tuple[GridCell, ...], ...]) -> list[tuple[int, tuple[GridCell, ...]]]:
    """The grid's rows with their indices, without the rows that are only slices of another row.

    A browser printing an HTML table across pages draws the borders of row-spanning label cells
    partway down a row, and the PDF grid then cuts one table row into two: a thin row holding only
    continuations of merged cells, or a row's values in one slice and its label in the other.
    A row that adds nothing is dropped; a row whose numbers all continue those of the row above
    (the value cells span both) is the same table row and is joined to it.
    """
    out: list[tuple[int, tuple[GridCell, ...]]] = []
    for r, cells in enumerate(rows):
        below = rows[r + 1] if r + 1 < len(rows) else None
        if _adds_nothing(cells, below) or _empty_slice_of_a_row(cells, below):
            continue
        if out:
            joined = _joined(out[-1][1], cells)
            if joined is not None:
                r_above, above = out.pop()
                # Column names in the upper slice (a header cut by the page break shares a slice with
                # the first row's numbers) stay as a header row of their own.
                names = [
                    GridCell(a.text, False, a.page)
                    if column_name(a) and j < len(joined) and joined[j] is not a
                    else GridCell("", False, a.page)
                    for j, a in enumerate(above)
                ]
                if any(c.text for c in names):
                    out.append((r_above, tuple(names)))
                out.append((r_above, joined))
                continue
        out.append((r, cells))
    return out


def _adds_nothing(cells: tuple[GridCell, ...], below: tuple[GridCell, ...] | None) -> bool:
    """Every position continues a merged cell, starts one that goes on below, or starts an empty
    block spanning to the right: the row has no cell of its own."""
    if not any(c.merged for c in cells):
        return False
    for j, c in enumerate(cells):
        if c.merged:
            continue
        if not c.text.strip():
            if j + 1 < len(cells) and cells[j + 1].merged and not cells[j + 1].text.strip():
                continue
            return False  # an empty cell of its own: a blank value or label of a real row
        if below is not None and j < len(below) and below[j].merged and below[j].text == c.text:
            continue
        return False
    return True


def _empty_slice_of_a_row(cells: tuple[GridCell, ...], below: tuple[GridCell, ...] | None) -> bool:
    """A slice without a number or a text of its own, beside a 表三 row label that goes on into the
    next grid row: the label of one template row never spans two rows of the table, so this is a
    strip of the row below (its cells are there too)."""
    if below is None or len(below) != len(cells) or any(is_number(c) for c in cells):
        return False
    beside_row_label = False
    for c, b in zip(cells, below, strict=True):
        if not c.text.strip():
            continue
        m = L.match_t3_row(c.text) if b.merged and b.text == c.text else None
        if m is not None and m.strength == 2:
            beside_row_label = True  # the row label, going on into the next grid row
        elif not c.merged:
            return False  # a text of its own
    return beside_row_label


def _joined(above: tuple[GridCell, ...], cells: tuple[GridCell, ...]) -> tuple[GridCell, ...] | None:
    """``above`` and ``cells`` as one row when they are two slices of it: every number of one of
    them is a cell that goes on into the other (the value cells span both slices)."""
    if len(above) != len(cells):
        return None
    lower = [j for j, c in enumerate(cells) if is_number(c)]
    upper = [j for j, a in enumerate(above) if is_number(a)]
    if not any(_continues(above[j], cells[j]) for j in lower + upper):
        return None
    if not all(_continues(above[j], cells[j]) for j in lower) and not all(
        _continues(above[j], cells[j]) for j in upper
    ):
        return None  # each slice has a number of its own: two rows
    out = []
    for a, c in zip(above, cells, strict=True):
        if _continues(a, c) or (not c.text.strip() and not c.merged and _keeps_upper(a)):
            out.append(a)
        elif (
            not c.text.strip()
            or not a.text.strip()
            or (not c.merged and not is_number(a) and (a.merged or is_number(c)))
        ):
            # The upper slice's cell is empty, or a text that ends there (a header, a label of a row
            # above) over a cell of the lower slice's own.
            out.append(c)
        elif not c.merged and not a.merged and not is_number(a) and not is_number(c):
            out.append(GridCell(a.text + c.text, a.merged, a.page))  # a label wrapped across the two slices
        else:
            return None  # two different texts: two rows
    return tuple(out)


def column_name(c: GridCell) -> bool:
    """A 表三 column header (or a piece of one) printed in this cell."""
    return not c.merged and (L.t3_column_of(c.text) is not None or norm(c.text) in L.T3_HEADER_PIECES)


def is_number(c: GridCell) -> bool:
    return bool(c.text.strip()) and is_value_like(c.text)


def _continues(a: GridCell, c: GridCell) -> bool:
    """``c`` continues the merged cell that ``a`` is part of."""
    return c.merged and a.text == c.text and bool(a.text.strip())


def _keeps_upper(a: GridCell) -> bool:
    """Over an empty cell of the lower slice, the upper slice's cell is the row's: a number or a label
    of its own, not a continuation of a cell above and not a piece of a column header."""
    if not a.text.strip():
        return False
    if is_number(a):
        return True
    return not a.merged and L.t3_column_of(a.text) is None and norm(a.text) not in L.T3_HEADER_PIECES


def vertical_spans(
    cells: tuple[GridCell, ...], above: tuple[GridCell, ...] | None, below: tuple[GridCell, ...] | None
) -> frozenset[int]:
    """Columns where the row's cell is part of a merged cell spanning rows (a rowspan label)."""
    out = set()
    for j, c in enumerate(cells):
        if not c.text.strip():
            continue
        if below is not None and j < len(below) and below[j].merged and below[j].text == c.text:
            out.add(j)
        elif c.merged and above is not None and j < len(above) and above[j].text == c.text:
            if not (j and cells[j - 1].merged is False and cells[j - 1].text == c.text):
                out.add(j)
    return frozenset(out)
