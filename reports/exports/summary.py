"""The county workbook (汇总表) of one year, streamed with a write-only openpyxl workbook.

Sheets, in order:
- 汇总: one row per report (agency), every canonical cell as a column under three header rows (table / row /
  column), the canonical keys in a hidden row above them, a 合计 row of real SUM formulas, frozen panes and filters;
- 未报送: every expected agency that has not handed its report in (none, draft, returned), against the deadline;
- 问题清单: every open validation issue and open cell comment of the exported reports;
- 说明: what was exported and how to read it;
- then one sheet per agency in the official layout — only up to `max_agency_sheets` agencies: a county has some
  20–300 agencies; beyond that a sheet each is neither readable nor fast, so they are left out and 说明 says so.

Rows are written as they are read (reports a chunk at a time), so memory stays flat for any number of reports.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from agencies.models import AgencyKind
from reports import canonical
from reports.choices import ReportStatus
from reports.exports.fastrows import fast_rows
from reports.exports.formulas import is_formula_like
from reports.exports.official import ReportInfo, cell_value, official_sheet
from reports.exports.sheet import FONT_NAME, Formula, set_value, sheet_title, stream_sheet, styled
from reports.models import CellComment, ValidationIssue
from reports.rules import cells_text
from reports.selectors import report_iter_with_values
from reports.submission import NOT_SUBMITTED_TEXT, submission_rows

MAX_AGENCY_SHEETS = 300
NO_REPORTS = "没有符合条件的报告，未生成文件。"
MIXED_YEARS = "所选报告属于多个年度（{years}），汇总表按年度导出，请分年度选择。"

SUMMARY_SHEET, MISSING_SHEET, ISSUES_SHEET, README_SHEET = "汇总", "未报送", "问题清单", "说明"

# Leading columns of 汇总: hidden key, Chinese header, width.
LEAD_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("index", "序号", 6),
    ("agency", "机关", 30),
    ("kind", "类别", 10),
    ("year", "年度", 6),
    ("status", "状态", 8),
    ("error_count", "错误数", 7),
    ("warning_count", "警告数", 7),
    ("published_on", "发布日期", 11),
    ("template_version", "模板", 6),
)
KEY_ROW, TABLE_ROW, ROW_ROW, COLUMN_ROW = 2, 3, 4, 5
FIRST_DATA_ROW = 6
VALUE_WIDTH = 9.5
SUMMED_LEAD = ("error_count", "warning_count")

TABLE_NAMES = {
    "active_disclosure": "表二 主动公开政府信息情况",
    "applications": "表三 收到和处理政府信息公开申请情况",
    "review_litigation": "表四 政府信息公开行政复议、行政诉讼情况",
}


class EmptyExport(ValueError):
    """Nothing to export; the message is for the user."""


@dataclass
class SummaryResult:
    reports: int
    agency_sheets: int
    missing: int
    issues: int
    sheets_omitted: bool


def column_headers(key: str) -> tuple[str, str, str]:
    """The three header levels of a canonical cell: table, row, column."""
    table, row, col = key.split(".")
    if table == "active_disclosure":
        cell = next(c for c in canonical.TABLE2_CELLS if c.key == key)
        return TABLE_NAMES[table], cell.row_label, cell.col_label
    if table == "applications":
        return TABLE_NAMES[table], canonical.TABLE3_ROW_BY_KEY[row].full_label, dict(canonical.TABLE3_COLUMNS)[col]
    return TABLE_NAMES[table], dict(canonical.TABLE4_BLOCKS)[row], dict(canonical.TABLE4_COLUMNS)[col]


def _runs(labels: list[str], start: int) -> Iterator[tuple[int, int, str]]:
    """Consecutive equal labels as (first column, last column, label)."""
    i = 0
    while i < len(labels):
        j = i
        while j + 1 < len(labels) and labels[j + 1] == labels[i]:
            j += 1
        yield start + i, start + j, labels[i]
        i = j + 1


def _text(ws, value: str) -> Any:
    # A plain value is fastest; only a string a spreadsheet would take for a formula needs a typed cell.
    if is_formula_like(value) or isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        cell = WriteOnlyCell(ws)
        set_value(cell, value)
        return cell
    return value


class _SummarySheet:
    """The 汇总 sheet: headers first, then rows as they come, then the 合计 row, filter and merges."""

    def __init__(self, ws, *, title: str) -> None:
        self.ws = ws
        self.lead = len(LEAD_COLUMNS)
        self.width = self.lead + len(canonical.ALL_KEYS)
        self.rows = 0
        for i, (_, _, width) in enumerate(LEAD_COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for i in range(self.lead + 1, self.width + 1):
            ws.column_dimensions[get_column_letter(i)].width = VALUE_WIDTH
        ws.freeze_panes = f"C{FIRST_DATA_ROW}"
        ws.print_title_rows = f"{TABLE_ROW}:{COLUMN_ROW}"
        ws.print_title_cols = "A:B"  # every printed page of the wide sheet names its agencies
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9
        self._headers(title)

    def _headers(self, title: str) -> None:
        ws = self.ws
        ws.row_dimensions[1].height = 24
        ws.append([styled(ws, title, "heading")])
        ws.merged_cells.add(f"A1:{get_column_letter(min(self.width, 20))}1")
        ws.row_dimensions[KEY_ROW].hidden = True
        ws.append([key for key, _, _ in LEAD_COLUMNS] + list(canonical.ALL_KEYS))
        levels = [column_headers(k) for k in canonical.ALL_KEYS]
        heights = {TABLE_ROW: 20, ROW_ROW: 48, COLUMN_ROW: 58}
        for level, row in enumerate((TABLE_ROW, ROW_ROW, COLUMN_ROW)):
            ws.row_dimensions[row].height = heights[row]
            cells: list[Any] = [
                styled(ws, label if row == TABLE_ROW else None, "header") for _, label, _ in LEAD_COLUMNS
            ]
            labels = [lv[level] for lv in levels]
            if level == 1:
                # A row label repeats across tables only by accident; keep runs within one table.
                labels = [f"{lv[0]}\x00{lv[1]}" for lv in levels]
            for first, last, label in _runs(labels, self.lead + 1):
                text = label.split("\x00")[-1]
                cells.append(styled(ws, text, "header"))
                cells.extend(styled(ws, None, "header") for _ in range(last - first))
                if level < 2 and last > first:
                    ws.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")
            ws.append(cells)
        for col in range(1, self.lead + 1):
            letter = get_column_letter(col)
            ws.merged_cells.add(f"{letter}{TABLE_ROW}:{letter}{COLUMN_ROW}")

    def add(self, report, values: dict[str, Any], kind_labels: dict[str, str], link: str | None) -> None:
        self.rows += 1
        ws = self.ws
        name: Any = _text(ws, report.agency.name)
        if link:
            name = WriteOnlyCell(ws)
            set_value(name, report.agency.name)
            quoted = link.replace("'", "''")
            name.hyperlink = Hyperlink(ref="", location=f"'{quoted}'!A1")  # a link inside the workbook
            name.font = Font(name=FONT_NAME, size=10, color="0563C1", underline="single")
        ws.append(
            [
                self.rows,
                name,
                kind_labels.get(report.agency.kind, report.agency.kind),
                report.year,
                report.get_status_display(),
                report.error_count if report.validated_at else None,
                report.warning_count if report.validated_at else None,
                report.published_on,
                report.template_version,
                *(cell_value(values[k]) for k in canonical.ALL_KEYS),
            ]
        )

    def finish(self) -> None:
        ws = self.ws
        first, last = FIRST_DATA_ROW, FIRST_DATA_ROW + self.rows - 1
        summed = {i for i, (key, _, _) in enumerate(LEAD_COLUMNS, start=1) if key in SUMMED_LEAD}
        summed.update(range(self.lead + 1, self.width + 1))
        cells: list[Any] = []
        for col in range(1, self.width + 1):
            letter = get_column_letter(col)
            if col == 1:
                value: Any = "合计"
            elif col == 2:
                value = f"{self.rows} 个机关"
            elif col in summed:
                value = Formula(f"=SUM({letter}{first}:{letter}{last})")
            else:
                value = None
            cells.append(styled(ws, value, "total"))
        ws.append(cells)
        ws.auto_filter.ref = f"A{COLUMN_ROW}:{get_column_letter(self.width)}{last}"
        ws.close()


def _missing_sheet(ws, rows, year: int) -> int:
    headers = ["序号", "机关", "类别", "情况", "发布期限", "期限", "联系人", "联系电话"]
    for i, width in enumerate([6, 30, 10, 18, 12, 12, 12, 16], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([styled(ws, f"{year} 年度未报送年报的机关（未建立、草稿未提交、已退回待重新提交）", "heading")])
    ws.append([styled(ws, h, "header") for h in headers])
    missing = [r for r in rows if not r.submitted]
    for i, r in enumerate(missing, start=1):
        ws.append(
            [i, _text(ws, r.agency_name), r.kind_label, NOT_SUBMITTED_TEXT[r.status], r.deadline, r.timing_text,
             _text(ws, r.contact_person), _text(ws, r.contact_phone)]
        )  # fmt: skip
    if not missing:
        ws.append(["", "全部机关均已提交。"])
    ws.freeze_panes = "A3"
    if missing:
        ws.auto_filter.ref = f"A2:H{len(missing) + 2}"
    ws.close()
    return len(missing)


def _issue_rows(reports) -> Iterator[tuple]:
    issues = (
        ValidationIssue.objects.filter(report__in=reports, accepted=False)
        .order_by("report__agency__name", "report_id", "position")
        .annotate(keys_text=Cast("keys", TextField()))  # decoded once per distinct list below, not once a row
        .values_list(
            "report__agency__name", "report__status", "severity", "rule", "keys_text", "message", "expected", "actual"
        )
    )
    severity = {"error": "错误", "warning": "警告", "info": "提示"}
    named: dict[str, str] = {}  # the same few hundred cell lists recur in every report
    for name, status, sev, rule, keys, message, expected, actual in issues.iterator(chunk_size=2000):
        cells = named.get(keys)
        if cells is None:
            cells = cells_text(k for k in json.loads(keys) if k in canonical.LABELS)  # R21 may name 150: cut
            if len(named) < 50_000:
                named[keys] = cells
        yield (name, 0, status, "校验问题", severity.get(sev, sev), rule, cells, message, expected, actual, "", None)


def _comment_rows(reports) -> Iterator[tuple]:
    comments = (
        CellComment.objects.filter(report__in=reports, resolved=False)
        .order_by("report__agency__name", "report_id", "created_at")
        .values_list("report__agency__name", "report__status", "key", "text", "author__username", "created_at")
    )
    for name, status, key, text, author, created in comments.iterator(chunk_size=2000):
        label = canonical.short_label(key) if key in canonical.LABELS else key
        yield (name, 1, status, "单元格批注", "", "", label, text, "", "", author or "", created)


def _issues_sheet(ws, reports, status_labels: dict[str, str]) -> int:
    headers = ["序号", "机关", "状态", "类型", "级别", "规则", "单元格", "说明", "应为", "实为", "批注人", "批注时间"]
    for i, width in enumerate([5, 22, 7, 9, 5, 5, 26, 52, 7, 7, 9, 16], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    # Printed landscape, one page wide, the header row on every page: 说明 no longer lands on a page of its own.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    ws.append([styled(ws, "未解决的校验问题和单元格批注（已核实的警告不列入）", "heading")])
    ws.append([styled(ws, h, "header") for h in headers])
    n = 0
    merged = heapq.merge(_issue_rows(reports), _comment_rows(reports), key=lambda t: (t[0], t[1]))
    for name, _, status, kind, sev, rule, cells, text, expected, actual, author, created in merged:
        n += 1
        created = timezone.localtime(created).replace(tzinfo=None) if isinstance(created, datetime) else created
        ws.append(
            [n, _text(ws, name), status_labels.get(status, status), kind, sev, rule, cells, _text(ws, text),
             _text(ws, expected), _text(ws, actual), _text(ws, author), created]
        )  # fmt: skip
    if n == 0:
        ws.append(["", "没有未解决的问题。"])
    else:
        ws.auto_filter.ref = f"A2:L{n + 2}"
    ws.freeze_panes = "C3"
    ws.close()
    return n


def _readme_sheet(ws, lines: list[str]) -> None:
    ws.column_dimensions["A"].width = 110
    ws.append([styled(ws, "说明", "heading")])
    for line in lines:
        ws.append([styled(ws, line, "text")])
    ws.close()


def write_summary(
    *,
    year: int,
    reports,
    agencies,
    submissions=None,
    target: str | BinaryIO,
    filters_text: str = "",
    max_agency_sheets: int = MAX_AGENCY_SHEETS,
    today: date | None = None,
    exported_at: datetime | None = None,
    exported_by: str = "",
) -> SummaryResult:
    """Write the county workbook of `year` to `target` (a path or a binary stream).

    `reports`: the reports to export (already filtered and limited to what the user may see), all of `year`;
    `agencies`: the agencies expected to report and `submissions` the reports to judge them by (for 未报送; by
    default `reports` — pass the unfiltered ones when `reports` is narrowed by status, or a draft would look
    like a missing report). Raises EmptyExport when there is nothing to export.
    """
    years = sorted(set(reports.values_list("year", flat=True).distinct()))
    if not years:
        raise EmptyExport(NO_REPORTS)
    if years != [year]:
        raise EmptyExport(MIXED_YEARS.format(years="、".join(str(y) for y in years)))
    reports = reports.select_related("agency").order_by("agency__kind", "agency__name", "pk")
    count = reports.count()
    with_sheets = count <= max_agency_sheets
    exported_at = exported_at or timezone.localtime()
    kind_labels = dict(AgencyKind.choices)
    status_labels = dict(ReportStatus.choices)

    wb = Workbook(write_only=True)
    wb.calculation.fullCalcOnLoad = True  # the 合计 formulas have no cached values
    wb.properties.title = f"{year}年度政府信息公开工作年度报告汇总表"
    wb.properties.creator = "年报 Nianbao"
    title = f"{year} 年度政府信息公开工作年度报告汇总表" + (f"（{filters_text}）" if filters_text else "")
    # The big sheets' rows skip openpyxl's per-cell objects (the same XML; reports/exports/fastrows.py).
    summary = _SummarySheet(fast_rows(wb.create_sheet(SUMMARY_SHEET)), title=title)
    missing_ws = fast_rows(wb.create_sheet(MISSING_SHEET))
    issues_ws = fast_rows(wb.create_sheet(ISSUES_SHEET))
    readme_ws = wb.create_sheet(README_SHEET)
    used = {SUMMARY_SHEET, MISSING_SHEET, ISSUES_SHEET, README_SHEET}
    agency_sheets = 0
    for report, values in report_iter_with_values(reports):
        link = None
        if with_sheets:
            link = sheet_title(report.agency.short_name or report.agency.name, used)
            info = ReportInfo(
                agency_name=report.agency.name,
                year=report.year,
                title=report.title,
                status=report.get_status_display(),
                template_version=report.template_version,
                error_count=report.error_count if report.validated_at else None,
                warning_count=report.warning_count if report.validated_at else None,
            )
            stream_sheet(official_sheet(info, values), wb.create_sheet(link))
            agency_sheets += 1
        summary.add(report, values, kind_labels, link)
    summary.finish()
    submitted = submission_rows(
        year=year, agencies=agencies, reports=submissions if submissions is not None else reports, today=today
    )
    missing = _missing_sheet(missing_ws, submitted, year)
    issues = _issues_sheet(issues_ws, reports.order_by(), status_labels)
    lines = [
        f"年度：{year}；筛选条件：{filters_text or '无'}；报告 {count} 份；导出时间：{exported_at:%Y-%m-%d %H:%M}"
        + (f"；导出人：{exported_by}" if exported_by else "")
        + "。",
        "“汇总”表每行一个机关，每个数字单元格一列；表头三行依次为表、行、列，第 2 行（隐藏）是各列的字段代码。",
        "“合计”行是 SUM 公式；空白单元格表示报告中该项未填写（空白不等于 0），合计时不计入。",
        "“未报送”列出应报机关中未建立报告、草稿未提交或已退回待重新提交的机关，期限按发布期限计算。",
        "“问题清单”列出所导出报告中未解决的校验问题（已核实的警告除外）和未解决的单元格批注。",
        (
            f"其后 {agency_sheets} 张表为各机关年报，按 2021 版官方格式排列。"
            if with_sheets
            else f"机关数 {count} 超过 {max_agency_sheets}，未逐一生成各机关的官方格式表；"
            "单个机关请在年报页面或用 export_report 命令导出。"
        ),
    ]
    _readme_sheet(readme_ws, lines)
    wb.save(target)
    return SummaryResult(
        reports=count, agency_sheets=agency_sheets, missing=missing, issues=issues, sheets_omitted=not with_sheets
    )
