"""The grid engine: 表二/表三/表四 rows out of real tables (HTML, Word, Excel, PDF).

Tables arrive as rectangular grids with merged cells expanded (:mod:`reports.parsing.document`).
One pass walks every grid row in document order. A caption or header row says which table follows
(a report may put all three in one sheet, or split 表三 over two tables at a page break); header
rows give the value columns — by their names, so an extra empty column or a different label width
changes nothing — and every other row becomes a :class:`~reports.parsing.rows.Row` with its label
pieces and its value cells at their logical columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.parsing import labels as L
from reports.parsing.document import Document, GridCell, Table
from reports.parsing.headings import SECTION_TABLE, heading_number
from reports.parsing.normalize import is_value_like, norm, parse_value
from reports.parsing.rows import Cell, Row, TableRows, Where
from reports.parsing.slices import column_name, is_number, tidy_rows, vertical_spans


@dataclass
class _State:
    table: str | None = None
    # 表三: grid column → logical column 0-6, for the width of the table it was read from.
    t3_cols: dict[int, int] | None = None
    t3_width: int = 0
    # 表二: caption block and its value columns (grid column → column name).
    t2_block: str | None = None
    t2_cols: dict[int, str] = field(default_factory=dict)
    # 表四: grid column → logical column 0-14.
    t4_cols: dict[int, int] | None = None
    t4_header: list[list[GridCell]] = field(default_factory=list)
    # The table whose last row read completed the 表四 header, until a data row is read.
    t4_header_table: int | None = None
    # The last row read in 表三 when it had no number: the upper half of a header cut by a page break.
    t3_previous: tuple[GridCell, ...] | None = None
    # The rows of the table being read, and the 表三 value columns worked out for it when it continues
    # 表三 at another width ({} when they cannot be told).
    rows: list[tuple[int, tuple[GridCell, ...]]] = field(default_factory=list)
    continuation: dict[int, int] | None = None
    continuation_fits: bool | None = None  # the table's numbers all stand under the header's value columns
    # Which table is being read, and which one printed the 表三 header whose columns are in t3_cols.
    table_no: int = 0
    t3_cols_table: int = -1


def read_grids(doc: Document) -> TableRows:
    """Rows of the three tables found in the document's grids."""
    out = TableRows()
    state = _State()
    headings = _heading_lines(doc)
    previous_line = 0
    for table_no, table in enumerate(doc.tables):
        state.table_no = table_no
        kind = _section_before(headings, previous_line, table.after_line)
        previous_line = table.after_line
        if kind is not None and kind != state.table:
            state.table = kind
            state.t4_header = []
        rows = tidy_rows(table.rows)
        state.rows, state.continuation, state.continuation_fits = rows, None, None
        for i, (r, cells) in enumerate(rows):
            spans = vertical_spans(cells, rows[i - 1][1] if i else None, rows[i + 1][1] if i + 1 < len(rows) else None)
            _read_row(table, r, cells, state, out, spans)
    return out


def _heading_lines(doc: Document) -> list[tuple[int, int]]:
    found = []
    for line in doc.lines:
        number = heading_number(line.text)
        if number is not None:
            found.append((line.line, number))
    return found


def _section_before(headings: list[tuple[int, int]], start: int, end: int) -> str | None:
    kind = None
    for line, number in headings:
        if start < line <= end:
            kind = SECTION_TABLE.get(number, "none")
    return kind


def _read_row(
    table: Table, r: int, cells: tuple[GridCell, ...], state: _State, out: TableRows, spans: frozenset[int]
) -> None:
    texts = [c.text for c in cells]
    if not any(t.strip() for t in texts):
        if state.table == "t4" and state.t4_header_table == table.index:
            _t4_blank_row(cells, state, out, Where(page=cells[0].page or table.page, table=table.index, row=r))
        return
    sign = L.table_sign(_distinct(cells))
    if sign is not None:
        if sign != state.table:
            state.t4_header = []
        state.table = sign
        out.found.add(sign)
    if state.table == "none":
        return
    if state.table is None:
        first = next((t for t in texts if t.strip()), "")
        if L.match_t2_row(first):
            state.table = "t2"
            out.found.add("t2")
        else:
            return
    where = Where(page=cells[0].page or table.page, table=table.index, row=r)
    if state.table == "t2":
        _t2_row(cells, state, out, where)
    elif state.table == "t3":
        _t3_row(table, cells, state, out, where, spans)
    elif state.table == "t4":
        _t4_row(cells, state, out, where)
        state.t4_header_table = table.index if state.t4_cols and not out.t4 else None


def _distinct(cells: tuple[GridCell, ...]) -> list[str]:
    """The row's texts with the copies of merged cells dropped."""
    return [c.text for c in cells if not c.merged and c.text.strip()]


# ---------------------------------------------------------------------------------------------------
# 表二


