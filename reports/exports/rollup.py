"""The roll-up workbook of one node of the region tree (`export_summary --region`, the 区划汇总 page's download).

Sheets:
- 区划汇总: one row per child region (or body) directly under the node — completion (应报, 已报, 已通过, 逾期,
  报送率, 通过率) and the sums of its approved reports, all 200 cells — then one row per kind of agency and a 合计
  row of the whole node beneath (computed sums, not formulas: the kinds' rows would count twice in a SUM);
- 本级: the node's own report, when it has one;
- one sheet per child region: its approved reports, a row each, laid out like the county workbook's 汇总 sheet
  (reports/exports/summary.py), with a 合计 row of SUM formulas;
- 说明: what was counted. Only approved reports are summed, and the sheets say so.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from agencies.models import AgencyKind
from reports import canonical
from reports.choices import ReportStatus
from reports.exports.official import cell_value
from reports.exports.sheet import sheet_title, styled
from reports.exports.summary import VALUE_WIDTH, _readme_sheet, _SummarySheet, column_headers
from reports.models import Report
from reports.rollup import APPROVED_ONLY, Rollup
from reports.selectors import report_iter_with_values

ROLLUP_SHEET, OWN_SHEET, README_SHEET = "区划汇总", "本级", "说明"
MAX_CHILD_SHEETS = 300
LEAD = (
    ("序号", 6), ("区划/机关", 28), ("类别", 10), ("已通过报告数", 9), ("应报", 7), ("已报", 7), ("已通过", 7),
    ("逾期", 7), ("报送率", 8), ("通过率", 8),
)  # fmt: skip


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _rollup_sheet(ws, ru: Rollup) -> None:
    lead = len(LEAD)
    for i, (_, width) in enumerate(LEAD, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for i in range(lead + 1, lead + len(canonical.ALL_KEYS) + 1):
        ws.column_dimensions[get_column_letter(i)].width = VALUE_WIDTH
    ws.freeze_panes = "C6"
    ws.append([styled(ws, f"{ru.node.name} {ru.year} 年度政府信息公开工作年度报告区划汇总", "heading")])
    ws.append([styled(ws, APPROVED_ONLY, "text")])
    levels = [column_headers(k) for k in canonical.ALL_KEYS]
    for level in range(3):
        row = [styled(ws, label if level == 0 else None, "header") for label, _ in LEAD]
        row += [styled(ws, lv[level], "header") for lv in levels]
        ws.append(row)

    def values_row(index, name, kind, approved, completion, sums):
        c = completion
        return [
            index, name, kind, approved,
            *((c.expected, c.submitted, c.approved, c.overdue, _rate(c.submission_rate), _rate(c.approval_rate))
              if c is not None else ("", "", "", "", "", "")),
            *(cell_value(sums[k]) for k in canonical.ALL_KEYS),
        ]  # fmt: skip

    for i, b in enumerate(ru.branches, start=1):
        ws.append(values_row(i, b.name, b.kind_label, b.approved_reports, b.completion, b.sums))
    for k in ru.by_kind:
        ws.append(values_row("", f"按类别：{k.label}", "", k.approved_reports, None, k.sums))
    total = values_row("合计", f"{ru.node.name}以下", "", ru.approved_reports, ru.completion, ru.total)
    ws.append([styled(ws, v, "total") for v in total])
    ws.close()


def write_rollup(
    ru: Rollup,
    *,
    target: str | BinaryIO,
    reports_of,
    max_child_sheets: int = MAX_CHILD_SHEETS,
    exported_at: datetime | None = None,
    exported_by: str = "",
) -> int:
    """Write the node's roll-up workbook to `target`. `reports_of(branch)` gives the approved reports of one child
    region (already limited to what the reader may see). Returns the number of child-region sheets written."""
    exported_at = exported_at or timezone.localtime()
    wb = Workbook(write_only=True)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.title = f"{ru.node.name}{ru.year}年度区划汇总"
    wb.properties.creator = "年报 Nianbao"
    _rollup_sheet(wb.create_sheet(ROLLUP_SHEET), ru)
    used = {ROLLUP_SHEET.lower(), OWN_SHEET.lower(), README_SHEET.lower()}
    kind_labels = dict(AgencyKind.choices)
    if ru.own_report is not None:
        own = _SummarySheet(
            wb.create_sheet(OWN_SHEET), title=f"{ru.node.name} 本级年报（{ru.own_report.get_status_display()}）"
        )
        for report, values in report_iter_with_values(
            Report.objects.filter(pk=ru.own_report.pk).select_related("agency")
        ):
            own.add(report, values, kind_labels, None)
        own.finish()
    sheets = 0
    branches = [b for b in ru.branches if b.approved_reports]
    for branch in branches[:max_child_sheets]:
        sheet = _SummarySheet(
            wb.create_sheet(sheet_title(branch.short_name, used)),
            title=f"{branch.name} {ru.year} 年度已通过年报（{branch.approved_reports} 份）",
        )
        reports = reports_of(branch).select_related("agency").order_by("agency__path", "pk")
        for report, values in report_iter_with_values(reports):
            sheet.add(report, values, kind_labels, None)
        sheet.finish()
        sheets += 1
    lines = [
        f"区划：{ru.node.name}；年度：{ru.year}；导出时间：{exported_at:%Y-%m-%d %H:%M}"
        + (f"；导出人：{exported_by}" if exported_by else "")
        + "。",
        APPROVED_ONLY,
        f"“区划汇总”每行一个直属下级（区划或机关），数字为其本身及以下已通过年报之和；其后按机关类别各一行，最后一行为"
        f"{ru.node.name}以下的合计（不含本级）。应报：在用且须发布年报的机关数；已报：已提交、审核中或已通过；逾期：发布期限"
        f"（{ru.deadline:%Y-%m-%d}）已过仍未提交的机关数。报送率＝已报÷应报，通过率＝已通过÷应报。",
        "“本级”为本区划本级机关的年报（任何状态，仅供对照，不计入合计）。"
        if ru.own_report is not None
        else "本级机关本年度没有年报。",
        f"其后 {sheets} 张表为各直属下级已通过的年报明细，每行一份，末行为合计公式。"
        + (f"下级超过 {max_child_sheets} 个，其余未逐一生成。" if len(branches) > max_child_sheets else ""),
        "状态说明：" + "、".join(label for _, label in ReportStatus.choices) + "；只有“已通过”计入汇总。",
    ]
    _readme_sheet(wb.create_sheet(README_SHEET), lines)
    wb.save(target)
    return sheets


def reports_of_branch(branch, year: int, *, scope=None):
    """The approved reports of `year` in a child region's subtree."""
    qs = Report.objects.filter(year=year, status=ReportStatus.APPROVED, agency__path__startswith=branch.path)
    return qs if scope is None else qs.filter(agency__in=scope)
