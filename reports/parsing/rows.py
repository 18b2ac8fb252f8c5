"""Rows as seen in a document, before they are placed on the template.

Both engines — the grid engine for real tables (HTML, Word, Excel, PDF) and the text engine for
plain text — turn a document into :class:`Row` objects: the label pieces of one table row and its
value cells, each cell with its logical column when the source shows it. The assembler then maps
rows onto the template and cells onto canonical keys; it never looks at the source format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.parsing.types import PrintedBreak


@dataclass(frozen=True)
class Where:
    """A place in the source document, for provenance and messages."""

    page: int | None = None
    line: int | None = None
    table: int | None = None  # 0-based index among the document's tables
    row: int | None = None  # 0-based grid row
    col: int | None = None  # 0-based grid column

    def describe(self) -> str:
        parts = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.table is not None:
            cell = f"表格{self.table + 1}"
            if self.row is not None:
                cell += f"第{self.row + 1}行"
            if self.col is not None:
                cell += f"第{self.col + 1}列"
            parts.append(cell)
        elif self.line is not None:
            parts.append(f"第{self.line}行")
        return " ".join(parts)

    def with_col(self, col: int | None) -> Where:
        return Where(self.page, self.line, self.table, self.row, col)


@dataclass(frozen=True)
class Cell:
    """One value cell: the text as printed and, when known, its logical column."""

    raw: str
    where: Where
    col: int | None = None  # 表三 0-6, 表四 0-14, 表二 position within the block's value columns
    name: str | None = None  # 表二: the column's name ("issued", "in_force", "decisions", "value" …)
    merged: bool = False  # the grid position continues a merged cell
    # Digits run together and split by the template's identities: the identities the split rests on.
    rests_on: str = ""


# pdftotext -layout breaks a line after a gap of at most this many lines (it prints at most four blank lines).
MAX_LAYOUT_STEP = 5


@dataclass(frozen=True)
class LineProfile:
    """The printed lines of one page of a table in ``pdftotext -layout`` text, for placing rows by height.

    pdftotext starts ``floor(d / font size)`` lines further down for a gap ``d`` between the baselines of
    two successive lines of text, at least one and at most five. Rows at least one font size high stand
    at least ``k`` font sizes apart when ``k`` rows apart, so a gap of ``s`` lines spans at most ``s`` rows;
    each line printed in between (a label spanning rows, a wrapped label) may cost one line of that count,
    and a line whose leftmost text is a label of another row may stand half a font size off its values.
    """

    page: int | None
    printed: tuple[int, ...]  # line numbers of the page's non-blank lines of the table, ascending
    loose: frozenset[int] = frozenset()  # value lines whose leftmost text is a piece of another label
    # The blank lines look like pdftotext's: text whose blank lines were squeezed, dropped or laid out by
    # another rule proves nothing by height (see reports.parsing.textlayout._profiles).
    kept_gaps: bool = False

    def most_rows(self, above: int, below: int) -> int | None:
        """The most template rows from the row printed on line ``above`` down to the one on line ``below``;
        None when the gap cannot bound it (a step of five lines may stand for any larger gap)."""
        inside = [ln for ln in self.printed if above < ln < below]
        seq = [above, *inside, below]
        if any(b - a >= MAX_LAYOUT_STEP for a, b in zip(seq, seq[1:], strict=False)):
            return None
        slack = (above in self.loose) + (below in self.loose)
        return below - above + len(inside) + slack


@dataclass
class Row:
    """One row of a table as the document presents it."""

    table: str  # "t2", "t3", "t4"
    labels: tuple[str, ...]
    cells: tuple[Cell, ...]
    where: Where
    # The cells carry their logical columns and a column without a cell is blank in the source.
    positioned: bool = False
    # The source shows empty cells (a grid, a cell-per-line text with blank lines): a row without
    # numbers is blank rather than lost.
    explicit_blanks: bool = False
    # Without positions, the order of the cells is the order of the columns (not so for values
    # gathered from two text lines).
    ordered: bool = True
    group: str | None = None  # 表三 group known from the layout (a merged group cell beside the row)
    # The group label beside the row spans several rows: the row is one of the group's rows, never
    # a printed subtotal, even without a label of its own.
    member: bool = False
    block: str | None = None  # 表二 caption block ("一", "五", "六", "八", "九")
    # Column readings the layout leaves open for the cells (each a column per cell, in cell order): for the
    # identities to choose between (reports.parsing.infer.choose_columns), never read as printed.
    choices: tuple[tuple[int, ...], ...] = ()
    # The same, per grid the row's page may have (None: the values do not fit that grid), aligned across the
    # page's rows: one grid holds for a whole page, so its rows are read together or not at all.
    page_readings: tuple[tuple[int, ...] | None, ...] = ()
    readings_page: int | None = None
    notes: list[str] = field(default_factory=list)
    # Layout text: the first and last line the row is printed on, and its page's profile (placing by height).
    span: tuple[int, int] | None = None
    profile: LineProfile | None = None

    @property
    def label(self) -> str:
        return " ".join(t for t in self.labels if t)

    @property
    def has_values(self) -> bool:
        return any(c.raw.strip() for c in self.cells)


# Row note: a 表三 row of a reading-order text whose blank cells are absent (its numbers are not its own).
RAW_UNPLACED = "raw_unplaced"


@dataclass
class TableRows:
    """The rows found for each table, and how the engine read them."""

    t2: list[Row] = field(default_factory=list)
    t3: list[Row] = field(default_factory=list)
    t4: list[Row] = field(default_factory=list)
    found: set[str] = field(default_factory=set)  # tables whose header or caption was seen
    notes: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # warnings (code, message, keys)
    breaks: list[PrintedBreak] = field(default_factory=list)  # printed numbers no reading makes add up

    def rows(self, table: str) -> list[Row]:
        return {"t2": self.t2, "t3": self.t3, "t4": self.t4}[table]