def _t2_row(cells: tuple[GridCell, ...], state: _State, out: TableRows, where: Where) -> None:
    texts = [c.text for c in cells]
    block = next((b for b in (L.t2_caption(t) for t in texts) if b), None)
    if block is not None:
        state.t2_block = block
        state.t2_cols = {}
        return
    names = {j: L.t2_column_of(c.text) for j, c in enumerate(cells) if not c.merged}
    if sum(1 for n in names.values() if n) >= 1 and any(norm(t) == "信息内容" for t in texts):
        state.t2_cols = {j: n for j, n in names.items() if n}
        return
    label_j = next((j for j, c in enumerate(cells) if c.text.strip() and not is_value_like(c.text)), None)
    if label_j is None:
        return
    label = cells[label_j].text
    if L.match_t2_row(label) is None:
        return
    value_cells = []
    for j in range(label_j + 1, len(cells)):
        c = cells[j]
        if c.merged and j > label_j + 1 and cells[j - 1].text == c.text:
            continue  # a value spanning the block's columns (colspan=3) counts once
        name = state.t2_cols.get(j)
        if name is None and state.t2_cols:
            continue  # a column the header does not name (padding)
        value_cells.append(Cell(c.text, where.with_col(j), name=name, merged=c.merged))
    cells_out = tuple(Cell(c.raw, c.where, col=i, name=c.name, merged=c.merged) for i, c in enumerate(value_cells))
    out.t2.append(Row("t2", (label,), cells_out, where, positioned=True, explicit_blanks=True, block=state.t2_block))


# ---------------------------------------------------------------------------------------------------
# 表三


def _t3_header_cols(cells: tuple[GridCell, ...]) -> dict[int, int]:
    cols = {j: c for j, c in ((j, L.t3_column_of(cell.text)) for j, cell in enumerate(cells)) if c is not None}
    if len(cols) >= 2:
        # A header cell cut by a page break keeps only a piece of its name ("商业" of 商业企业): it names
        # its column when no other cell of the row does.
        for j, cell in enumerate(cells):
            piece = L.T3_HEADER_PIECES.get(norm(cell.text)) if cell.text.strip() and not cell.merged else None
            if j not in cols and piece is not None and piece not in cols.values():
                cols[j] = piece
    return cols


def _t3_row(
    table: Table, cells: tuple[GridCell, ...], state: _State, out: TableRows, where: Where, spans: frozenset[int]
) -> None:
    if _t3_header_row(cells, state):
        return
    if L.table_sign(_distinct(cells)) == "t3" and not any(L.match_t3_row(t) for t in _distinct(cells)):
        return  # the title row of the header (勾稽关系 note, 申请人情况)
    cols = _t3_columns_for(cells, state)
    if cols is None:
        return
    first_value = min(cols)
    label_cells = cells[:first_value]
    labels = _label_pieces(label_cells)
    group = None
    member = False
    for j, c in enumerate(label_cells):
        g = L.is_group_header(c.text)
        if g:
            group = g
            # A group label spanning rows stands beside the group's rows: this row is one of them,
            # not a printed subtotal of the group.
            member = j in spans
    value_cells = []
    for j, logical in sorted(cols.items(), key=lambda kv: kv[1]):
        if j >= len(cells):
            continue
        c = cells[j]
        merged = (c.merged and not _sole_named_column(cells, j, cols)) or _spills(cells, j, cols)
        value_cells.append(Cell(c.text, where.with_col(j), col=logical, merged=merged))
    if all(c.merged for c in value_cells) and not any(c.raw.strip() and is_value_like(c.raw) for c in value_cells):
        return  # no value cell of its own (a label's cell spilling over the row at a page foot): no row
    # A row without label or value still counts: the grid keeps every template row in its place.
    out.t3.append(
        Row(
            "t3",
            tuple(labels),
            tuple(value_cells),
            where,
            positioned=True,
            explicit_blanks=True,
            group=group,
            member=member,
        )
    )


def _t3_header_row(cells: tuple[GridCell, ...], state: _State) -> bool:
    """Take the column names of a header row; False for any other row.

    A header cut by a page break prints each name in two pieces, one at the foot of a page and one
    at the top of the next ("商业" / "企业"): the two rows' texts are put together column by column.
    While the columns are not all known, a header row naming a single column still counts.
    """
    previous, state.t3_previous = state.t3_previous, None
    if any(is_number(c) for c in cells):
        return False
    header = _t3_header_cols(cells)
    if previous is not None and len(previous) == len(cells):
        for j, (p, c) in enumerate(zip(previous, cells, strict=True)):
            if j not in header and not p.merged and not c.merged and p.text.strip() and c.text.strip():
                col = L.t3_column_of(p.text + c.text)
                if col is not None and col not in header.values():
                    header[j] = col
    state.t3_previous = cells
    known = dict(state.t3_cols or {}) if state.t3_width == len(cells) else {}
    only_names = all(column_name(c) for c in cells if c.text.strip() and not c.merged)
    if len(header) >= 2:
        known.update(header)
    elif header and len(known) < 7:
        ((j, col),) = header.items()
        if j in known or col in known.values():
            return only_names
        known[j] = col
    else:
        return bool(header) and only_names
    state.t3_cols, state.t3_width = known, len(cells)
    state.t3_cols_table = state.table_no
    return True


