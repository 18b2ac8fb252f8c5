"""Every labelled document: the rules raise no false error, and fire exactly where the label's own
numbers break an identity (e.g. a source that prints a wrong 表四 total, kept as printed).

The expectation is computed here independently and simply from the label — no file is special-cased.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from reports import canonical as c
from reports.rules import ReportFacts, evaluate
from tests.rules.helpers import LABEL_FILES, load_label


def _n(values: dict[str, Any], key: str) -> float:
    v = values[key]
    return 0 if v is None else v


def _failing(values: dict[str, Any], total: str, parts: list[str]) -> bool:
    keys = [total, *parts]
    if all(values[k] is None for k in keys):
        return False
    return _n(values, total) != sum(_n(values, k) for k in parts)


def expected_errors(label: dict[str, Any]) -> set[tuple[str, tuple[str, ...]]]:
    """R1–R6 and R16 computed straight from the label (blank = 0; all-blank equations skipped)."""
    v = c.flatten(label)
    order = {k: i for i, k in enumerate(c.ALL_KEYS)}
    found: set[tuple[str, tuple[str, ...]]] = set()

    def add(code: str, keys: list[str]) -> None:
        found.add((code, tuple(sorted(keys, key=order.__getitem__))))

    for col in c.TABLE3_COLUMN_KEYS:
        k = {r: c.t3(r, col) for r in c.TABLE3_ROW_KEYS}
        inflow = [k["new_received"], k["carried_over"]]
        outflow = [k["total_processed"], k["carried_forward"]]
        keys = inflow + outflow
        if not all(v[x] is None for x in keys) and sum(_n(v, x) for x in inflow) != sum(_n(v, x) for x in outflow):
            add("R1", keys)
        outcomes = [k[r] for r in c.OUTCOME_ROW_KEYS]
        if _failing(v, k["total_processed"], outcomes):
            add("R3", [k["total_processed"], *outcomes])
    for row in c.TABLE3_ROW_KEYS:
        parts = [c.t3(row, col) for col in c.APPLICANT_COLUMN_KEYS]
        if _failing(v, c.t3(row, "total"), parts):
            add("R2", [c.t3(row, "total"), *parts])
    for code, blk in zip(("R4", "R5", "R6"), c.TABLE4_BLOCK_KEYS, strict=True):
        parts = [c.t4(blk, col) for col in ("upheld", "corrected", "other", "pending")]
        if _failing(v, c.t4(blk, "total"), parts):
            add(code, [c.t4(blk, "total"), *parts])
    year, template = label.get("year"), label.get("template")
    if year and template and ((year >= 2021) != (template == "2021")):
        found.add(("R16", ()))
    return found


def expected_r10(label: dict[str, Any]) -> set[tuple[str, ...]]:
    v = c.flatten(label)
    out = set()
    for row in ("regulations", "normative_documents"):
        issued, repealed, in_force = (
            _n(v, f"active_disclosure.{row}.{col}") for col in ("issued", "repealed", "in_force")
        )
        if issued > 0 and in_force < issued - repealed:
            out.add(tuple(f"active_disclosure.{row}.{col}" for col in ("issued", "repealed", "in_force")))
    return out


@pytest.fixture(params=LABEL_FILES, ids=lambda p: str(p.relative_to(p.parents[2])))
def label(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load_label(request.param)


def test_the_corpus_is_there() -> None:
    assert len(LABEL_FILES) >= 40


def test_errors_are_exactly_the_label_own_breaks(label: dict[str, Any]) -> None:
    issues = evaluate(ReportFacts.from_record(label))
    errors = {(i.rule, i.keys) for i in issues if i.severity == "error"}
    assert errors == expected_errors(label), [i.message for i in issues if i.severity == "error"]


def _says_source_breaks_a_rule(path: Path) -> bool:
    # "the SOURCE breaks the 表四 totals", not "a page break"
    return bool(re.search(r"\bbreaks\b", load_label(path).get("x_note") or "", re.IGNORECASE))


BREAKING = tuple(p for p in LABEL_FILES if _says_source_breaks_a_rule(p))


def test_some_label_says_its_source_breaks_a_rule() -> None:
    assert BREAKING


@pytest.mark.parametrize("path", BREAKING, ids=lambda p: p.name)
def test_a_source_said_to_break_a_rule_fires(path: Path) -> None:
    label = load_label(path)
    fired = [i for i in evaluate(ReportFacts.from_record(label)) if i.severity == "error"]
    assert fired, label["x_note"]
    assert {i.rule for i in fired} <= {"R1", "R2", "R3", "R4", "R5", "R6"}


def test_stock_flow_warning_follows_the_label(label: dict[str, Any]) -> None:
    issues = evaluate(ReportFacts.from_record(label))
    assert {i.keys for i in issues if i.rule == "R10"} == expected_r10(label)


def test_no_rule_changes_a_number(label: dict[str, Any]) -> None:
    facts = ReportFacts.from_record(label)
    before = json.dumps({k: str(v) for k, v in facts.values.items()}, sort_keys=True)
    evaluate(facts)
    assert json.dumps({k: str(v) for k, v in facts.values.items()}, sort_keys=True) == before
