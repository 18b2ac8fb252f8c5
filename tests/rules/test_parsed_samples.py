"""The rules on what the parser reads: no false error on the samples and on every labelled corpus document
(errors only where the label's own numbers break an identity), and the samples' known text defects fire.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from reports.parsing import parse_document
from reports.parsing.office import soffice_path
from reports.rules import Issue, ReportFacts, evaluate, guess_agency_kind
from tests.rules.helpers import FIXTURES, load_label
from tests.rules.test_corpus import expected_errors

NEEDS_SOFFICE = (".doc", ".wps")
no_soffice = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) 未安装：无法转换 .doc/.wps")

SAMPLES = sorted((FIXTURES / "samples").glob("*.txt"))


@cache
def issues_of(prefix: str) -> tuple[Issue, ...]:
    path = next(p for p in SAMPLES if p.name.startswith(prefix))
    parsed: Any = parse_document(path)
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
    pytest.param(doc, label, id=doc.name, marks=[no_soffice] if doc.suffix in NEEDS_SOFFICE else [])
    for label in sorted((FIXTURES / "corpus").rglob("*.json"))
    for doc in sorted(label.parent.glob(label.stem + ".*"))
    if doc.suffix != ".json"
)


def test_the_corpus_has_documents() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.slow
@pytest.mark.parametrize(("doc", "label"), CORPUS)
def test_parsed_corpus_document_has_no_false_error(doc: Any, label: Any) -> None:
    parsed: Any = parse_document(doc)
    issues = evaluate(ReportFacts.from_parsed(parsed, agency_kind=guess_agency_kind(parsed.agency)))
    errors = {(i.rule, i.keys) for i in issues if i.severity == "error"}
    assert errors == expected_errors(load_label(label)), [i.message for i in issues if i.severity == "error"]