def _t3_columns_for(cells: tuple[GridCell, ...], state: _State) -> dict[int, int] | None:
    if state.t3_cols and len(state.t3_cols) == 6 and state.t3_width == len(cells):
        state.t3_cols = _complete_columns(state.t3_cols, len(cells))
    if state.t3_cols and len(state.t3_cols) == 7 and state.t3_width == len(cells):
        if _misplaced(cells, state.t3_cols):
            return None
        if state.t3_cols_table != state.table_no:
            # Another table of the same width continues 表三: its rows are read by the header's columns only
            # if every number of that table stands inside them and no label does (else its rows are laid out
            # otherwise, e.g. without the label cells that spanned rows, and would shift).
            if state.continuation_fits is None:
                start = min(state.t3_cols)
                state.continuation_fits = all(_fits(c, start) for c in _continuation_data(state.rows))
            if not state.continuation_fits:
                return None
        return state.t3_cols
    if state.t3_cols and len(state.t3_cols) == 7:
        if state.continuation is None:
            state.continuation = _continuation_columns(state.rows)
        cols = state.continuation
        if not cols:
            return None
        start = min(cols)
        if any(c.text.strip() and is_value_like(c.text) for c in cells[:start]):
            return None
        return cols
    return None


def _misplaced(cells: tuple[GridCell, ...], cols: dict[int, int]) -> bool:
    """The row's own cells do not stand under the header's value columns: a number left or right of them, or
    a row label in one (its own, or one spanning into it — a rowspan that runs past the rows it was meant for
    pushes the row's cells right): reading it by the header's columns would shift its values into their
    neighbours' columns."""
    start, end = min(cols), max(cols)
    if any(j < len(cells) and cells[j].pad for j in cols):
        return True  # the row ends before the table's value columns do: its cells stand further left
    for j, c in enumerate(cells):
        text = c.text.strip()
        if not text:
            continue
        if (j < start or j > end) and is_value_like(text) and not c.merged:
            return True
        if j in cols and not is_value_like(text) and (L.match_t3_row(text) is not None or _spills_in(cells, j, start)):
            return True
    return False


def _complete_columns(cols: dict[int, int], width: int) -> dict[int, int]:
    """Six of the seven columns named, on neighbouring grid columns in the template's order: the
    seventh is the grid column where the template puts it among them (its name was lost where a
    border is missing in the header, e.g. 自然人 run into the 勾稽关系 note). Else unchanged."""
    by_col = {logical: j for j, logical in cols.items()}
    missing = next(c for c in range(7) if c not in by_col)
    j = by_col[missing - 1] + 1 if missing > 0 else by_col[1] - 1
    if any(at != j + (logical - missing) for logical, at in by_col.items()) or not 0 < j < width:
        return cols
    return {**cols, j: missing}


def _continuation_columns(rows: list[tuple[int, tuple[GridCell, ...]]]) -> dict[int, int]:
    """The value columns of a table that continues 表三 at another width (a page break, a second table).

    Every way of placing seven columns is tried: each must leave every number of the table inside
    them and no label text in them. When more than one fits (blank columns at an edge), the one under
    which every row adds up (R2) with a total above zero somewhere is taken, if it is the only one.
    Empty when the columns cannot be told.
    """
    data = _continuation_data(rows)
    width = max((len(c) for c in data), default=0)
    fits: list[int] = []
    for start in range(1, width - 6):
        if all(_fits(cells, start) for cells in data):
            fits.append(start)
    if len(fits) > 1:
        fits = [start for start in fits if _adds_up(data, start)]
    return {fits[0] + i: i for i in range(7)} if len(fits) == 1 else {}


def _continuation_data(rows: list[tuple[int, tuple[GridCell, ...]]]) -> list[tuple[GridCell, ...]]:
    """The 表三 data rows of a table (a header repeated on a new page left out), up to 表四 or 表二."""
    data = []
    for _, cells in rows:
        sign = L.table_sign(_distinct(cells))
        if sign in ("t2", "t4"):
            break
        if len(_t3_header_cols(cells)) >= 2 or (sign == "t3" and not any(L.match_t3_row(t) for t in _distinct(cells))):
            continue  # a header repeated on the new page
        data.append(cells)
    return data


