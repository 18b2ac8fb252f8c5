"""The three tables of a ParsedReport as plain text, for a terminal.

A cell shows its value; a blank cell shows ``·``; a cell proved by arithmetic carries ``*``; a cell
that could not be read shows ``?``. The warnings follow the tables.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from reports import canonical
from reports.parsing.types import ParsedReport

BLANK, MISSING, INFERRED = "·", "?", "*"


def _cell(report: ParsedReport, key: str) -> str:
    value = report.values.get(key)
    src = report.provenance.get(key)
    if value is None:
        return BLANK if src is not None and src.blank else MISSING
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text + (INFERRED if src is not None and src.inferred else "")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def render(report: ParsedReport) -> str:
    lines = [
        f"文件：{report.source}（{report.format}）",
        f"标题：{report.title or '（未找到）'}",
        f"机关：{report.agency or '（未找到）'}    年度：{report.year or '（未找到）'}    "
        f"模板：{report.template or '（无法判断）'}",
        f"各部分：{'、'.join(report.sections_found) or '（未找到）'}",
        "",
        "表二 主动公开政府信息情况",
    ]
    for cell in canonical.TABLE2_CELLS:
        lines.append(f"  {_pad(cell.row_label, 16)}{_pad(cell.col_label, 28)}{_cell(report, cell.key)}")
    lines += ["", "表三 收到和处理政府信息公开申请情况"]
    heads = [label for _, label in canonical.TABLE3_COLUMNS]
    lines.append("  " + _pad("", 26) + "".join(_pad(h, 13, right=True) for h in heads))
    for _, keys in canonical.iter_table3():
        name = canonical.short_label(keys[0]).rsplit(" ", 1)[0].removeprefix("表三")
        lines.append("  " + _pad(name[:12], 26) + "".join(_pad(_cell(report, k), 13, right=True) for k in keys))
    lines += ["", "表四 行政复议、行政诉讼情况"]
    lines.append("  " + _pad("", 26) + "".join(_pad(label, 11, right=True) for _, label in canonical.TABLE4_COLUMNS))
    for block, label in canonical.TABLE4_BLOCKS:
        keys = [canonical.t4(block, c) for c in canonical.TABLE4_COLUMN_KEYS]
        lines.append("  " + _pad(label, 26) + "".join(_pad(_cell(report, k), 11, right=True) for k in keys))
    lines += ["", f"说明：{BLANK} 空白  {INFERRED} 由勾稽关系推出  {MISSING} 未能读取"]
    if report.warnings:
        lines += ["", "提示："]
        lines += [f"  [{w.code}] {w.message}" for w in report.warnings]
    return "\n".join(lines)
