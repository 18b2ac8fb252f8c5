"""Plain data the parser returns. Frozen dataclasses, no Django.

A cell value is ``int`` (counts), ``Decimal`` (行政事业性收费, 万元) or ``None`` — blank or unreadable in the
source; ``None`` is never silently turned into 0 (FORMAT.md §4.3). Every cell has a :class:`CellSource`
saying where its value came from, so a reviewer can check it against the document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from reports import canonical

Value = int | Decimal | None

SECTION_KEYS = ("preamble", "overview", "problems", "other")
SECTION_LABELS = {
    "preamble": "前言",
    "overview": "一、总体情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}


class ParseError(Exception):
    """The document cannot be read at all. ``message`` is Chinese, for the user; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CellSource:
    """Where one cell's value came from."""

    raw: str | None = None  # the token as printed ("0", "12", "—"); None when nothing was found
    label: str | None = None  # the row label seen in the document
    location: str = ""  # human readable, Chinese: "第4页 表格第12行第3列" / "第120行"
    page: int | None = None
    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    # Where the cell (or, read from running text, its line) stands on its page: (left, top, right, bottom) as
    # fractions of the page as displayed (PDF, and every page read by OCR: there, on the picture as scanned).
    box: tuple[float, float, float, float] | None = None
    blank: bool = False  # the cell is present but empty (or -, —, /, 无)
    inferred: bool = False  # the value was proved by arithmetic, not read
    rests_on: str = ""  # an inferred value: the identities it rests on ("R1、R2"), for the reviewer to check
    missing: bool = False  # the cell could not be located at all (or, read from a picture, not with certainty)
    ocr: bool = False  # read from a picture of the page (a scan): its box is on the picture

    def to_json(self) -> dict[str, Any]:
        # table 0, row 0 and column 0 are places too: only None, False and "" are left out
        return {k: v for k, v in self.__dict__.items() if v is not None and v is not False and v != ""}


@dataclass(frozen=True)
class ParseWarning:
    """Something a reviewer must know about the reading, naming the cells concerned."""

    code: str  # stable, e.g. "W_SHORT_ROW", "W_MISSING_CELL", "W_EXTRA_ROW", "I_INFERRED"
    message: str  # Chinese
    keys: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "keys": list(self.keys)}


@dataclass(frozen=True)
class PrintedBreak:
    """Printed numbers that break an identity however they are read, while the cells themselves stay unread:
    a run of digits that no split makes add up ("5620000059" for a 表三 row). The rules report it as an
    error of ``rule`` on ``keys`` for as long as those cells are still empty (a report's own mistake is
    shown, never hidden as unread cells)."""

    rule: str  # "R2", "R3", "R4": the identity no reading satisfies
    keys: tuple[str, ...]
    printed: str  # what is printed, as it stands ("5620000059")
    why: str  # Chinese: which readings were tried

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "keys": list(self.keys), "printed": self.printed, "why": self.why}


@dataclass(frozen=True)
class ParsedReport:
    """One annual report read from one document."""

    source: str  # the file's name
    format: str  # "txt", "html", "docx", "doc", "wps", "pdf", "xlsx", "xls"
    sha256: str
    agency: str | None
    year: int | None
    template: str | None  # "2021", "2019" or None (unknown)
    title: str | None = None
    publication_date: date | None = None
    sections: dict[str, str] = field(default_factory=dict)  # SECTION_KEYS → text ("" when absent)
    values: dict[str, Value] = field(default_factory=dict)  # all 200 canonical keys
    provenance: dict[str, CellSource] = field(default_factory=dict)
    warnings: tuple[ParseWarning, ...] = ()
    # Group subtotals the document itself prints (R14), keyed "applications.<group>_subtotal.<col>".
    printed_subtotals: dict[str, Value] = field(default_factory=dict)
    printed_breaks: tuple[PrintedBreak, ...] = ()
    legacy_2019: dict[str, Any] | None = None
    sections_found: tuple[str, ...] = ()  # which of 一…六 headings were found, in document order
    text: str = ""  # the whole extracted text, kept with the source document

    def value(self, key: str) -> Value:
        return self.values.get(key)

    def to_json(self) -> dict[str, Any]:
        """The canonical record (valid against annual-report.schema.json) plus source/template/warnings/provenance."""
        record: dict[str, Any] = {
            "source": self.source,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "legacy_2019": self.legacy_2019,
        }
        nested = canonical.nest({k: _json_number(v) for k, v in self.values.items()})
        record.update(nested)
        record["title"] = self.title
        record["publication_date"] = self.publication_date.isoformat() if self.publication_date else None
        record["sections"] = dict(self.sections)
        record["sections_found"] = list(self.sections_found)
        record["printed_subtotals"] = {k: _json_number(v) for k, v in self.printed_subtotals.items()}
        record["printed_breaks"] = [b.to_json() for b in self.printed_breaks]
        record["warnings"] = [w.to_json() for w in self.warnings]
        record["provenance"] = {k: p.to_json() for k, p in self.provenance.items()}
        return record


def _json_number(v: Value) -> int | float | None:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v
