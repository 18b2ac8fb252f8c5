"""Damaged text may lose cells, never misplace one.

Labelled text documents are damaged inside their tables — lines deleted, labels wiped off value lines,
lines duplicated, page breaks removed (text pasted out of a viewer) — and parsed again. The label is
still the truth of the report behind the text: any value that differs from it is a misreading.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.parsing import ParseError, parse_document, read_document
from reports.parsing.textgrid import find_regions
from tests.parsing.helpers import compare, labelled_documents, load_label

TEXTS = [(d, label) for d, label in labelled_documents() if d.suffix == ".txt"]


def _damage(text: str, table_lines: range, picks: list[int], how: str) -> str:
    lines = text.split("\n")
    targets = sorted({table_lines[p % len(table_lines)] for p in picks}, reverse=True)
    for i in targets:
        if how == "delete":
            del lines[i]
        elif how == "wipe_label":
            lines[i] = "\t".join(
                f if f.strip().replace(".", "", 1).isdigit() or not f.strip() else "" for f in lines[i].split("\t")
            )
        elif how == "duplicate":
            lines.insert(i, lines[i])
    out = "\n".join(lines)
    return out.replace("\f", "") if how == "no_page_breaks" else out


@settings(max_examples=120, deadline=None, derandomize=True)
@given(
    which=st.integers(0, len(TEXTS) - 1),
    table=st.sampled_from(["t2", "t3", "t4"]),
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3),
    how=st.sampled_from(["delete", "wipe_label", "duplicate", "no_page_breaks"]),
)
def test_damaged_text_is_never_misread(which: int, table: str, picks: list[int], how: str) -> None:
    doc_path, label_path = TEXTS[which]
    text = doc_path.read_text(encoding="utf-8")
    regions = find_regions(list(read_document(text.encode("utf-8"), "txt").lines))
    start, end = regions.get(table, (0, 1))
    damaged = _damage(text, range(start, end), picks, how)
    try:
        report = parse_document(damaged.encode("utf-8"), doc_path.name)
    except ParseError:
        return
    wrong, _ = compare(load_label(label_path), report.values)
    assert wrong == [], (doc_path.name, how, wrong)
