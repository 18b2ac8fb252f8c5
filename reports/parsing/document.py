"""The neutral intermediate every reader produces and the table engine consumes.

A reader (``txt.py``, ``html.py``, ``docx.py``, ``pdf.py``, ``xlsx.py``) turns a file into a
:class:`Document`: the running text as lines, and — where the source has real table structure —
the tables as rectangular grids with merged cells expanded. The engine then finds 表二/表三/表四 in
the grids (or, for plain text, in the lines) and maps them onto the canonical keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A rectangle on a page as fractions of the page as displayed: (left, top, right, bottom), 0–1 from the top left.
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TextLine:
    """One line of running text (a paragraph, or a visual line of a PDF page)."""

    text: str
    line: int  # 1-based, in document order
    page: int | None = None  # 1-based page, where the format has pages
    box: Box | None = None  # where the line stands on its page (PDF)


@dataclass(frozen=True)
class GridCell:
    """One position of a table grid.

    A merged cell (rowspan/colspan) appears at every grid position it covers: at its top-left
    position with ``merged=False`` and elsewhere with ``merged=True`` and the same ``text``.
    """

    text: str  # "" for an empty cell
    merged: bool = False
    page: int | None = None
    box: Box | None = None  # where the (merged) cell stands on its page (PDF)
    # No cell of the source covers this position: its row is shorter than the table (HTML, Word).
    pad: bool = False


@dataclass(frozen=True)
class Table:
    """A table as a rectangular grid of rows × columns."""

    rows: tuple[tuple[GridCell, ...], ...]
    index: int  # 0-based position among the document's tables
    page: int | None = None  # page of the first row, where the format has pages
    # Where the table sits in the running text: the number of the last TextLine before it.
    after_line: int = 0

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass(frozen=True)
class Document:
    format: str
    lines: tuple[TextLine, ...] = ()
    tables: tuple[Table, ...] = ()
    pages: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)  # e.g. PDF CreationDate, docx core properties
    # Pages read from pictures (reports.parsing.ocr.OcrPage): what each character's certainty is.
    ocr: tuple[Any, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
