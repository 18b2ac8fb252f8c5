"""One parametrised test per rule: a report that passes and a report that fails, with the exact keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pytest

from reports import canonical as c
from reports.rules import RULE_BY_CODE, RULES, ReportFacts, evaluate
from tests.rules.helpers import (
    ALL_SECTIONS,
    CLEAN_SECTIONS,
    add,
    base_facts,
    clean_full_facts,
    keys_of,
    perturb,
    with_text,
)

t3, t4 = c.t3, c.t4
NP, TOT = "natural_person", "total"


def column(rows: tuple[str, ...], col: str) -> tuple[str, ...]:
    return tuple(t3(r, col) for r in rows)


def block(name: str) -> tuple[str, ...]:
    return tuple(t4(name, col) for col in ("upheld", "corrected", "other", "pending", "total"))


def stock(row: str) -> tuple[str, ...]:
    return tuple(f"active_disclosure.{row}.{col}" for col in ("issued", "repealed", "in_force"))


def previous_year(facts: ReportFacts, changes: dict[str, object] | None = None, **fields: object) -> ReportFacts:
    """The same agency's report for the year before: by default figures that chain correctly."""
    prev = perturb(
        replace(facts, year=2023, previous=None),
        {
            **{t3("carried_forward", col): facts.values[t3("carried_over", col)] for col in c.TABLE3_COLUMN_KEYS},
            "active_disclosure.regulations.in_force": 10,  # 10 + 1 − 0 = 11
            "active_disclosure.normative_documents.in_force": 84,  # 84 + 8 − 26 = 66
            t3("granted", NP): 1000,  # differs from this year: not a copy
            "active_disclosure.licensing.decisions": 400000,
            **(changes or {}),
        },
    )
    return replace(prev, **fields)


def with_previous(changes: dict[str, object] | None = None, **fields: object) -> ReportFacts:
    facts = base_facts()
    return replace(facts, previous=previous_year(facts, changes, **fields))


def r19_failing() -> ReportFacts:
    # R1 still balances (3035 = 3140 + (−105)) because 结转下年度 is impossible: only R19 (and R7) see it.
    return perturb(base_facts(), {t3("total_processed", NP): 3140, t3("carried_forward", NP): -105})


def all_zero_applications() -> ReportFacts:
    return perturb(base_facts(), dict.fromkeys(c.TABLE3_KEYS, 0))


def r22_copy() -> ReportFacts:
    facts = base_facts()
    return replace(facts, previous=replace(facts, year=2023, previous=None))


SIMILAR_PROBLEMS = CLEAN_SECTIONS["problems"].replace("2024", "2023")


@dataclass(frozen=True)
class Case:
    code: str
    severity: str
    passing: Callable[[], ReportFacts]
    failing: Callable[[], ReportFacts]
    keys: list[tuple[str, ...]]

    def __str__(self) -> str:
        return self.code


R1_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")
WITHHELD = c.GROUPS["withheld"][1]

