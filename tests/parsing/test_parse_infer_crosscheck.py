"""Inference never hides a defect (issue 11): a cell is proved only where the identities cross-check it.

The tables are assembled cell by cell, as the readers do, then :func:`infer` runs and the rules check
the result, as ``check_reports --file`` does.
"""

from __future__ import annotations

from reports import canonical, rules
from reports.parsing.assemble import Assembly
from reports.parsing.infer import infer
from reports.parsing.normalize import parse_value
from reports.parsing.rows import Cell, Where
from reports.parsing.types import ParsedReport

T3 = canonical.t3
COLS = canonical.TABLE3_COLUMN_KEYS
# One applicant group is active: 7 new applications, 5 handled (3 granted, 1 partly, 1 not held), 2 carried on.
NP = {
    "new_received": 7,
    "carried_over": 0,
    "granted": 3,
    "partially_granted": 1,
    "unavailable_not_held": 1,
    "total_processed": 5,
    "carried_forward": 2,
}


def _table(overrides: dict[str, int] | None = None) -> dict[str, int]:
    """All 175 表三 cells and the 15 表四 cells of a consistent report (with ``overrides`` printed instead)."""
    values = dict.fromkeys(canonical.TABLE3_KEYS + canonical.TABLE4_KEYS, 0)
    for row, v in NP.items():
        values[T3(row, "natural_person")] = values[T3(row, "total")] = v
    values.update(overrides or {})
    return values


