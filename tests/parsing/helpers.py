"""Shared by the parser tests: the labelled documents, label comparison, and text renderers.

Comparison follows ../shared/tools/score.py: a cell is wrong when the parser holds a value that
differs from the label, missing when it holds nothing where the label has a value; cells the label
lists in ``x_lenient`` accept null or the label's value (0 when the label is null).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from reports import canonical

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLES = FIXTURES / "samples"
EXPECTED = FIXTURES / "expected"
CORPUS = FIXTURES / "corpus"
SCHEMA = FIXTURES / "annual-report.schema.json"


def labelled_documents() -> list[tuple[Path, Path]]:
    """Every document with a label: the five samples and the labelled corpus."""
    docs = [(p, EXPECTED / f"{p.stem}.json") for p in sorted(SAMPLES.glob("*.txt"))]
    for path in sorted(CORPUS.glob("*/*")):
        if path.suffix in (".json", ".md"):
            continue
        label = path.with_suffix(".json")
        if label.exists():
            docs.append((path, label))
    return docs


def load_label(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(str(a)) - Decimal(str(b))) < Decimal("0.000001")


def compare(label: Mapping[str, Any], values: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(wrong keys, missing keys) of parsed ``values`` against a label, with score.py's leniency."""
    expected = canonical.flatten(label)
    lenient = set(label.get("x_lenient", []))
    wrong, missing = [], []
    for key, want in expected.items():
        got = values.get(key)
        if _same(got, want):
            continue
        if key in lenient and (got is None or _same(got, want if want is not None else 0)):
            continue
        (missing if got is None else wrong).append(key)
    return wrong, missing


def same_agency(label: str | None, got: str | None) -> bool:
    def norm(a: str | None) -> str:
        return re.sub(r"(人民政府|政府)$", "", re.sub(r"\s+", "", a or ""))

    a, b = norm(label), norm(got)
    return bool(a) and bool(b) and (a in b or b in a)


# ---------------------------------------------------------------------------------------------------
# Rendering a report as text, in the layouts of the samples


T2_ROWS = (
    ("规章", ("regulations", ("issued", "repealed", "in_force"))),
    ("行政规范性文件", ("normative_documents", ("issued", "repealed", "in_force"))),
    ("行政许可", ("licensing", ("decisions",))),
    ("行政处罚", ("punishment", ("decisions",))),
    ("行政强制", ("coercion", ("decisions",))),
    ("行政事业性收费", ("fees", ("amount",))),
)
T2_BLOCKS = (
    ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), ("规章", "行政规范性文件")),
    ("第二十条第（五）项", ("本年处理决定数量",), ("行政许可",)),
    ("第二十条第（六）项", ("本年处理决定数量",), ("行政处罚", "行政强制")),
    ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("行政事业性收费",)),
)
T4_HEAD = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def t3_labels(variants: Mapping[str, bool]) -> list[tuple[str, str, str]]:
    """(top label, group label, row label) of the 25 rows, with the label variants real reports use."""
    half = variants.get("halfwidth", False)

    def br(text: str) -> str:
        return text.replace("（", "(").replace("）", ")") if half else text

    out = []
    for row in canonical.TABLE3_ROWS:
        label = row.label
        if variants.get("ji") and row.key == "partially_granted":
            label = label.replace("只计", "只记").replace("不计", "不记")
        if variants.get("law_regs") and row.key == "withheld_law_prohibited":
            label = "2.其他法律法规禁止公开"
        if variants.get("no_quotes") and row.key == "withheld_security_stability":
            label = "3.危及三安全一稳定"
        top = "三、本年度办理结果" if row.key in canonical.OUTCOME_ROW_KEYS or row.key == "total_processed" else ""
        out.append((top, br(row.group or ""), br(label)))
    return out


def _title(agency: str, year: int) -> list[str]:
    return [
        f"{agency}{year}年政府信息公开工作年度报告",
        f"本报告统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》。",
        "二、主动公开政府信息情况",
    ]


def _tail() -> list[str]:
    return [
        "五、存在的主要问题及改进情况",
        "工作人员业务能力有待提升。",
        "六、其他需要报告的事项",
        "本机关未收取信息处理费。",
    ]


def render_tsv(values: Mapping[str, Any], agency: str, year: int, variants: Mapping[str, bool]) -> str:
    """Tab-separated rows, as copied out of Word or a PDF viewer (samples 000, 002, 004)."""
    lines = _title(agency, year)
    for caption, heads, rows in T2_BLOCKS:
        lines.append(caption + "\t\t\t")
        lines.append("信息内容\t" + "\t".join(heads) + "\t" * (3 - len(heads)))
        for label in rows:
            prefix, cols = dict(T2_ROWS)[label]
            cells = [cell_text(values[f"active_disclosure.{prefix}.{c}"]) for c in cols]
            lines.append(label + "\t" + "\t".join(cells) + "\t" * (3 - len(cells)))
    total = "合计" if variants.get("heji") else "总计"
    lines += [
        "三、收到和处理政府信息公开申请情况",
        f"（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t\t申请人情况\t\t\t\t\t\t{total}",
        "\t\t\t自然人\t法人或其他组织\t\t\t\t\t",
        "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t",
    ]
    seen_groups: set[str] = set()
    for (top, group, label), (_, keys) in zip(t3_labels(variants), canonical.iter_table3(), strict=True):
        g = group if group and group not in seen_groups else ""
        seen_groups.add(group)
        t = top if label.startswith(("（一）", "(一)")) else ""
        cells = "\t".join(cell_text(values[k]) for k in keys)
        if group:
            lines.append(f"{t}\t{g}\t{label}\t{cells}")
        elif top:
            lines.append(f"{t}\t{label}\t\t{cells}")
        else:
            lines.append(f"{label}\t\t\t{cells}")
    lines += _t4_tsv(values, variants)
    return "\n".join(lines + _tail()) + "\n"


