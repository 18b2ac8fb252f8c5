"""The text engine: 表二/表三/表四 rows out of plain text, in every shape tables take as text.

The table regions are found by their headings (二、三、四) or, failing those, by their captions and
headers. Each region is read in the shape it has (FORMAT.md §4.2):

* ``tsv`` — one row a line, cells separated by tabs (a copy out of Word or a PDF viewer);
* ``pipe`` — one cell a line ending in ``|``, a line of bare ``|`` between rows (a copy out of a web page);
* ``indented`` — one cell a line after a tab, blank cells as empty lines, a blank line between rows;
* ``layout`` — ``pdftotext -layout``: rows as lines, columns by position (:mod:`reports.parsing.textlayout`);
* ``raw`` — ``pdftotext`` reading order: one cell a line, no row boundaries, values sometimes out of place.

Only the layout and indented shapes show where a value sits among the columns; elsewhere a row is
placed only when it has exactly as many values as the template row has cells. In reading order even
that proves little, so 表三 is read there only as a whole, when its values taken in order satisfy
every identity (:func:`_t3_by_sequence`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reports import canonical
from reports.parsing import labels as L
from reports.parsing import runs
from reports.parsing.document import Document, TextLine
from reports.parsing.headings import heading_number
from reports.parsing.normalize import clean_token, is_number_text, is_value_like, norm, parse_value
from reports.parsing.rows import RAW_UNPLACED, Cell, Row, TableRows, Where
from reports.parsing.runs import ran_together
from reports.parsing.textlayout import read_layout_region
from reports.parsing.textslots import Identities, t3_by_slots, t4_by_slots

TABLES = ("t2", "t3", "t4")
SLOTS_NOTE = "{table} 为每格一行的纯文本（空单元格为空行），按行名后的各行逐格读取，且全部勾稽关系成立"
_PIPE_ONLY = re.compile(r"^\s*\|+\s*$")
_PAGE_NUMBER = re.compile(r"^\s*(?:[-－—–]\s*\d{1,3}\s*[-－—–]|第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?)\s*$")
T2_BLOCK_ROWS = {"五": ("licensing",), "六": ("punishment", "coercion"), "八": ("fees",)}


def read_text(doc: Document, wanted: set[str]) -> TableRows:
    out = TableRows()
    lines = [ln for ln in doc.lines if not _PAGE_NUMBER.match(ln.text)]
    regions = find_regions(lines)
    for table in TABLES:
        if table not in wanted or table not in regions:
            continue
        start, end = regions[table]
        region = lines[start:end]
        out.found.add(table)
        mode = "runs" if ran_together(region, table) else detect_mode(region)
        if mode == "runs":
            rows = {"t2": runs.read_t2, "t3": runs.read_t3, "t4": runs.read_t4}[table](region, out.notes, out.breaks)
        elif mode == "layout":
            rows = read_layout_region(table, region)
        else:
            rows = _read_cells_region(table, region, mode, out)
        if table == "t4" and mode == "raw" and rows and not rows[0].positioned:
            rows = [_t4_with_spill(rows[0], lines[end:], out)]
        out.rows(table).extend(rows)
    return out


def _t4_with_spill(row: Row, after: list[TextLine], out: TableRows) -> Row:
    """Reading order can emit the cell at the foot of a page after the text that follows the table:
    a bare number before the page break. Taken back only when exactly the missing count is found
    there and the three blocks then add up (R4-R6)."""
    numbers = [c for c in row.cells if c.raw.strip()]
    missing = 15 - len(numbers)
    continued = _t4_continued(after)
    if continued is not None and 0 < len(continued) == missing:
        return _t4_continuation(numbers, continued, out)
    if not 0 < missing <= 2 or not after:
        return row
    page = after[0].page
    stray = [ln for ln in after if ln.page == page and is_number_text(ln.text)]
    if len(stray) != missing or page is None:
        return row
    cells = [*numbers, *(Cell(ln.text.strip(), Where(page=ln.page, line=ln.line)) for ln in stray)]
    values = [parse_value(c.raw).value for c in cells]
    if any(v is None for v in values) or any(sum(values[b : b + 4]) != values[b + 4] for b in (0, 5, 10)):  # type: ignore[arg-type]
        return row
    out.notes.append(
        ("I_VALUE_AFTER_TABLE", f"表四 有 {missing} 个数在纯文本中出现在表格之后（第{stray[0].line}行，分页处），"
         "按阅读顺序补回，且各项合计相符", ())
    )  # fmt: skip
    return Row("t4", (), tuple(cells), row.where)


# The pieces 表四's column and block headers break into, one a line, in reading order.
_T4_HEADER_PIECES = frozenset(
    {
        norm(w)
        for w in (*L.T4_BLOCK_WORDS, *L.T4_COLUMN_WORDS, "行政诉讼", "结果", "维持", "纠正", "其他", "尚未", "审结")
    }
)


def _t4_continued(after: list[TextLine]) -> list[Cell] | None:
    """The numbers of a 表四 whose reading order runs on past the next heading: right after that heading
    (the region's end) come only more of the table's own header pieces and numbers, the rest of the table,
    up to the first other line. None when the text after the heading is anything else."""
    if not after or heading_number(after[0].text) is None:
        return None
    cells: list[Cell] = []
    headers = 0
    for ln in after[1:]:
        text = ln.text.strip()
        if not text:
            continue
        if is_number_text(text):
            cells.append(Cell(text, Where(page=ln.page, line=ln.line)))
        elif norm(text) in _T4_HEADER_PIECES:
            headers += 1
        else:
            break
    return cells if headers and cells else None


def _t4_continuation(numbers: list[Cell], continued: list[Cell], out: TableRows) -> Row:
    cells = [*numbers, *continued]
    row = Row("t4", (), tuple(cells), numbers[0].where if numbers else continued[0].where)
    row.ordered = _t4_adds_up(cells)
    out.notes.append(
        ("I_TABLE_AFTER_HEADING", f"表四 在纯文本中被下一节的标题隔断，标题之后还有表头和 {len(continued)} 个数"
         f"（第{continued[0].where.line}行起），按阅读顺序接上", ())
    )  # fmt: skip
    return row


# ---------------------------------------------------------------------------------------------------
# Regions


def find_regions(lines: list[TextLine]) -> dict[str, tuple[int, int]]:
    """Line index ranges [start, end) of the three tables."""
    heads: dict[int, int] = {}
    for i, ln in enumerate(lines):
        n = heading_number(ln.text)
        if n is not None and n not in heads:
            heads[n] = i
    starts: dict[str, int] = {}
    for table, number in (("t2", 2), ("t3", 3), ("t4", 4)):
        if number in heads:
            starts[table] = heads[number]
    signs = _first_signs(lines)
    for table in TABLES:
        if table not in starts and table in signs:
            starts[table] = signs[table]
    ends = sorted(set(starts.values()) | {heads[n] for n in (1, 5, 6) if n in heads} | {len(lines)})
    out = {}
    for table, start in starts.items():
        end = next((e for e in ends if e > start), len(lines))
        out[table] = (start, end)
    return out


def _first_signs(lines: list[TextLine]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, ln in enumerate(lines):
        n = norm(ln.text)
        if not n or len(n) > 80:
            continue
        if "t2" not in found and L.t2_caption(n):
            found["t2"] = i
        if "t3" not in found and any(s in n for s in L.T3_SIGNS[:3]):
            found["t3"] = i
        if "t4" not in found and "行政复议" in n:
            window = "".join(norm(x.text) for x in lines[i : i + 4])
            if "行政诉讼" in window or "复议后起诉" in window:
                found["t4"] = i
    return found


# ---------------------------------------------------------------------------------------------------
# Shapes


def detect_mode(region: list[TextLine]) -> str:
    texts = [ln.text for ln in region if ln.text.strip()]
    if not texts:
        return "raw"
    pipes = sum(1 for t in texts if t.rstrip().endswith("|"))
    if pipes >= 0.3 * len(texts):
        return "pipe"
    tab_rows = sum(1 for t in texts if len([f for f in t.split("\t") if f.strip()]) >= 2)
    tab_cells = sum(1 for t in texts if t.startswith("\t") and len([f for f in t.split("\t") if f.strip()]) <= 1)
    numeric = [t for t in texts if any(is_value_like(w) and w.strip() for w in re.split(r"[\t ]+", t.strip()))]
    if tab_rows >= 0.3 * max(len(numeric), 1) and tab_rows >= tab_cells:
        return "tsv"
    if tab_cells >= 0.3 * len(texts) and _blank_cells_possible(region):
        return "indented"
    # pdftotext -layout: values share their line with the label or with other values, spaced out.
    spaced = sum(1 for t in numeric if len(t.split()) >= 2 and re.search(r"\S {2,}\S", t.strip()))
    if spaced >= 0.3 * max(len(numeric), 1):
        return "layout"
    return "raw"


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _blank_cells_possible(region: list[TextLine]) -> bool:
    """Tab-indented text, one cell a line, where a line of the cells' own indentation and nothing else is an
    empty cell (a table copied from Word or a web page). In a page's markup run through a text extractor
    (pretty-printed HTML), the whitespace lines are the indentation of the tags around each cell, shallower than
    the cells' (most of them, at least): they mark no cell, and the text is in reading order, one value a line."""
    cell_indents = {_indent(ln.text) for ln in region if ln.text.strip() and is_value_like(ln.text.strip())}
    blanks = [ln.text for ln in region if ln.text and not ln.text.strip()]
    return 2 * sum(1 for b in blanks if b in cell_indents) >= len(blanks)


@dataclass
class _TCell:
    text: str
    line: TextLine
    empty: bool = False  # an explicit empty cell

    @property
    def is_value(self) -> bool:
        return self.empty or (bool(self.text.strip()) and is_value_like(self.text))


def _chunks(region: list[TextLine], mode: str) -> list[list[_TCell]]:
    """The region's cells, in groups that no row crosses (a line, a block between separators)."""
    if mode == "tsv":
        return [[_TCell(f.strip(), ln) for f in ln.text.split("\t") if f.strip()] for ln in region]
    chunks: list[list[_TCell]] = [[]]
    for ln in region:
        text = ln.text
        if mode == "pipe":
            if _PIPE_ONLY.match(text):
                chunks.append([])
            elif text.rstrip().endswith("|"):
                chunks[-1].append(_TCell(text.rstrip().rstrip("|").strip(), ln))
            elif text.strip():
                chunks.append([_TCell(text.strip(), ln)])
                chunks.append([])
        elif mode == "indented":
            stripped = text.lstrip(" ")
            if not text.strip():
                if stripped.startswith("\t"):
                    chunks[-1].append(_TCell("", ln, empty=True))
                else:
                    chunks.append([])
            elif stripped.startswith("\t") or not chunks[-1]:
                chunks[-1].append(_TCell(text.strip(), ln))
            elif chunks[-1][-1].is_value or is_value_like(text):
                chunks[-1].append(_TCell(text.strip(), ln))
            else:
                prev = chunks[-1][-1]
                chunks[-1][-1] = _TCell(prev.text + text.strip(), prev.line)
        elif text.strip():  # raw
            chunks[-1].append(_TCell(text.strip(), ln))
    return [c for c in chunks if c]


def _starts_row(table: str, text: str) -> bool:
    if table == "t2":
        return bool(L.t2_caption(text) or L.match_t2_row(text) or norm(text) == "信息内容")
    if table == "t3":
        m = L.match_t3_row(text)
        return bool((m and m.strength == 2) or L.is_group_header(text))
    return False


def _split_rows(table: str, chunk: list[_TCell]) -> list[list[_TCell]]:
    rows: list[list[_TCell]] = [[]]
    for cell in chunk:
        current = rows[-1]
        has_value = any(c.is_value for c in current)
        has_label = any(not c.is_value for c in current)
        if not cell.is_value and current and (has_value or (has_label and _starts_row(table, cell.text))):
            rows.append([cell])
        else:
            current.append(cell)
    return [r for r in rows if r]


def _read_cells_region(table: str, region: list[TextLine], mode: str, notes: TableRows) -> list[Row]:
    explicit = mode == "indented"
    rows: list[Row] = []
    block = None
    for chunk in _chunks(region, mode):
        for cells in _split_rows(table, chunk):
            labels = [c.text for c in cells if not c.is_value]
            if table == "t2":
                caption = next((b for b in (L.t2_caption(t) for t in labels) if b), None)
                if caption:
                    block = caption
            values = _trailing_values(cells) if explicit else [c for c in cells if c.is_value]
            first = cells[0].line
            where = Where(page=first.page, line=first.line)
            out = [Cell(c.text, Where(page=c.line.page, line=c.line.line)) for c in values]
            if _is_header(table, labels) and not any(c.raw for c in out):
                continue
            row = Row(table, tuple(labels), tuple(out), where, explicit_blanks=explicit, block=block)
            if explicit and table == "t3" and len(out) == 7:
                row.cells = tuple(Cell(c.raw, c.where, col=i) for i, c in enumerate(out))
                row.positioned = True
            rows.append(row)
    if table == "t4":
        slot_row = t4_by_slots(region) if mode == "raw" else None
        if slot_row is not None:
            notes.notes.append(("I_READ_BY_LINES", SLOTS_NOTE.format(table="表四"), ()))
            return [slot_row]
        return _t4_rows(rows, mode)
    if table == "t3" and mode == "raw":
        by_slots = t3_by_slots(region)
        if by_slots:
            notes.notes.append(("I_READ_BY_LINES", SLOTS_NOTE.format(table="表三"), ()))
            return by_slots
        by_sequence = _t3_by_sequence(region, notes)
        if by_sequence:
            return by_sequence
        unplaced = _t3_blanks_absent(region, notes)
        for r in rows:
            # In reading order a label followed by seven numbers proves little: a value of the row
            # above or below may stand in for one of its own (and still add up). Such rows are kept for
            # what inference may check against, never placed.
            r.ordered = False
            if unplaced:
                r.notes.append(RAW_UNPLACED)
    rows = [r for r in rows if r.labels or any(c.raw.strip() for c in r.cells)]
    if table == "t3":
        # The header (勾稽关系 note, 申请人情况, column names — "总计" among them) comes before the first row.
        first = next((i for i, r in enumerate(rows) if r.has_values or _strong(r.label)), len(rows))
        rows = rows[first:]
    if table == "t2" and mode == "raw":
        return _t2_blocks_by_count(rows)
    return rows


def _strong(label: str) -> bool:
    m = L.match_t3_row(label)
    return bool(m and m.strength == 2 and m.key != "total_processed")


def _t3_by_sequence(region: list[TextLine], out: TableRows) -> list[Row] | None:
    """Reading order keeps a table's values in row order more often than it keeps them beside their
    labels. When the region holds exactly one value per cell (so nothing is blank) and, taken in
    order, they satisfy every identity of the table (R1 per column, R2 per row, R3 per column), that
    order is the table's. When they do not, but moving one single value — the PDF's reading order
    sometimes emits one cell elsewhere — makes every identity hold, and exactly one table results from
    all such moves, that table is read, with a warning saying which value was moved."""
    cells = [Cell(ln.text.strip(), Where(page=ln.page, line=ln.line)) for ln in region if is_number_text(ln.text)]
    n_rows = len(cells) // 7
    if len(cells) % 7 > 1 or n_rows not in (25, 23):
        return None
    keys = [
        k for k in canonical.TABLE3_ROW_KEYS if n_rows == 25 or k not in ("other_no_correction", "other_unpaid_fee")
    ]
    values = [parse_value(c.raw).value for c in cells]
    if any(not isinstance(v, int) for v in values):
        return None
    check = Identities(keys)
    if len(cells) % 7 == 1:
        extra = _single_extra(values, check)  # type: ignore[arg-type]
        if extra is None:
            return None
        token = cells.pop(extra)
        values.pop(extra)
        out.notes.append((
            "I_EXTRA_NUMBER",
            f"表三 部分的纯文本比表格的单元格多 1 个数；去掉一个“{token.raw}”（例如第{token.where.line}行的）后"
            "全部勾稽关系成立，且只有这一种结果，已按此读取（多出的数属于表格以外的内容）",
            (),
        ))  # fmt: skip
    order = list(range(len(cells)))
    as_printed = False
    if not check.holds(values):  # type: ignore[arg-type]
        moved = _single_move(values, check)  # type: ignore[arg-type]
        if moved is None:
            # No single misplaced value explains the failure. A value out of place shifts every value after it
            # and breaks the row sums of the rows it crosses; when at most one row fails its own sum (R2), the
            # order is the table's and the failing identities are the report's own mistakes, read as printed.
            if len(check.bad_rows(values)) > 1:  # type: ignore[arg-type]
                return None
            as_printed = True
            moved = None
    else:
        moved = None
    if moved is not None:
        i, j = moved
        order.insert(j, order.pop(i))
        token = cells[i]
        affected = keys[min(i, j) // 7 : max(i, j) // 7 + 1]
        names = f"{_row_name(affected[0])}至{_row_name(affected[-1])}" if len(affected) > 1 else _row_name(affected[0])
        out.notes.append((
            "I_ORDER_REPAIRED",
            f"表三 按纯文本的阅读顺序，第{token.where.line}行的“{token.raw}”不在原位；把它移回原处后全部勾稽关系"
            f"成立，且只有这一种结果，已按此读取（涉及 {names} 各行）",
            tuple(c for k in affected for c in canonical.keys_of_row(k)),
        ))  # fmt: skip
    rows = []
    for r, k in enumerate(keys):
        row_cells = tuple(Cell(cells[o].raw, cells[o].where, col=c) for c, o in enumerate(order[r * 7 : r * 7 + 7]))
        label = canonical.TABLE3_ROW_BY_KEY[k].label
        row = Row("t3", (label,), row_cells, row_cells[0].where, positioned=True, explicit_blanks=True)
        rows.append(row)
    if as_printed:
        out.notes.append((
            "I_READ_IN_ORDER",
            "表三 的数值按纯文本的阅读顺序逐行读取（每格一个数，各行合计除至多一行外均相符）；"
            "不成立的勾稽关系按原文照录，由校验规则报告",
            (),
        ))  # fmt: skip
    else:
        out.notes.append(("I_READ_IN_ORDER", "表三 的数值按纯文本的阅读顺序逐行读取，且全部勾稽关系成立", ()))
    return rows


def _t3_blanks_absent(region: list[TextLine], out: TableRows) -> bool:
    """表三 in reading order with fewer numbers than cells: the blank cells are simply absent, and nothing
    in the text says where the numbers stand. Such a table is not read, with one warning saying why.

    Neither the order nor the identities can place the numbers (issue 11): pdftotext's reading order
    (without -layout) is neither row by row nor column by column — it can print a row's 科研机构 before
    its 自然人, or a 总计 after the totals of the rows below it — and the identities R1-R3 treat the five
    applicant columns alike, so the numbers of one applicant column fit an all-blank one just as well,
    every identity unchanged. Any placement would be a guess, and one chosen to make the identities hold
    would hide the report's own arithmetic mistakes. (The PDF itself, or a ``pdftotext -layout`` copy,
    keeps the positions and is read.)"""
    n = sum(1 for ln in region if is_number_text(ln.text))
    if not 0 < n < T3_CELLS_2019:
        return False
    out.notes.append((
        "W_RAW_ORDER_UNPLACED",
        f"表三 为按阅读顺序逐格排列的纯文本（没有位置信息，如从 PDF 复制的文本），只有 {n} 个数，少于表格的单元格数："
        "空白单元格在文本中不出现，阅读顺序又既不逐行也不逐列，各数所在的行和列无法确定，表三未读取"
        "（请改用 PDF 原件或保留版面的文本）",
        canonical.TABLE3_KEYS,
    ))  # fmt: skip
    return True


T3_CELLS_2019 = 23 * 7


def _row_name(key: str) -> str:
    return canonical.short_label(canonical.t3(key, "total")).rsplit(" ", 1)[0]


def _single_move(values: list[int], check: Identities) -> tuple[int, int] | None:
    """The one move (from, to) of a single value that makes every identity hold, if exactly one table results."""
    bad = check.bad_rows(values)
    if not bad:
        return None
    # A move changes only the rows between its two ends, which must therefore bracket every failing row.
    n = len(values)
    head = range(max(0, (bad[0] - 1) * 7), min(n, (bad[0] + 1) * 7))
    tail = range(max(0, bad[-1] * 7), min(n, (bad[-1] + 2) * 7))
    pairs = {(i, j) for i in head for j in tail} | {(j, i) for i in head for j in tail}
    found: dict[tuple[int, ...], tuple[int, int]] = {}
    for i, j in sorted(pairs):
        if i == j:
            continue
        cand = values[:i] + values[i + 1 :]
        cand.insert(j, values[i])
        if check.holds(cand):
            found.setdefault(tuple(cand), (i, j))
            if len(found) > 1:
                return None
    return next(iter(found.values())) if found else None


def _single_extra(values: list[int], check: Identities) -> int | None:
    """The index of a number that is not the table's (a value of the text around it, carried in by the
    reading order): dropping it must make every identity hold, and every such drop must give the same table."""
    tables = {}
    for i in range(len(values)):
        cand = values[:i] + values[i + 1 :]
        if check.holds(cand):
            tables.setdefault(tuple(cand), i)
            if len(tables) > 1:
                return None
    return next(iter(tables.values())) if tables else None


def _trailing_values(cells: list[_TCell]) -> list[_TCell]:
    """The value cells after the row's last label (explicit empty cells included)."""
    last_label = max((i for i, c in enumerate(cells) if not c.is_value), default=-1)
    return cells[last_label + 1 :]


def _is_header(table: str, labels: list[str]) -> bool:
    if not labels:
        return False
    if table == "t3":
        if any(L.match_t3_row(t) for t in labels):
            return False
        return L.table_sign(labels) == "t3" or all(L.t3_column_of(t) is not None for t in labels)
    if table == "t2":
        return any(L.t2_column_of(t) or norm(t) == "信息内容" for t in labels) and not any(
            L.match_t2_row(t) for t in labels
        )
    return all(L.t4_column_of(t) is not None or L.t4_block_of(t) is not None or norm(t) == "行政诉讼" for t in labels)


def _t4_rows(rows: list[Row], mode: str) -> list[Row]:
    """表四 has one data row; as text its values may come on one line or one a line."""
    cells = [c for r in rows for c in r.cells if mode == "indented" or c.raw.strip()]
    if not cells:
        return []
    explicit = mode == "indented" and len(cells) == 15
    where = cells[0].where
    row = Row("t4", (), tuple(cells), where, explicit_blanks=explicit)
    if mode == "raw" and not _t4_adds_up(cells):
        row.ordered = False  # fifteen numbers in reading order that do not add up are not in place
    return [row]


def _t4_adds_up(cells: list[Cell]) -> bool:
    """Fifteen numbers in reading order that may be taken in order: every block adds up, or only one does
    not and no other order of its own five numbers would make it (a value out of place within the block),
    so the failure is the report's own mistake, read as printed for R4-R6 to show."""
    values = [parse_value(c.raw).value for c in cells]
    if len(values) != 15 or any(not isinstance(v, int) for v in values):
        return True
    bad = [b for b in (0, 5, 10) if sum(values[b : b + 4]) != values[b + 4]]  # type: ignore[arg-type]
    if not bad:
        return True
    if len(bad) > 1:
        return False
    block = values[bad[0] : bad[0] + 5]
    return not any(2 * v == sum(block) for v in block)  # type: ignore[arg-type]


def _t2_blocks_by_count(rows: list[Row]) -> list[Row]:
    """表二 in reading order. A block is read only when it holds exactly one number per cell: a
    one-column block's numbers then go to its rows top to bottom (a column reads the same in any order,
    even when a value comes before its label); the two three-column rows of （一） must each be
    followed by their own three. Any other block keeps its rows unplaced.

    Reading order can also carry a value past the next block's caption (a browser's print of the
    table does): the count of the block it lands in may then still look right. So a block is not read
    when a number stands between its caption and its header, nor when one stands between its header
    and its first row while the block before it is short of numbers (where that number may come from).
    """
    by_block: dict[str | None, list[Row]] = {}
    for r in rows:
        by_block.setdefault(r.block, []).append(r)
    out: list[Row] = []
    previous_full = True
    for block, members in by_block.items():
        keys = T2_BLOCK_ROWS.get(block or "")
        numbers = [c for r in members for c in r.cells if clean_token(c.raw)]
        labelled = [r for r in members if r.labels and L.match_t2_row(r.labels[0])]
        in_place = _t2_numbers_in_place(members, previous_full)
        previous_full = len(numbers) == T2_BLOCK_CELLS.get(block or "", -1)
        if (
            in_place
            and keys
            and len(numbers) == len(keys)
            and [L.match_t2_row(r.labels[0]) for r in labelled] == list(keys)
        ):
            for r, cell in zip(labelled, numbers, strict=True):
                out.append(Row("t2", r.labels, (cell,), r.where, block=block))
            continue
        complete = in_place and block == "一" and len(numbers) == 6 and all(len(r.cells) == 3 for r in labelled)
        for r in members:
            r.ordered = complete
        out.extend(members)
    return out


T2_BLOCK_CELLS = {"一": 6, "五": 1, "六": 2, "八": 1}


def _t2_numbers_in_place(members: list[Row], previous_full: bool) -> bool:
    """No number of the block stands where reading order may have carried one from the block before."""
    for r in members:
        if not any(clean_token(c.raw) for c in r.cells):
            continue
        first = r.labels[0] if r.labels else ""
        if L.t2_caption(first):
            return False  # between the caption and the header: out of place
        if not L.match_t2_row(first) and not previous_full:
            return False  # under the header, before any row, with numbers missing just before
    return True