def _fits(cells: tuple[GridCell, ...], start: int) -> bool:
    for j, c in enumerate(cells):
        text = c.text.strip()
        if not text:
            continue
        inside = start <= j < start + 7
        if inside and _spills_in(cells, j, start):
            continue  # the row's own label drawn across its value cells: that row is refused alone (_misplaced)
        if is_value_like(text) != inside:
            return False
    return True


def _spills_in(cells: tuple[GridCell, ...], j: int, start: int) -> bool:
    """Position ``j`` is covered by a label cell that begins left of the value columns (a border missing in a
    browser's print: the label's cell runs over the row's value cells)."""
    first = j
    while first > 0 and cells[first].merged and cells[first - 1].text == cells[j].text:
        first -= 1
    return first < start and cells[first].text == cells[j].text and not is_value_like(cells[j].text.strip())


def _adds_up(data: list[tuple[GridCell, ...]], start: int) -> bool:
    some_total = False
    for cells in data:
        numbers = [parse_value(c.text).value or 0 for c in cells[start : start + 7]]
        if len(numbers) != 7 or sum(numbers[:6]) != numbers[6]:
            return False
        some_total = some_total or numbers[6] > 0
    return some_total


def _sole_named_column(cells: tuple[GridCell, ...], j: int, value_cols: dict[int, int]) -> bool:
    """A data cell spanning grid columns (colspan) of which the header names only one, column j: where the
    header row has a column more than the data rows (a spacer, a split header cell), the value belongs to
    the column the header names under it, whatever the count of cells says."""
    text = cells[j].text
    if not text.strip():
        return False
    start = j
    while start > 0 and cells[start].merged and cells[start - 1].text == text:
        start -= 1
    if cells[start].merged:
        return False  # continued from the row above (rowspan): not this row's own cell
    end = j
    while end + 1 < len(cells) and cells[end + 1].merged and cells[end + 1].text == text:
        end += 1
    return [k for k in range(start, end + 1) if k in value_cols] == [j]


def _spills(cells: tuple[GridCell, ...], j: int, value_cols: dict[int, int]) -> bool:
    """A value cell merged with the next value column: the number may be printed in either column,
    so the cell it starts is no more certain than the rest of the merged cell."""
    c = cells[j]
    k = j + 1
    return bool(c.text.strip()) and k in value_cols and k < len(cells) and cells[k].merged and cells[k].text == c.text


def _label_pieces(cells: tuple[GridCell, ...]) -> list[str]:
    pieces: list[str] = []
    for c in cells:
        t = c.text.strip()
        if t and (not pieces or pieces[-1] != t):
            pieces.append(t)
    return pieces


# ---------------------------------------------------------------------------------------------------
# 表四


def _t4_row(cells: tuple[GridCell, ...], state: _State, out: TableRows, where: Where) -> None:
    texts = [c.text for c in cells]
    has_values = any(t.strip() and is_value_like(t) for t in texts)
    if not has_values or any(L.t4_column_of(t) is not None or L.t4_block_of(t) is not None for t in texts):
        if any(t.strip() for t in texts):
            state.t4_header.append(list(cells))
            state.t4_cols = _t4_columns(state.t4_header, len(cells))
        return
    cols = state.t4_cols
    if cols and len(cols) == 15:
        value_cells = [
            Cell(
                cells[j].text,
                where.with_col(j),
                col=k,
                merged=(cells[j].merged and not _sole_named_column(cells, j, cols)) or _spills(cells, j, cols),
            )
            for j, k in cols.items()
        ]
        out.t4.append(Row("t4", (), tuple(value_cells), where, positioned=True, explicit_blanks=True))
        return
    values = [Cell(c.text, where.with_col(j), merged=c.merged) for j, c in enumerate(cells) if not c.merged]
    out.t4.append(Row("t4", (), tuple(values), where, positioned=False, explicit_blanks=True))


def _t4_blank_row(cells: tuple[GridCell, ...], state: _State, out: TableRows, where: Where) -> None:
    """An empty row right under a complete 表四 header: the data row, every cell blank in the source."""
    state.t4_header_table = None
    cols = state.t4_cols
    if not cols or len(cols) != 15 or any(c.merged for c in cells):
        return
    value_cells = [Cell("", where.with_col(j), col=k) for j, k in cols.items()]
    out.t4.append(Row("t4", (), tuple(value_cells), where, positioned=True, explicit_blanks=True))


def _t4_columns(header: list[list[GridCell]], width: int) -> dict[int, int] | None:
    cols: dict[int, int] = {}
    for j in range(width):
        block = col = None
        for row in header:
            if j >= len(row):
                continue
            text = row[j].text
            b = L.t4_block_of(text)
            if b is not None:
                block = b
            c = L.t4_column_of(text)
            if c is not None:
                col = c
        if block is not None and col is not None:
            cols[j] = block * 5 + col
    if sorted(cols.values()) != list(range(15)):
        return None
    return cols