def _t4_head(variants: Mapping[str, bool]) -> tuple[str, ...]:
    return tuple(h.replace("维持", "维护") if variants.get("weihu") else h for h in T4_HEAD)


def _t4_tsv(values: Mapping[str, Any], variants: Mapping[str, bool]) -> list[str]:
    head = _t4_head(variants)
    return [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议\t\t\t\t\t行政诉讼" + "\t" * 9,
        "\t".join(head) + "\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
        "\t" * 5 + "\t".join(head * 2),
        "\t".join(cell_text(values[k]) for k in canonical.TABLE4_KEYS),
    ]


def render_pipe(values: Mapping[str, Any], agency: str, year: int, variants: Mapping[str, bool]) -> str:
    """One cell a line ending in " |", a line of bare pipes between rows (sample 001, a web page copy)."""
    lines = _title(agency, year)
    for caption, heads, rows in T2_BLOCKS:
        lines += [f"{caption} |", "|||", "信息内容 |", *(f"{h} |" for h in heads)]
        lines.append("|" * (4 - 1 - len(heads)) if len(heads) < 3 else "")
        for label in rows:
            prefix, cols = dict(T2_ROWS)[label]
            lines.append(f"{label} |")
            lines += [f"{cell_text(values[f'active_disclosure.{prefix}.{c}'])} |" for c in cols]
            if len(cols) < 3:
                lines.append("||")
    lines = [ln for ln in lines if ln != ""]
    total = "合计" if variants.get("heji") else "总计"
    lines += [
        "三、收到和处理政府信息公开申请情况",
        "本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和 |",
        "申请人情况 |",
        "||||||",
        "自然人 |",
        "法人或其他组织 |",
        f"{total} |",
        "|||||",
        *(f"{c} |" for c in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")),
        "|||",
    ]
    seen_groups: set[str] = set()
    for (top, group, label), (_, keys) in zip(t3_labels(variants), canonical.iter_table3(), strict=True):
        if top and label.startswith(("（一）", "(一)")):
            lines.append(f"{top} |")
        if group and group not in seen_groups:
            lines.append(f"{group} |")
            seen_groups.add(group)
        lines.append(f"{label} |")
        lines += [f"{cell_text(values[k])} |" for k in keys]
        lines.append("|")
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 |", "行政诉讼 |", "|" * 13]
    head = _t4_head(variants)
    lines += [f"{h} |" for h in head] + ["未经复议直接起诉 |", "复议后起诉 |", "|" * 8]
    lines += [f"{h} |" for h in head * 2] + ["|||||"]
    lines += [f"{cell_text(values[k])} |" for k in canonical.TABLE4_KEYS]
    return "\n".join(lines + _tail()) + "\n"


def render_indented(values: Mapping[str, Any], agency: str, year: int, variants: Mapping[str, bool]) -> str:
    """One cell a line after a tab, empty cells as lines holding only the tab, a blank line between rows
    (sample 003, text copied out of a Word table)."""
    lines = _title(agency, year)
    for caption, heads, rows in T2_BLOCKS:
        lines += [f"\t{caption}", "", "\t信息内容", *(f"\t{h}" for h in heads), ""]
        for label in rows:
            prefix, cols = dict(T2_ROWS)[label]
            lines.append(f"\t{label}")
            lines += [f"\t{cell_text(values[f'active_disclosure.{prefix}.{c}'])}" for c in cols]
            lines.append("")
    total = "合计" if variants.get("heji") else "总计"
    lines += [
        "三、收到和处理政府信息公开申请情况",
        "\t",
        "",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "",
        "\t申请人情况",
        "",
        "\t",
        "\t自然人",
        "\t法人或其他组织",
        "\t",
        total,
        "",
        *(f"\t{c}" for c in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")),
        "",
    ]
    seen_groups: set[str] = set()
    for (_top, group, label), (_, keys) in zip(t3_labels(variants), canonical.iter_table3(), strict=True):
        if group and group not in seen_groups:
            lines.append(f"\t{group}")
            seen_groups.add(group)
        elif group:
            lines.append("\t")
        lines.append(f"\t{label}")
        lines += [f"\t{cell_text(values[k])}" for k in keys]
        lines.append("")
    head = _t4_head(variants)
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "\t行政复议", "\t行政诉讼", ""]
    lines += [f"\t{h}" for h in head] + ["\t未经复议直接起诉", "\t复议后起诉", ""]
    lines += [f"\t{h}" for h in head * 2] + [""]
    lines += [f"\t{cell_text(values[k])}" for k in canonical.TABLE4_KEYS] + [""]
    return "\n".join(lines + _tail()) + "\n"


RENDERERS = {"tsv": render_tsv, "pipe": render_pipe, "indented": render_indented}
