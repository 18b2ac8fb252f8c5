"""Every labelled document — the five samples and the corpus — against its label.

No cell may be wrong. A cell the parser leaves empty where the label has a value must be named by a
warning; across the corpus the printed values must be read almost entirely (the few that are not are
in text layouts that cannot be read unambiguously). Every record is valid against the JSON schema.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from reports import canonical
from reports.parsing import parse_document
from reports.parsing.office import soffice_path
from reports.parsing.types import ParsedReport
from tests.parsing.helpers import CORPUS, SCHEMA, compare, labelled_documents, load_label, same_agency

DOCS = labelled_documents()
NEEDS_SOFFICE = (".doc", ".wps")
no_soffice = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) 未安装：无法转换 .doc/.wps")


def _param(doc: Path, label: Path):  # type: ignore[no-untyped-def]
    marks = [no_soffice] if doc.suffix in NEEDS_SOFFICE else []
    return pytest.param(doc, label, id=f"{doc.parent.name}/{doc.name}", marks=marks)


@cache
def parsed(doc: Path) -> ParsedReport:
    return parse_document(doc)


@pytest.mark.parametrize(("doc", "label_path"), [_param(d, label) for d, label in DOCS])
def test_no_wrong_cell_and_every_missing_cell_warned(doc: Path, label_path: Path) -> None:
    label = load_label(label_path)
    report = parsed(doc)
    wrong, missing = compare(label, report.values)
    assert wrong == [], [(k, canonical.flatten(label)[k], report.values[k]) for k in wrong]
    warned = {k for w in report.warnings for k in w.keys}
    assert set(missing) <= warned, sorted(set(missing) - warned)
    for key in missing:
        assert report.provenance[key].missing or not report.provenance[key].blank


@pytest.mark.parametrize(("doc", "label_path"), [_param(d, label) for d, label in DOCS])
def test_agency_year_and_template(doc: Path, label_path: Path) -> None:
    label = load_label(label_path)
    report = parsed(doc)
    assert report.year == label["year"]
    assert same_agency(label["agency"], report.agency), (label["agency"], report.agency)
    if label.get("template"):
        assert report.template == label["template"]


@pytest.mark.parametrize(("doc", "label_path"), [_param(d, label) for d, label in DOCS])
def test_record_is_valid_and_complete(doc: Path, label_path: Path) -> None:
    report = parsed(doc)
    record = report.to_json()
    jsonschema.validate(record, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert set(report.values) == set(canonical.ALL_KEYS) == set(report.provenance)
    warned = {k for w in report.warnings for k in w.keys}
    for key, value in report.values.items():
        src = report.provenance[key]
        if value is None and not src.blank:
            assert key in warned, f"{key} is empty without a warning"
        if value is not None and not src.inferred:
            assert src.raw, f"{key} has no raw token"
            assert src.location, f"{key} has no location"
        if src.inferred:
            assert value is not None


def test_printed_values_are_read_across_the_corpus() -> None:
    total = read = 0
    for doc, label_path in DOCS:
        if doc.suffix in NEEDS_SOFFICE and soffice_path() is None:
            continue
        label = load_label(label_path)
        lenient = set(label.get("x_lenient", []))
        values = parsed(doc).values
        for key, want in canonical.flatten(label).items():
            if want is None or key in lenient:
                continue
            total += 1
            read += values[key] is not None
    assert read / total >= 0.985, f"{read}/{total}"


def test_the_corpus_is_all_here() -> None:
    # 12 generated reports saved several ways, 2 real PDFs, and the five samples
    assert len(DOCS) >= 47
    assert (CORPUS / "unlabelled" / "002_huaian_hongze_qu_2024.pdf").exists()