def _assemble(values: dict[str, int], unread: set[str]) -> Assembly:
    """Every cell read as printed, except ``unread``: found on the page (its row's label and line) but no
    number read there."""
    asm = Assembly()
    for i, key in enumerate(canonical.TABLE3_KEYS + canonical.TABLE4_KEYS):
        where = Where(line=40 + i // 7)
        if key in unread:
            asm.missing(key, "行", where)
        else:
            asm.read(key, Cell(str(values[key]), where), "行")
    return asm


def _errors(asm: Assembly) -> list[rules.Issue]:
    parsed = ParsedReport(
        source="t.txt", format="txt", sha256="", agency="某县某镇人民政府", year=2023, template="2021",
        values=dict(asm.values), provenance=dict(asm.provenance), warnings=tuple(asm.warnings),
    )  # fmt: skip
    return [i for i in rules.evaluate(rules.ReportFacts.from_parsed(parsed)) if i.severity == "error"]


def _codes(asm: Assembly) -> set[str]:
    return {w.code for w in asm.warnings}


# --------------------------------------------------------------------------------------------------
# A defect in the column of an unread cell


FORWARD = {T3("carried_forward", "natural_person"), T3("carried_forward", "total")}


def test_a_clean_report_gets_the_cross_checked_cells_inferred() -> None:
    """四 of 自然人 unread: R1 of its column proves it, and R2 of row 四 (its 总计 read) checks it."""
    unread = {T3("carried_forward", "natural_person")}
    asm = _assemble(_table(), unread)
    infer(asm)
    assert all(asm.values[k] == 2 and asm.provenance[k].inferred for k in unread)
    assert all("R1" in asm.provenance[k].rests_on and "R2" in asm.provenance[k].rests_on for k in unread)
    assert not _errors(asm)


def test_a_pair_proved_only_by_a_column_and_its_total_stays_unread() -> None:
    """四 of 自然人 and of 总计 unread: R1 of each column proves them, and R2 of row 四 agrees whatever the two
    R1s say, as long as they say it together. 一、本年新收 printed one too many in 自然人 and in 总计 (the usual
    shape of a report's mistake) breaks exactly those two: the proof would absorb it. So the clean report and
    the mis-added one read the same — neither is filled, both are named for a person to read."""
    mistake = {T3("new_received", "natural_person"): 8, T3("new_received", "total"): 8}
    for printed in (_table(), _table(mistake)):
        asm = _assemble(printed, FORWARD)
        infer(asm)
        assert all(asm.values[k] is None and not asm.provenance[k].inferred for k in FORWARD)
        assert "W_INFERENCE_UNCHECKED" in _codes(asm)


def test_a_defect_in_the_column_is_reported_and_the_cell_stays_unread() -> None:
    """（七）总计 printed one too many in 自然人 and 总计 (the outcomes add up to 5): R1 would prove 四 = 1
    in both columns, and R2 of row 四 would agree — a wrong number that looks right. It stays unread, and
    the rules report the broken R3."""
    printed = _table({T3("total_processed", "natural_person"): 6, T3("total_processed", "total"): 6})
    asm = _assemble(printed, FORWARD)
    infer(asm)
    assert all(asm.values[k] is None and not asm.provenance[k].inferred for k in FORWARD)
    assert "W_INFERENCE_NEAR_DEFECT" in _codes(asm)
    errors = _errors(asm)
    assert any(e.rule == "R3" and T3("total_processed", "natural_person") in e.keys for e in errors)


BLOCK = [canonical.t4("review", c) for c in canonical.TABLE4_COLUMN_KEYS]  # 维持 纠正 其他 尚未审结 总计


def test_a_cell_only_one_identity_proves_stays_unread() -> None:
    """表四 行政复议 结果维持 unread: R4 alone would prove it, and a mis-added 总计 would be absorbed. The clean
    report and the one whose 总计 is one too many read the same, so neither is filled."""
    for total in (2, 3):  # printed 维持 1 + 纠正 1 = 2; the second report mis-added its 总计
        values = _table({BLOCK[0]: 1, BLOCK[1]: 1, BLOCK[4]: total})
        asm = _assemble(values, {BLOCK[0]})
        infer(asm)
        assert asm.values[BLOCK[0]] is None and not asm.provenance[BLOCK[0]].inferred
        warned = [w for w in asm.warnings if w.code == "W_INFERENCE_UNCHECKED"]
        assert warned and BLOCK[0] in warned[0].keys and "R4" in warned[0].message


# --------------------------------------------------------------------------------------------------
# A row whose printed total is 0


NOT_HELD = T3("unavailable_not_held", "natural_person")
# 自然人 and 商业企业 both have granted and partly granted applications; those four cells are unread, so the two
# columns' R3 and the two rows' R2 leave them one degree of freedom: nothing fixes them.
OPEN = {T3(r, c) for r in ("granted", "partially_granted") for c in ("natural_person", "commercial")}
PRINTED = {
    ("granted", "natural_person"): 3, ("granted", "commercial"): 1, ("granted", "total"): 4,
    ("partially_granted", "natural_person"): 1, ("partially_granted", "commercial"): 1,
    ("partially_granted", "total"): 2,
}  # fmt: skip
for _row in ("new_received", "total_processed"):
    PRINTED |= {(_row, "natural_person"): 4, (_row, "commercial"): 2, (_row, "total"): 6}


def _zero_row(place_row: bool, loose: str | None = None) -> Assembly:
    """不掌握相关政府信息 prints 总计 0 and its 自然人 cell is unread: R2 proves it 0 on its own (counts are
    ≥ 0), and 自然人's R3 cannot check it (two of its other cells are open)."""
    values = dict.fromkeys(canonical.TABLE3_KEYS + canonical.TABLE4_KEYS, 0)
    values.update({T3(r, c): v for (r, c), v in PRINTED.items()})
    asm = _assemble(values, OPEN | {NOT_HELD})
    if not place_row:
        asm.provenance.pop(NOT_HELD)  # the row's cell was not found on the page at all
    if loose is not None:
        asm.loose_tokens["unavailable_not_held"] = [parse_value(loose)]
    return asm


def test_a_zero_row_the_page_shows_proves_its_unread_cell_zero() -> None:
    """The row is on the page and shows no number but 0: the unread cell shows 0 or nothing (§4.2)."""
    asm = _zero_row(place_row=True)
    infer(asm)
    assert asm.values[NOT_HELD] == 0 and asm.provenance[NOT_HELD].inferred


def test_a_zero_total_does_not_prove_a_cell_nothing_on_the_page_shows() -> None:
    """The row's cell was not found on the page: a 5 printed there would break R2 only, and proving 0 would
    hide it. It stays unread, with the reason."""
    asm = _zero_row(place_row=False)
    infer(asm)
    assert asm.values[NOT_HELD] is None
    assert any(w.code == "W_INFERENCE_UNCHECKED" and NOT_HELD in w.keys for w in asm.warnings)


def test_a_zero_total_does_not_prove_zero_where_the_row_printed_a_number() -> None:
    asm = _zero_row(place_row=True, loose="5")
    infer(asm)
    assert asm.values[NOT_HELD] is None
