"""表三 as pdftotext prints it without -layout (reading order, no positions) with its blank cells absent
(issue 11). Neither the order nor the identities place such numbers: pdftotext's reading order keeps
neither rows nor columns, and R1-R3 treat the five applicant columns alike, so a column's numbers fit an
all-blank column just as well. The table is left unread with one warning naming every cell, never
guessed; the rest of the document is read as usual."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from reports import canonical
from reports.parsing import parse_document
from tests.parsing.helpers import CORPUS, FIXTURES, compare, load_label
from tests.synth.report import APPLICANTS, T3_ROWS, Synth, figures, raw_text

T3 = set(canonical.TABLE3_KEYS)


def _unplaced(report: Any) -> list[Any]:
    return [w for w in report.warnings if w.code == "W_RAW_ORDER_UNPLACED"]


def _blank_columns(s: Synth) -> list[str]:
    return [c for c in APPLICANTS if all(s.values[canonical.t3(r, c)] == 0 for r in T3_ROWS)]


@pytest.mark.parametrize("defect", [None, "row_total", "grand"])
@pytest.mark.parametrize("seed", range(4))
def test_blank_cells_absent_leave_table3_unread_with_one_warning(seed: int, defect: str | None) -> None:
    s = figures(random.Random(seed), defect)
    report = parse_document(raw_text(s, blank_zero=True).encode("utf-8"), "raw.txt")
    assert [k for k in T3 if report.values[k] is not None] == []
    [warning] = _unplaced(report)
    assert set(warning.keys) == T3
    # No per-row counts of numbers that are not the row's own.
    assert [w.code for w in report.warnings if w.keys and set(w.keys) <= T3 and w is not warning] == []
    # Nothing read elsewhere is wrong.
    wrong = [k for k in canonical.ALL_KEYS if report.values[k] is not None and report.values[k] != s.values[k]]
    assert wrong == []


def test_every_number_printed_is_still_read_in_order() -> None:
    # The same figures with their zeros printed: one number a cell, the order is the table's.
    s = figures(random.Random(3))
    report = parse_document(raw_text(s).encode("utf-8"), "raw.txt")
    assert _unplaced(report) == []
    assert {k: report.values[k] for k in T3} == {k: s.values[k] for k in T3}


def _seed_with_movable_column() -> tuple[Synth, str, str]:
    for seed in range(200):
        s = figures(random.Random(seed))
        blank = _blank_columns(s)
        busy = [c for c in APPLICANTS[1:] if c not in blank]
        if blank and busy:
            return s, busy[0], blank[-1]
    raise AssertionError("no seed with both a busy and an all-blank applicant column")


def test_a_column_moved_into_a_blank_column_prints_the_same_text_and_is_not_read() -> None:
    """Why no placement is taken: moving an applicant column's numbers into an all-blank applicant column
    keeps every identity, and with blank cells absent the text does not change. Any reader gives the
    same cells for both reports; the parser gives none."""
    s, busy, blank = _seed_with_movable_column()
    moved = dict(s.values)
    for r in T3_ROWS:
        moved[canonical.t3(r, blank)], moved[canonical.t3(r, busy)] = s.values[canonical.t3(r, busy)], 0
    text = raw_text(s, blank_zero=True)
    assert raw_text(Synth(moved), blank_zero=True) == text
    report = parse_document(text.encode("utf-8"), "raw.txt")
    for r in T3_ROWS:
        assert report.values[canonical.t3(r, busy)] is None
        assert report.values[canonical.t3(r, blank)] is None


@pytest.mark.parametrize(
    "path",
    [FIXTURES / "defects" / "d09_txt_raw.txt", CORPUS / "generated" / "r08_txt_raw.txt"],
    ids=lambda p: Path(p).name,
)
def test_pdftotext_reading_order_tells_which_cells_are_unread(path: Path) -> None:
    """Real pdftotext output (d09 hides four planted defects in 表三): nothing wrong, and every cell of a
    planted defect is named unread, so the reviewer is told rather than shown a table that adds up."""
    label = load_label(path.with_suffix(".json"))
    report = parse_document(path)
    wrong, _ = compare(label, report.values)
    assert wrong == []
    [warning] = _unplaced(report)
    for defect in label.get("x_defects", []):
        assert set(defect["keys"]) <= set(warning.keys)
        assert all(report.values[k] is None for k in defect["keys"])
