"""表三 sub-rows printed without labels in ``pdftotext -layout`` text, their zero cells blank (issue 11): a row
with nothing printed leaves no line, only its height. A value line's template row is taken from the line
gaps only where pdftotext's spacing rule leaves it a single row; everything else stays unread with the
reason, and the rules still report a defect on the rows read that way.

The synthetic fixtures (tests/synth/make_fixtures.py, ``vertical_layout_text``) lay the table out by
poppler's rule; ``r08_txt_layout`` (corpus) is real pdftotext output of a PDF whose row 表三（五）5 is 2.3
rows high (a wrapped label's height kept after the label was removed).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reports import canonical
from reports.parsing import parse_document
from reports.parsing.rows import LineProfile
from reports.rules import ReportFacts, evaluate, guess_agency_kind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LAYOUTS = FIXTURES / "layouts"
# Real pdftotext -layout output of a PDF printed without the sub-row labels (and that PDF).
REAL = FIXTURES / "corpus" / "generated" / "r08_txt_layout"
ARITHMETIC = {"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R14", "R19"}
WITHHELD = [k for k in canonical.TABLE3_KEYS if k.startswith("applications.withheld_")]


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


def _label(name: str) -> dict[str, Any]:
    path = REAL.with_suffix(".json") if name == "real" else LAYOUTS / f"{name}.json"
    label = json.loads(path.read_text(encoding="utf-8"))
    if "values" not in label:  # a corpus label: the figures nested by section
        label["values"] = {k: v for k, v in _flatten(label).items() if k in canonical.ALL_KEYS}
    return label


def _parse_text(text: str) -> Any:
    return parse_document(text.encode("utf-8"), "report.txt")


def _text(name: str) -> str:
    path = REAL.with_suffix(".txt") if name == "real" else LAYOUTS / f"{name}.txt"
    return path.read_text(encoding="utf-8")


def _compare(parsed: Any, values: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(wrong, missing): a value read that differs from the printed one (blank read as 0 is fine); a printed
    value not read."""
    wrong = [
        k
        for k in canonical.ALL_KEYS
        if parsed.values[k] is not None and Decimal(str(parsed.values[k])) != Decimal(str(values[k] or 0))
    ]
    missing = [k for k in canonical.ALL_KEYS if parsed.values[k] is None and values[k] not in (None, 0)]
    return wrong, missing


def _codes(parsed: Any) -> set[str]:
    return {w.code for w in parsed.warnings}


def test_rows_proven_by_their_height_are_read_as_printed() -> None:
    """One line per row, blank rows as blank lines: the gaps to （二） above and （四）1 below leave each value
    line one row; read as printed (not inferred), and said so."""
    parsed = _parse_text(_text("height_placed"))
    assert _compare(parsed, _label("height_placed")["values"]) == ([], [])
    assert "I_ROWS_BY_HEIGHT" in _codes(parsed) and "W_ROWS_UNPLACED" not in _codes(parsed)
    assert all(not parsed.provenance[k].inferred and not parsed.provenance[k].missing for k in WITHHELD)


def test_ambiguous_gaps_stay_unread_with_the_reason() -> None:
    """Rows 1.6 font sizes high, group labels printed between the values, one tall blank row: most value lines
    could stand on several rows, so they stay unread and are named; the few the gaps prove are right."""
    parsed = _parse_text(_text("height_ambiguous"))
    wrong, missing = _compare(parsed, _label("height_ambiguous")["values"])
    assert wrong == []
    assert missing
    unplaced = {k for w in parsed.warnings if w.code == "W_ROWS_UNPLACED" for k in w.keys}
    assert set(missing) <= unplaced


def test_squeezed_blank_lines_prove_nothing() -> None:
    """The same text with its runs of blank lines squeezed to one (cat -s): the gaps no longer measure the
    rows, so nothing is placed by height — and nothing is read wrong."""
    text = re.sub(r"\n{3,}", "\n\n", _text("height_placed"))
    parsed = _parse_text(text)
    wrong, missing = _compare(parsed, _label("height_placed")["values"])
    assert wrong == []
    assert "I_ROWS_BY_HEIGHT" not in _codes(parsed)
    assert set(missing) and set(missing) <= set(WITHHELD)


def test_a_row_dropped_from_the_gaps_is_never_shifted_into() -> None:
    """One value line deleted from the text outright (its blank row then spans too few lines): the bounds no
    longer fit the stretch; the rows around it are not shifted into its place."""
    label = _label("height_placed")["values"]
    lines = _text("height_placed").split("\n")
    first_value = next(
        i for i, ln in enumerate(lines) if ln.strip() and ln.strip()[0].isdigit() and "部分公开" in lines[i - 3]
    )
    parsed = _parse_text("\n".join(lines[:first_value] + lines[first_value + 1 :]))
    wrong, _ = _compare(parsed, label)
    assert wrong == []


def test_defect_in_a_row_placed_by_height_is_reported() -> None:
    """A sub-row's 总计 off by a few: the row is read as printed by its height, and R2 reports it."""
    label = _label("height_defect")
    parsed = _parse_text(_text("height_defect"))
    assert _compare(parsed, label["values"]) == ([], [])
    assert "I_ROWS_BY_HEIGHT" in _codes(parsed)
    facts = ReportFacts.from_parsed(parsed, agency_kind=guess_agency_kind(parsed.agency))
    errors = [i for i in evaluate(facts) if i.severity == "error" and i.rule in ARITHMETIC]
    assert label["x_defects"]
    for defect in label["x_defects"]:
        assert set(defect["keys"]) <= set(WITHHELD)
        assert any(set(defect["keys"]) & set(e.keys) and e.rule == "R2" for e in errors)


