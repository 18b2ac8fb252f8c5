"""The real PDF without a label: every identity holds, or every cell it involves is explained."""

from __future__ import annotations

from reports import canonical
from reports.parsing import parse_document
from tests.parsing.helpers import CORPUS

PDF = CORPUS / "unlabelled" / "002_huaian_hongze_qu_2024.pdf"


def _num(values: dict, key: str) -> int:  # type: ignore[type-arg]
    return values[key] or 0


def _identities() -> list[tuple[str, list[str], str]]:
    """(name, parts, total) of R1 (as 一+二 vs （七）+四), R2, R3 and R4-R6."""
    out = []
    t3, t4 = canonical.t3, canonical.t4
    for c in canonical.TABLE3_COLUMN_KEYS:
        out.append((f"R3 {c}", [t3(r, c) for r in canonical.OUTCOME_ROW_KEYS], t3("total_processed", c)))
    for r in canonical.TABLE3_ROW_KEYS:
        out.append((f"R2 {r}", [t3(r, c) for c in canonical.APPLICANT_COLUMN_KEYS], t3(r, "total")))
    for b in canonical.TABLE4_BLOCK_KEYS:
        out.append((f"R4-6 {b}", [t4(b, c) for c in canonical.TABLE4_COLUMN_KEYS[:-1]], t4(b, "total")))
    return out


def test_unlabelled_pdf_reads_completely_and_balances() -> None:
    report = parse_document(PDF)
    values = report.values
    warned = {k for w in report.warnings for k in w.keys}
    assert report.year == 2024 and report.agency and "洪泽区" in report.agency
    assert report.template == "2021"
    assert report.sections_found == ("一", "二", "三", "四", "五", "六")
    for key, value in values.items():
        if value is None and not report.provenance[key].blank:
            assert key in warned, key
    for name, parts, total in _identities():
        balanced = sum(_num(values, k) for k in parts) == _num(values, total)
        assert balanced or set(parts + [total]) <= warned, name
    for c in canonical.TABLE3_COLUMN_KEYS:
        t3 = canonical.t3
        left = _num(values, t3("new_received", c)) + _num(values, t3("carried_over", c))
        right = _num(values, t3("total_processed", c)) + _num(values, t3("carried_forward", c))
        assert left == right, f"R1 {c}"
    inferred = [k for k, src in report.provenance.items() if src.inferred]
    assert all(values[k] is not None for k in inferred)
    assert set(inferred) <= warned
