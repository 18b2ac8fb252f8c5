"""Cross-cutting behaviour: blanks, messages, fingerprints, configuration, 2019 template, parsed input."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from reports import canonical as c
from reports.parsing.types import CellSource, ParsedReport
from reports.rules import (
    RULE_BY_CODE,
    Issue,
    ReportFacts,
    RuleConfig,
    SumEquals,
    evaluate,
    guess_agency_kind,
)
from tests.rules.helpers import base_facts, keys_of, perturb

t3, t4 = c.t3, c.t4
NP = "natural_person"
ROOT = Path(__file__).resolve().parents[2]


def small_report(**cells: int | None) -> ReportFacts:
    """A tiny report: 3 received + 9 carried over = 10 processed (予以公开) + 2 carried forward, in 自然人."""
    values: dict[str, int | Decimal | None] = dict.fromkeys(c.ALL_KEYS, 0)
    for row, n in (("new_received", 3), ("carried_over", 9), ("granted", 10), ("total_processed", 10)):
        values[t3(row, NP)] = values[t3(row, "total")] = n
    values[t3("carried_forward", NP)] = values[t3("carried_forward", "total")] = 2
    values.update({k.replace("__", "."): v for k, v in cells.items()})
    return ReportFacts(values=values, year=2023, template="2021")


def test_the_small_report_is_clean() -> None:
    assert evaluate(small_report()) == []


def test_r1_message_names_both_sides_and_the_delta() -> None:
    issue = next(i for i in evaluate(small_report(applications__carried_forward__natural_person=1)) if i.rule == "R1")
    assert issue.message.startswith("表三 自然人列：第一项+第二项=12，第三项+第四项=11（差 1）")
    assert (issue.expected, issue.actual) == (11, 12)


def test_blank_counts_as_zero_and_is_said() -> None:
    facts = small_report(applications__carried_forward__natural_person=None)
    r1 = [i for i in evaluate(facts) if i.rule == "R1"]
    assert [i.keys for i in r1] == [
        tuple(t3(r, NP) for r in ("new_received", "carried_over", "total_processed", "carried_forward"))
    ]
    assert "第三项+第四项=10" in r1[0].message and "1 格空白，按 0 计" in r1[0].message
    assert keys_of(evaluate(facts), "R21") == [(t3("carried_forward", NP),)]


def test_an_equation_with_all_cells_blank_is_not_an_error() -> None:
    blank_review = {t4("review", col): None for col in c.TABLE4_COLUMN_KEYS}
    issues = evaluate(perturb(small_report(), blank_review))
    assert keys_of(issues, "R4") == []
    assert keys_of(issues, "R21") == [tuple(blank_review)]


def test_blank_total_with_nonzero_parts_is_an_error() -> None:
    issues = evaluate(small_report(review_litigation__review__upheld=2))
    assert [i.keys for i in issues if i.rule == "R4"] == [tuple(t4("review", col) for col in c.TABLE4_COLUMN_KEYS)]


def test_r19_is_not_repeated_where_r1_already_fails() -> None:
    issues = evaluate(small_report(applications__total_processed__natural_person=20))
    assert keys_of(issues, "R1") and keys_of(issues, "R19") == []


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("若干", "不是数字"),
        (Decimal("2.5"), "应为整数"),
        (True, "不是数字"),
        (-3, "不能为负数"),
        (float("nan"), "不是数字"),
    ],
)
def test_r7_cell_types(value: object, fragment: str) -> None:
    key = t3("granted", "research")
    issues = evaluate(perturb(small_report(), {key: value}))
    r7 = [i for i in issues if i.rule == "R7"]
    assert [i.keys for i in r7] == [(key,)] and fragment in r7[0].message
    if fragment == "不是数字":
        # the unusable cell is R7's alone: no sum is computed with it
        assert not {i.rule for i in issues} & {"R1", "R2", "R3"}


def test_fee_amount_may_be_decimal_but_not_negative() -> None:
    assert keys_of(evaluate(perturb(small_report(), {c.FEES_KEY: Decimal("0.35")})), "R7") == []
    assert keys_of(evaluate(perturb(small_report(), {c.FEES_KEY: Decimal("-0.35")})), "R7") == [(c.FEES_KEY,)]


def test_integral_decimal_counts_are_accepted() -> None:
    # a stored report may hand counts over as Decimal
    facts = perturb(small_report(), {t3("granted", NP): Decimal("10"), t3("granted", "total"): Decimal("10.0")})
    assert evaluate(facts) == []


def test_fingerprint_is_stable_across_representations_and_changes_with_values() -> None:
    one = evaluate(small_report(applications__carried_forward__natural_person=1))
    same = evaluate(
        perturb(small_report(applications__carried_forward__natural_person=1), {t3("new_received", NP): Decimal("3")})
    )
    other = evaluate(small_report(applications__carried_forward__natural_person=0))
    fp = {i.rule: i.fingerprint for i in one}
    assert fp["R1"] == {i.rule: i.fingerprint for i in same}["R1"]
    assert fp["R1"] != {i.rule: i.fingerprint for i in other}["R1"]
    assert len({i.fingerprint for i in one}) == len(one)


def test_fingerprint_ignores_severity_configuration() -> None:
    facts = replace(base_facts(), published_on=date(2025, 3, 1))
    a = next(i for i in evaluate(facts) if i.rule == "R18")
    b = next(i for i in evaluate(facts, RuleConfig(r18_severity="error")) if i.rule == "R18")
    assert (a.severity, b.severity) == ("warning", "error") and a.fingerprint == b.fingerprint


def test_issue_to_json() -> None:
    facts = perturb(base_facts(), {c.FEES_KEY: Decimal("-1.5")})
    payload = [i.to_json() for i in evaluate(facts)]
    assert json.loads(json.dumps(payload, ensure_ascii=False)) == payload
    assert payload[0] == {
        "rule": "R7",
        "severity": "error",
        "keys": [c.FEES_KEY],
        "message": payload[0]["message"],
        "expected": None,
        "actual": -1.5,
        "fingerprint": payload[0]["fingerprint"],
    }


def test_deadline_configuration() -> None:
    facts = base_facts(published_on=date(2025, 2, 15))
    assert keys_of(evaluate(facts), "R18") == [()]
    assert keys_of(evaluate(facts, RuleConfig(deadline_month=2, deadline_day=20)), "R18") == []
    # the county government's own 本级 report: 3月31日 (条例 第四十九条)
    assert keys_of(evaluate(replace(facts, agency_kind="county_government")), "R18") == []
    assert keys_of(evaluate(replace(facts, published_on=None)), "R18") == []


def test_r8_severity_and_disabled_rules() -> None:
    facts = base_facts()
    chained = {t3("carried_forward", col): facts.values[t3("carried_over", col)] for col in c.TABLE3_COLUMN_KEYS}
    prev = perturb(replace(facts, year=2023), {**chained, t3("carried_forward", "total"): 0})
    facts = replace(facts, previous=prev)
    assert keys_of(evaluate(facts), "R8") == [(t3("carried_over", "total"),)]
    assert [i.severity for i in evaluate(facts, RuleConfig(r8_severity="error")) if i.rule == "R8"] == ["error"]
    assert keys_of(evaluate(facts, RuleConfig(disabled=frozenset({"R8"}))), "R8") == []


def test_previous_of_another_year_is_ignored() -> None:
    facts = base_facts()
    prev = perturb(replace(facts, year=2021), {t3("carried_forward", "total"): 0})
    assert keys_of(evaluate(replace(facts, previous=prev)), "R8") == []


def test_rulemaking_power_decides_r11() -> None:
    township = base_facts(agency_kind="township")
    assert keys_of(evaluate(township), "R11")
    assert keys_of(evaluate(replace(township, has_rulemaking_power=True)), "R11") == []
    assert keys_of(evaluate(base_facts()), "R11") == []  # unknown kind: skipped
    assert keys_of(evaluate(base_facts(has_rulemaking_power=False)), "R11")


def test_2019_template_cells_it_does_not_have_are_not_blanks() -> None:
    values = {**small_report().values, **dict.fromkeys(c.NOT_IN_2019), **dict.fromkeys(c.TABLE2_KEYS)}
    facts = ReportFacts(values=values, year=2020, template="2019")
    assert evaluate(facts) == []
    assert keys_of(evaluate(replace(facts, year=2022)), "R16") == [()]


def test_sections_out_of_order_is_a_warning() -> None:
    issues = [i for i in evaluate(base_facts(sections_found=("一", "二", "三", "五", "四", "六"))) if i.rule == "R15"]
    assert [(i.keys, i.severity) for i in issues] == [((), "warning")]


def test_a_wholly_blank_table_is_one_warning() -> None:
    facts = perturb(small_report(), dict.fromkeys(c.TABLE4_KEYS))
    issues = evaluate(facts)
    assert [(i.keys, i.severity) for i in issues if i.rule == "R15"] == [(c.TABLE4_KEYS, "warning")]
    assert keys_of(issues, "R21") == []


def test_the_only_total_printed_layout_is_one_info() -> None:
    facts = perturb(small_report(), {k: None for k in c.TABLE3_KEYS if not k.endswith(".total")})
    r21 = [i for i in evaluate(facts) if i.rule == "R21"]
    assert len(r21) == 1 and len(r21[0].keys) == 25 * 6


def parsed_report(**kwargs: object) -> ParsedReport:
    values = dict(small_report().values)
    defaults: dict[str, object] = {
        "source": "x.txt",
        "format": "txt",
        "sha256": "0" * 64,
        "agency": "某某乡人民政府",
        "year": 2023,
        "template": "2021",
        "values": values,
    }
    defaults.update(kwargs)
    return ParsedReport(**defaults)  # type: ignore[arg-type]


def test_from_parsed_separates_missing_cells_from_blank_ones() -> None:
    missing_key, blank_key = t3("granted", "research"), t3("granted", "commercial")
    values = {**small_report().values, missing_key: None, blank_key: None}
    provenance = {missing_key: CellSource(missing=True), blank_key: CellSource(raw="", blank=True)}
    facts = ReportFacts.from_parsed(parsed_report(values=values, provenance=provenance), agency_kind="township")
    assert facts.source_kind == "parsed" and facts.missing_keys == frozenset({missing_key})
    assert facts.sections_found is None and facts.is_government is True
    issues = evaluate(facts)
    assert [(i.keys, i.severity) for i in issues if i.rule == "R15"] == [((missing_key,), "warning")]
    assert keys_of(issues, "R21") == [(blank_key,)]


def missing(facts: ReportFacts, *keys: str) -> ReportFacts:
    return replace(perturb(facts, dict.fromkeys(keys)), missing_keys=frozenset(keys))


def test_unread_cells_are_unknown_not_zero() -> None:
    # 结转下年度 could not be read: R1 cannot be checked, and must not claim 12 ≠ 10
    facts = missing(small_report(), t3("carried_forward", NP), t3("carried_forward", "total"))
    issues = evaluate(facts)
    assert {i.rule for i in issues if i.severity == "error"} == set()
    assert [i.keys for i in issues if i.rule == "R15"] == [(t3("carried_forward", NP), t3("carried_forward", "total"))]
    assert keys_of(issues, "R21") == []


def test_unread_cells_still_bound_the_sum() -> None:
    # 予以公开 12 alone already exceeds the (七)总计 10, whatever the unread rows hold
    facts = missing(small_report(), t3("partially_granted", NP))
    facts = perturb(facts, {t3("granted", NP): 12, t3("granted", "total"): 12})
    r3 = [i for i in evaluate(facts) if i.rule == "R3"]
    assert [i.keys[-1] for i in r3] == [t3("total_processed", NP), t3("total_processed", "total")]
    assert "1 格未能读出" in r3[0].message and "已达 12" in r3[0].message


def test_r19_checks_what_r1_cannot() -> None:
    facts = missing(small_report(), t3("carried_forward", NP))
    facts = perturb(facts, {t3("total_processed", NP): 13, t3("granted", NP): 13})
    assert keys_of(evaluate(facts), "R19") == [
        (t3("new_received", NP), t3("carried_over", NP), t3("total_processed", NP))
    ]


def test_text_is_not_compared_with_an_unread_cell() -> None:
    facts = replace(missing(base_facts(), c.t4("review", "total")), sections={"overview": "行政复议 350 件。"})
    assert keys_of(evaluate(facts), "R12") == []


def test_a_spreadsheet_has_no_narrative_to_check() -> None:
    parsed = parsed_report(format="xlsx", sections_found=("二", "三", "四"), sections={"preamble": "某某乡"})
    facts = ReportFacts.from_parsed(parsed)
    assert facts.sections_found is None and facts.sections == {}
    assert evaluate(facts) == []


def test_from_parsed_keeps_structure_and_dates() -> None:
    parsed = parsed_report(
        sections_found=("一", "二", "三", "四", "六"),
        publication_date=date(2024, 3, 1),
        title="某某乡政府信息公开工作年度报告",
        printed_subtotals={"applications.other_subtotal.total": 1},
    )
    issues = evaluate(ReportFacts.from_parsed(parsed))
    assert {(i.rule, i.severity) for i in issues} >= {("R15", "error"), ("R18", "warning"), ("R17", "warning")}
    assert ("applications.other_subtotal.total", *(t3(r, "total") for r in c.GROUPS["other"][1])) in keys_of(
        issues, "R14"
    )


def test_from_record_reads_a_parsed_report_json() -> None:
    parsed = parsed_report(title="某某乡2023年政府信息公开工作年度报告", publication_date=date(2024, 1, 20))
    facts = ReportFacts.from_record(json.loads(json.dumps(parsed.to_json(), ensure_ascii=False)))
    assert facts.values == ReportFacts.from_parsed(parsed).values
    assert (facts.year, facts.title, facts.published_on) == (2023, parsed.title, date(2024, 1, 20))


def test_guess_agency_kind() -> None:
    assert guess_agency_kind("张掖市甘州区北苑街道办事处") == "township"
    assert guess_agency_kind("安远县版石镇人民政府") == "township"
    assert guess_agency_kind("洪泽区人民政府") == "county_government"
    assert guess_agency_kind("永和县人力资源和社会保障局") == "department"
    assert guess_agency_kind("淮安市人民政府") is None  # 设区的市 or 县级市: cannot tell
    assert guess_agency_kind("国家税务总局") is None


def test_equations_are_declared_from_canonical() -> None:
    r1 = RULE_BY_CODE["R1"].equations
    assert len(r1) == 7 and all(isinstance(eq, SumEquals) for eq in r1)
    assert len(RULE_BY_CODE["R2"].equations) == 25 and len(RULE_BY_CODE["R3"].equations) == 7
    assert all(len(eq.right) == len(c.OUTCOME_ROW_KEYS) for eq in RULE_BY_CODE["R3"].equations)


def test_issue_is_frozen() -> None:
    issue = evaluate(small_report(applications__carried_forward__natural_person=1))[0]
    assert isinstance(issue, Issue)
    with pytest.raises(AttributeError):
        issue.rule = "R0"  # type: ignore[misc]


def test_rules_module_imports_no_django() -> None:
    code = "import sys, reports.rules; print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
