"""The rules on what the parser reads: no false error on the samples and on every labelled corpus document
(errors only where the label's own numbers break an identity), and the samples' known text defects fire.

Skipped until ``reports.parsing.parse_document`` exists (the parser is written in parallel).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from reports.rules import Issue, ReportFacts, evaluate, guess_agency_kind
from tests.rules.helpers import FIXTURES, load_label
from tests.rules.test_corpus import expected_errors

try:
    from reports.parsing import parse_document  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the parser's progress
    parse_document = None

pytestmark = pytest.mark.skipif(parse_document is None, reason="reports.parsing.parse_document is not written yet")

SAMPLES = sorted((FIXTURES / "samples").glob("*.txt"))


@cache
def issues_of(prefix: str) -> tuple[Issue, ...]:
    path = next(p for p in SAMPLES if p.name.startswith(prefix))
    parsed: Any = parse_document(path)  # type: ignore[misc]
    facts = ReportFacts.from_parsed(parsed, agency_kind=guess_agency_kind(parsed.agency))
    return tuple(evaluate(facts))


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_false_error(prefix: str) -> None:
    assert [i.message for i in issues_of(prefix) if i.severity == "error"] == []


def test_title_without_year_of_sample_004() -> None:
    r17 = [i for i in issues_of("004") if i.rule == "R17" and "标题" in i.message]
    assert [(i.severity, i.keys) for i in r17] == [("warning", ())]


@pytest.mark.parametrize(("prefix", "fires"), [("000", False), ("001", False), ("003", True), ("004", True)])
def test_fee_statement(prefix: str, fires: bool) -> None:
    assert any(i.rule == "R13" for i in issues_of(prefix)) is fires


CORPUS = tuple(
    (doc, label)
    for label in sorted((FIXTURES / "corpus").rglob("*.json"))
    for doc in sorted(label.parent.glob(label.stem + ".*"))
    if doc.suffix != ".json"
)


def test_the_corpus_has_documents() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.slow
@pytest.mark.parametrize(("doc", "label"), CORPUS, ids=[d.name for d, _ in CORPUS])
def test_parsed_corpus_document_has_no_false_error(doc: Any, label: Any) -> None:
    parsed: Any = parse_document(doc)  # type: ignore[misc]
    issues = evaluate(ReportFacts.from_parsed(parsed, agency_kind=guess_agency_kind(parsed.agency)))
    errors = {(i.rule, i.keys) for i in issues if i.severity == "error"}
    assert errors == expected_errors(load_label(label)), [i.message for i in issues if i.severity == "error"]
