"""Building blocks for the rule tests: a clean real report to perturb, and a clean narrative.

The base is the labelled 淮安市人民政府 2024 report (tests/fixtures/corpus/real): every cell printed,
non-trivial figures, and every identity holds (its x_note says so; test_corpus checks it).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from reports import canonical as c
from reports.rules import Issue, ReportFacts, Value

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASE_LABEL = FIXTURES / "corpus" / "real" / "003_huaian_shi_2024.json"

LABEL_FILES: tuple[Path, ...] = tuple(
    sorted((FIXTURES / "expected").glob("*.json")) + sorted((FIXTURES / "corpus").rglob("*.json"))
)


def load_label(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def base_facts(**overrides: Any) -> ReportFacts:
    return ReportFacts.from_record(load_label(BASE_LABEL), **overrides)


def perturb(facts: ReportFacts, changes: dict[str, Value | object]) -> ReportFacts:
    """A copy of ``facts`` with some cells changed (the original is left alone)."""
    unknown = set(changes) - set(c.ALL_KEYS)
    assert not unknown, unknown
    return replace(facts, values={**facts.values, **changes})


def add(facts: ReportFacts, key: str, delta: int) -> ReportFacts:
    value = facts.values[key]
    assert isinstance(value, int)
    return perturb(facts, {key: value + delta})


def keys_of(issues: list[Issue], code: str) -> list[tuple[str, ...]]:
    return [i.keys for i in issues if i.rule == code]


# A clean narrative matching the base report's figures, modelled on the real report's wording.
CLEAN_SECTIONS: dict[str, str] = {
    "preamble": (
        "本报告由淮安市人民政府办公室根据《中华人民共和国政府信息公开条例》规定编制。"
        "报告所列统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日。"
    ),
    "overview": (
        "（一）主动公开情况。2024 年，市政府网站主动公开各类政府信息 5500 余条。\n"
        "（二）依申请公开情况。2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，"
        "另有 103 件顺延到下年度答复）。政府信息公开行政复议 351\n件，其中结果维持 72 件；政府信息公开行政诉讼 46 件。\n"
        "（三）政府信息管理情况。坚持“先审查、后公开”。\n"
        "（四）政府信息公开平台建设情况。优化政务公开专栏设置。\n"
        "（五）政府信息公开监督保障情况。全年组织 4 次检查。"
    ),
    "problems": (
        "对照上级新要求和公众新期待，还有一些不足：一是政策解读形式不够丰富，二是基层政务公开标准化规范化水平有待提高。"
        "下一步，我们将丰富解读形式，推动基层政务公开标准化规范化建设，加强业务培训，全面提升政务公开工作队伍水平。"
    ),
    "other": (
        "（一）2024年政务公开工作要点落实情况。按照《2024年政务公开工作要点》逐项落实。"
        "（二）2024 年，市政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费 3940 元。"
    ),
}
ALL_SECTIONS = ("一", "二", "三", "四", "五", "六")
CLEAN_TITLE = "淮安市人民政府2024年政府信息公开工作年度报告"


def with_text(facts: ReportFacts, **sections: str) -> ReportFacts:
    return replace(facts, sections={**CLEAN_SECTIONS, **sections})


def clean_full_facts(**overrides: Any) -> ReportFacts:
    """The base report with its narrative, title and structure: no issue at all."""
    return replace(
        base_facts(),
        sections=dict(CLEAN_SECTIONS),
        sections_found=ALL_SECTIONS,
        title=CLEAN_TITLE,
        **overrides,
    )
