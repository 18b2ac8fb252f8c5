"""Text rules on the real sample texts and on the wording variants real reports use.

The samples are split into sections here with the heading pattern of FORMAT.md §7 — independently of
the parser — so the text rules are tested on real prose whether or not the parser is finished.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from reports import canonical as c
from reports.rules import ReportFacts, evaluate
from tests.rules.helpers import CLEAN_SECTIONS, FIXTURES, base_facts, keys_of, load_label, perturb, with_text

HEADING = re.compile(
    r"^\s*(?:[一二三四五六]|[1-6])[、.．]\s*(?:政府信息公开工作)?(?P<h>总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况"
    r"|政府信息公开行政复议、?行政诉讼情况|存在的主要问题及改进(?:情况|措施)|其他需要报告的事项)",
    re.MULTILINE,
)
SECTION_OF = {"总体情况": "overview", "其他需要报告的事项": "other"}


def sample_facts(stem: str) -> ReportFacts:
    text = (FIXTURES / "samples" / f"{stem}.txt").read_text(encoding="utf-8")
    heads = list(HEADING.finditer(text))
    assert len(heads) == 6
    sections = {"preamble": text[: heads[0].start()]}
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        key = "problems" if head["h"].startswith("存在") else SECTION_OF.get(head["h"])
        if key:
            sections[key] = text[head.end() : nxt.start() if nxt else len(text)]
    label = load_label(FIXTURES / "expected" / f"{stem}.json")
    return ReportFacts.from_record(label, sections=sections, sections_found=("一", "二", "三", "四", "五", "六"))


SAMPLES = sorted(p.stem for p in (FIXTURES / "samples").glob("*.txt"))


def sample(prefix: str) -> str:
    return next(s for s in SAMPLES if s.startswith(prefix))


@pytest.mark.parametrize("stem", SAMPLES)
def test_samples_have_no_error_and_no_false_text_alarm(stem: str) -> None:
    issues = evaluate(sample_facts(stem))
    assert [i.message for i in issues if i.severity == "error"] == []
    assert keys_of(issues, "R12") == []  # every figure the samples quote agrees with their tables


@pytest.mark.parametrize(
    ("prefix", "fires"), [("000", False), ("001", False), ("002", True), ("003", True), ("004", True)]
)
def test_fee_statement(prefix: str, fires: bool) -> None:
    # 003/004 say only "无。"; 002 cites 国办函〔2020〕109号 but its sentence stops before stating anything.
    issues = [i for i in evaluate(sample_facts(sample(prefix))) if i.rule == "R13"]
    assert [(i.keys, i.severity) for i in issues] == ([((), "warning")] if fires else [])


@pytest.mark.parametrize(
    ("prefix", "fires"), [("000", False), ("001", False), ("002", True), ("003", False), ("004", True)]
)
def test_statistics_period(prefix: str, fires: bool) -> None:
    # 000 writes "从2023年1月1日至12月31日", 001/003 "自…起至…止"; 002 and 004 have no preamble.
    issues = [i for i in evaluate(sample_facts(sample(prefix))) if i.rule == "R17"]
    assert len(issues) == int(fires)
    assert all("统计期限" in i.message for i in issues)


def test_stale_key_points_citation_of_sample_001() -> None:
    issues = [i for i in evaluate(sample_facts(sample("001"))) if i.rule == "R23"]
    assert len(issues) == 1 and "2021年政务公开工作要点" in issues[0].message


def test_stock_flow_of_sample_001() -> None:
    issues = evaluate(sample_facts(sample("001")))
    assert keys_of(issues, "R10") == [
        tuple(f"active_disclosure.normative_documents.{col}" for col in ("issued", "repealed", "in_force"))
    ]


def test_fee_severity_is_configurable() -> None:
    from reports.rules import RuleConfig

    facts = sample_facts(sample("004"))
    issues = evaluate(facts, RuleConfig(fee_statement_severity="error"))
    assert [i.severity for i in issues if i.rule == "R13"] == ["error"]


# --- R12: text against tables --------------------------------------------------------------------

NEW_TOTAL = c.t3("new_received", "total")


def overview_says(text: str, **changes: object) -> list[tuple[str, ...]]:
    facts = with_text(perturb(base_facts(), changes) if changes else base_facts(), overview=text)
    return keys_of(evaluate(facts), "R12")


def test_no_application_statement_against_table() -> None:
    assert overview_says("2024年我市未收到政府信息公开申请。") == [(NEW_TOTAL,)]
    zero = {k: 0 for k in c.TABLE3_KEYS}
    assert overview_says("2024年我市未收到政府信息公开申请。", **zero) == []


def test_no_application_statement_in_section_six_counts_too() -> None:
    facts = with_text(base_facts(), other=CLEAN_SECTIONS["other"] + "本机关2024年未收到政府信息公开申请。")
    assert keys_of(evaluate(facts), "R12") == [(NEW_TOTAL,)]


def test_yearly_total_wording_is_compared() -> None:
    assert overview_says("全年累计受理政府信息公开申请 3120 件。") == [(NEW_TOTAL,)]
    assert overview_says("全年累计受理政府信息公开申请 3119 件。") == []


def test_review_and_litigation_figures() -> None:
    assert overview_says("政府信息公开行政复议 350 件。") == [(c.t4("review", "total"),)]
    assert overview_says("政府信息公开行政复议 351 件；政府信息公开行政诉讼 46 件。") == []
    both = (c.t4("litigation_direct", "total"), c.t4("litigation_after_review", "total"))
    assert overview_says("政府信息公开行政诉讼 47 件。") == [both]
    assert overview_says("全年未发生因政府信息公开引起的行政复议、行政诉讼。") == [(c.t4("review", "total"),), both]


def test_punishment_figure_but_not_a_publication_count() -> None:
    assert overview_says("全年作出行政处罚决定 12 件。") == [("active_disclosure.punishment.decisions",)]
    # "行政处罚信息1条" (sample 000) counts published items, not decisions: not compared.
    assert overview_says("通过政府门户网站公开行政处罚信息1条。") == []


@pytest.mark.parametrize(
    "text",
    [
        "2023年受理政府信息公开申请 20 件。",  # another year
        "比上年多受理政府信息公开申请 119 件。",  # a comparison, not this year's figure
        "共受理政府信息公开申请 3153 件（含上年结转 34 件）。",  # 新收 + 结转 also agrees
        "受理政府信息公开申请 3,119 件。",  # thousands separator
    ],
)
def test_conservative_text_matching(text: str) -> None:
    assert overview_says(text) == []


def test_a_review_application_is_not_an_information_application() -> None:
    # compared with 表四 行政复议 (351), never with 表三 新收
    assert overview_says("收到行政复议申请 5 件。") == [(c.t4("review", "total"),)]


def test_figures_split_across_pdf_lines() -> None:
    assert overview_says("政府信息公开行政复议 35\n1 件。") == []
    assert overview_says("政府信息公开行政复议 35\n0 件。") == [(c.t4("review", "total"),)]


# --- R13, R17: variants ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        "2023年度我镇无收取信息处理费的情况。",
        "本机关未收取信息处理费。",
        "依申请公开均未收取任何费用。",
        "全年收取政府信息公开信息处理费 0 元。",
        "（二）收取信息处理费情况：2025年全市实际收取信息处理费共计400元。",
    ],
)
def test_fee_statements_accepted(other: str) -> None:
    facts = with_text(perturb(base_facts(), {c.t3("other_unpaid_fee", "total"): 0}), other=other)
    assert keys_of(evaluate(facts), "R13") == []


def test_fee_statement_inconsistent_with_unpaid_fee_row() -> None:
    unpaid = c.t3("other_unpaid_fee", "total")
    facts = with_text(base_facts(), other="本机关未发出收费通知，未收取信息处理费。")
    issues = [i for i in evaluate(facts) if i.rule == "R13"]
    assert [i.keys for i in issues] == [(unpaid,)] and "收费通知" in issues[0].message


def test_fee_rule_does_not_apply_before_2021() -> None:
    facts = with_text(base_facts(year=2020, template="2019"), other="无。")
    assert keys_of(evaluate(facts), "R13") == []


@pytest.mark.parametrize(
    ("preamble", "fires"),
    [
        ("本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。", False),
        ("本报告统计数据从2024年1月1日至12月31日。", False),
        ("本报告所列数据统计期限为2024年度。", False),
        ("本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。", True),
        ("本报告统计期限自2024年1月1日至2024年6月30日。", True),
    ],
)
def test_statistics_period_variants(preamble: str, fires: bool) -> None:
    issues = [i for i in evaluate(with_text(base_facts(), preamble=preamble)) if i.rule == "R17"]
    assert len(issues) == int(fires)


def test_unrelated_date_ranges_are_not_a_period() -> None:
    text = "本报告统计期限自2024年1月1日至2024年12月31日。2024年3月1日至3月31日开展专项检查。"
    assert keys_of(evaluate(with_text(base_facts(), preamble=text)), "R17") == []


@pytest.mark.parametrize(
    ("title", "fires"),
    [
        ("二塘乡政府信息公开工作年度报告", True),  # sample 004: no year
        ("淮安市人民政府2023年政府信息公开工作年度报告", True),  # wrong year
        ("淮安市人民政府二〇二四年政府信息公开工作年度报告", False),
        ("淮安市人民政府2024 年政府信息公开工作\n年度报告", False),
    ],
)
def test_title_year(title: str, fires: bool) -> None:
    assert len(keys_of(evaluate(base_facts(title=title)), "R17")) == int(fires)


def test_text_rules_skip_without_narrative() -> None:
    facts = replace(base_facts(), sections={k: "" for k in ("preamble", "overview", "problems", "other")})
    codes = {i.rule for i in evaluate(facts)}
    assert not codes & {"R12", "R13", "R17", "R23", "R24", "R25"}
