"""Corpus documents converted the ways reports travel (tests/fixtures/variants/, see its README).

Every variant: no wrong cell, and every cell left empty where the label has a value is named by a
warning and not claimed blank. The portal pages printed by Chrome are read completely: their tables
are whole, only cut by page breaks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from reports import canonical
from reports.parsing import parse_document
from reports.parsing.types import ParsedReport
from tests.parsing.helpers import FIXTURES, compare, load_label

VARIANTS = FIXTURES / "variants"
DOCS = sorted(
    p for p in VARIANTS.iterdir() if p.suffix not in (".json", ".md", ".py") and p.with_suffix(".json").exists()
)
MAX_BYTES = 300 * 1024


@cache
def parsed(doc: Path) -> ParsedReport:
    return parse_document(doc)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_wrong_cell_and_every_missing_cell_warned(doc: Path) -> None:
    label = load_label(doc.with_suffix(".json"))
    report = parsed(doc)
    wrong, missing = compare(label, report.values)
    assert wrong == [], [(k, canonical.flatten(label)[k], report.values[k]) for k in wrong]
    warned = {k for w in report.warnings for k in w.keys}
    assert set(missing) <= warned, sorted(set(missing) - warned)
    for key in missing:
        assert not report.provenance[key].blank, key


# The Chrome prints keep the pages of 表三 (one also those of the end of 表二). The 210x230 print cuts 表三
# after （三）3: the rows it does not print were proved 0 by non-negativity alone, which would hide a broken
# R1 (issue 11), so they stay unread, warned.
_PRINTED_ROWS = canonical.TABLE3_ROW_KEYS[:7]
KEPT = {
    "r01_html__chrome_210x230.pdf": canonical.TABLE2_KEYS
    + tuple(k for r in _PRINTED_ROWS for k in canonical.keys_of_row(r))
}


@pytest.mark.parametrize("doc", [d for d in DOCS if d.suffix == ".pdf" and "__chrome_" in d.name], ids=lambda p: p.name)
def test_chrome_prints_read_the_tables_they_keep_completely(doc: Path) -> None:
    _, missing = compare(load_label(doc.with_suffix(".json")), parsed(doc).values)
    assert set(missing).isdisjoint(KEPT.get(doc.name, canonical.TABLE3_KEYS)), missing


def test_the_variants_are_small_and_each_has_its_label_and_its_line_in_the_readme() -> None:
    readme = (VARIANTS / "README.md").read_text(encoding="utf-8")
    assert len(DOCS) >= 10
    for doc in DOCS:
        assert doc.stat().st_size < MAX_BYTES, doc.name
        assert f"`{doc.name}`" in readme, doc.name