def test_real_pdftotext_text_reads_only_what_the_gaps_prove() -> None:
    """pdftotext -layout of a PDF without sub-row labels: only （六）3, one line above （七）总计, is proven;
    the rest (tall row, group labels in between, a five-line gap) stays unread with the reason."""
    label = _label("real")
    parsed = _parse_text(_text("real"))
    wrong, missing = _compare(parsed, label["values"])
    assert wrong == []
    assert parsed.values[canonical.t3("other_other", "total")] == 3
    assert parsed.values[canonical.t3("other_other", "natural_person")] == 3
    unplaced = {k for w in parsed.warnings if w.code == "W_ROWS_UNPLACED" for k in w.keys}
    assert missing and set(missing) <= unplaced


@pytest.mark.parametrize("name", ["blank_label_below", "blank_label_above"])
def test_a_blank_labelled_row_never_takes_an_unlabelled_rows_values(name: str) -> None:
    """A value line just above (or below) the label of a blank row, in a stretch whose rows lost their labels:
    it may stand on any of the unlabelled rows, so the labelled row does not take it (its values would be
    another row's, a wrong number that looks right). The line stays unread, named; the blank row reads blank."""
    parsed = _parse_text(_text(name))
    label = _label(name)["values"]
    wrong, missing = _compare(parsed, label)
    assert wrong == []
    assert missing
    warned = {k for w in parsed.warnings if w.code.startswith("W_") for k in w.keys}
    assert set(missing) <= warned


def test_an_unplaced_row_that_does_not_add_up_is_an_r2_error() -> None:
    """A value line no height places stays unread — but its own numbers, under their columns, break R2
    whichever of the open rows it is: an R2 error on the open rows' cells (the planted defect's among them),
    as long as they stay empty."""
    parsed = _parse_text(_text("unplaced_defect"))
    label = _label("unplaced_defect")
    wrong, missing = _compare(parsed, label["values"])
    assert wrong == [] and missing
    (defect,) = label["x_defects"]
    assert all(parsed.values[k] is None for k in defect["keys"])
    errors = [i for i in evaluate(ReportFacts.from_parsed(parsed, agency_kind=guess_agency_kind(parsed.agency)))
              if i.severity == "error" and i.rule in ARITHMETIC]  # fmt: skip
    assert [e.rule for e in errors] == ["R2"]
    assert set(defect["keys"]) <= set(errors[0].keys)
    assert all(parsed.values[k] is None for k in errors[0].keys)
    assert "没有行名" in errors[0].message


def test_line_profile_bounds() -> None:
    """At most s rows over a gap of s lines, one more per line printed between and per loose end; a gap of
    five lines bounds nothing."""
    p = LineProfile(1, (10, 11, 14, 15, 20), frozenset({15}), True)
    assert p.most_rows(10, 11) == 1
    assert p.most_rows(11, 14) == 3
    assert p.most_rows(10, 14) == 5  # 4 lines, 11 printed between
    assert p.most_rows(14, 15) == 2  # 15 is loose
    assert p.most_rows(15, 20) is None


def test_a_missing_labelled_row_stops_placing_by_height() -> None:
    """Only sub-rows lose their labels. A table printed without its （七）总计 row (here: that line taken out of
    real pdftotext output) leaves the stretch above 四、 one row short: placing the unlabelled lines by their
    height would make （六）3's zeros the totals. No line of such a stretch is placed by height; nothing is read
    wrong, and no 总计 cell is taken from a line as printed."""
    path = FIXTURES / "corpus" / "generated" / "r12_txt_layout.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines = [ln for ln in lines if not re.search(r"[（(]七[)）]\s*总计", ln)]
    parsed = _parse_text("\n".join(lines))
    values = {k: v for k, v in _flatten(json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))).items()
              if k in canonical.ALL_KEYS}  # fmt: skip
    wrong, _ = _compare(parsed, values)
    assert wrong == []
    for k in canonical.keys_of_row("total_processed"):
        src = parsed.provenance[k]
        assert src.missing or src.inferred


def test_a_dropped_row_beside_a_blank_label_is_not_counted_into_place() -> None:
    """Real pdftotext output with the row （三）7 taken out (a table printed one row short). The line left between
    （三）6 and （三）8 stands right above （三）8's label, which shows no values: it may be （三）8's own values
    (printed beside its label, as this layout does), so neither counting lines nor their heights may give it to
    （三）7. Nothing is read wrong; what is not read is named."""
    path = FIXTURES / "corpus" / "generated" / "r10_txt_layout.txt"
    lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if "7.属于行政执法案卷" not in ln]
    parsed = _parse_text("\n".join(lines))
    values = {k: v for k, v in _flatten(json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))).items()
              if k in canonical.ALL_KEYS}  # fmt: skip
    wrong, missing = _compare(parsed, values)
    assert wrong == []
    named = {k for w in parsed.warnings if w.code.startswith("W_") for k in w.keys}
    assert set(missing) <= named
    row7 = canonical.keys_of_row("withheld_enforcement_case")
    assert all(parsed.provenance[k].missing or parsed.provenance[k].inferred for k in row7)