CASES: tuple[Case, ...] = (
    Case(
        "R1",
        "error",
        base_facts,
        # one more application received, in 自然人 and in 总计: each row still adds up, the columns do not
        lambda: add(add(base_facts(), t3("new_received", NP), 1), t3("new_received", TOT), 1),
        [column(R1_ROWS, NP), column(R1_ROWS, TOT)],
    ),
    Case(
        "R2",
        "error",
        base_facts,
        lambda: add(base_facts(), t3("granted", "commercial"), 1),
        [c.keys_of_row("granted")],
    ),
    Case(
        "R3",
        "error",
        base_facts,
        lambda: add(add(base_facts(), t3("granted", NP), 1), t3("granted", TOT), 1),
        [column((*c.OUTCOME_ROW_KEYS, "total_processed"), NP), column((*c.OUTCOME_ROW_KEYS, "total_processed"), TOT)],
    ),
    Case("R4", "error", base_facts, lambda: add(base_facts(), t4("review", TOT), -1), [block("review")]),
    Case(
        "R5",
        "error",
        base_facts,
        lambda: add(base_facts(), t4("litigation_direct", "pending"), 1),
        [block("litigation_direct")],
    ),
    Case(
        "R6",
        "error",
        base_facts,
        lambda: add(base_facts(), t4("litigation_after_review", TOT), 1),
        [block("litigation_after_review")],
    ),
    Case(
        "R7",
        "error",
        base_facts,
        lambda: perturb(base_facts(), {t3("granted", "research"): -1}),
        [(t3("granted", "research"),)],
    ),
    Case(
        "R8",
        "warning",
        with_previous,
        lambda: with_previous({t3("carried_forward", NP): 30, t3("carried_forward", TOT): 30}),
        [(t3("carried_over", NP),), (t3("carried_over", TOT),)],
    ),
    Case(
        "R9",
        "warning",
        with_previous,
        lambda: with_previous({"active_disclosure.normative_documents.in_force": 80}),
        [stock("normative_documents")],
    ),
    Case(
        "R10",
        "warning",
        base_facts,
        lambda: perturb(base_facts(), {"active_disclosure.regulations.in_force": 0}),
        [stock("regulations")],
    ),
    Case(
        "R11",
        "warning",
        lambda: perturb(base_facts(agency_kind="township"), dict.fromkeys(stock("regulations"), 0)),
        lambda: base_facts(agency_kind="township"),
        [("active_disclosure.regulations.issued", "active_disclosure.regulations.in_force")],
    ),
    Case(
        "R12",
        "warning",
        lambda: with_text(base_facts()),
        lambda: with_text(base_facts(), overview=CLEAN_SECTIONS["overview"].replace("3119", "3120")),
        [(t3("new_received", TOT),)],
    ),
    Case(
        "R13",
        "warning",
        lambda: with_text(base_facts()),
        lambda: with_text(base_facts(), other="2024年政务公开工作要点落实情况：逐项落实。"),
        [(t3("other_unpaid_fee", TOT),)],  # 6 applications ended for an unpaid fee: the statement matters
    ),
    Case(
        "R14",
        "error",
        lambda: replace(base_facts(), printed_subtotals={"applications.withheld_subtotal.natural_person": 176}),
        lambda: replace(base_facts(), printed_subtotals={"applications.withheld_subtotal.natural_person": 175}),
        [("applications.withheld_subtotal.natural_person", *column(WITHHELD, NP))],
    ),
    Case(
        "R15",
        "error",
        lambda: replace(base_facts(), sections_found=ALL_SECTIONS),
        lambda: replace(base_facts(), sections_found=("一", "二", "三", "四", "六")),
        [()],
    ),
    Case("R16", "error", base_facts, lambda: base_facts(template="2019"), [()]),
    Case(
        "R17",
        "warning",
        lambda: base_facts(title="淮安市人民政府2024年政府信息公开工作年度报告"),
        lambda: base_facts(title="淮安市人民政府政府信息公开工作年度报告"),
        [()],
    ),
    Case(
        "R18",
        "warning",
        lambda: base_facts(published_on=date(2025, 1, 31)),
        lambda: base_facts(published_on=date(2025, 2, 1)),
        [()],
    ),
    Case(
        "R19",
        "error",
        lambda: perturb(base_facts(), {t3("total_processed", NP): 3035, t3("carried_forward", NP): 0}),
        r19_failing,
        [column(("new_received", "carried_over", "total_processed"), NP)],
    ),
    Case(
        "R20",
        "info",
        base_facts,
        all_zero_applications,
        [(t3("new_received", TOT), t3("carried_over", TOT), *(t4(b, TOT) for b in c.TABLE4_BLOCK_KEYS))],
    ),
    Case(
        "R21",
        "info",
        base_facts,
        lambda: perturb(base_facts(), {t3("granted", "research"): None, t3("granted", "social_welfare"): None}),
        [(t3("granted", "research"), t3("granted", "social_welfare"))],
    ),
    Case(
        "R22",
        "warning",
        with_previous,
        r22_copy,
        [
            tuple(k for k in c.TABLE2_KEYS if base_facts().values[k] != 0),
            tuple(k for k in c.TABLE3_KEYS if base_facts().values[k] != 0),
        ],
    ),
    Case(
        "R23",
        "warning",
        lambda: with_text(base_facts()),
        lambda: with_text(base_facts(), other=CLEAN_SECTIONS["other"].replace("《2024年", "《2022年")),
        [()],
    ),
    Case(
        "R24",
        "info",
        lambda: with_text(base_facts()),
        lambda: with_text(base_facts(), overview="全年主动公开政府信息5500余条，依申请公开工作规范有序。"),
        [()],
    ),
    Case(
        "R25",
        "info",
        lambda: with_text(base_facts(is_government=True)),
        lambda: with_text(base_facts(is_government=True), other="全年收取政府信息公开信息处理费 3940 元。"),
        [()],
    ),
    Case("R26", "warning", base_facts, lambda: base_facts(named_as="永和县人社局"), [()]),
)


def test_every_rule_has_a_case() -> None:
    assert sorted(case.code for case in CASES) == sorted(RULE_BY_CODE)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(case: Case) -> None:
    passing = evaluate(case.passing())
    assert keys_of(passing, case.code) == [], [i.message for i in passing if i.rule == case.code]

    issues = [i for i in evaluate(case.failing()) if i.rule == case.code]
    assert [i.keys for i in issues] == case.keys, [i.message for i in issues]
    assert {i.severity for i in issues} == {case.severity}
    assert all(i.message for i in issues)


def test_rules_are_evaluated_in_the_order_of_format_md() -> None:
    codes = [r.code for r in RULES]
    assert codes[:8] == ["R7", "R2", "R3", "R1", "R4", "R5", "R6", "R14"]
    assert codes.index("R8") < codes.index("R12") and codes.index("R9") < codes.index("R13")


def test_clean_report_with_narrative_has_no_issue() -> None:
    assert evaluate(clean_full_facts(published_on=date(2025, 1, 20))) == []


def test_similar_problems_section_is_a_copy() -> None:
    facts = with_text(base_facts(), problems=CLEAN_SECTIONS["problems"])
    prev = replace(previous_year(facts), sections={"problems": SIMILAR_PROBLEMS})
    issues = [i for i in evaluate(replace(facts, previous=prev)) if i.rule == "R22"]
    assert [(i.keys, i.severity) for i in issues] == [((), "warning")]
    assert "相似度" in issues[0].message

    rewritten = replace(prev, sections={"problems": "本年度主要问题是信息发布不够及时，栏目更新慢。" * 3})
    assert keys_of(evaluate(replace(facts, previous=rewritten)), "R22") == []
