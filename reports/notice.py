"""The review notice (审核意见): what a reviewer sends back to an agency — the return reason, the open error- and
warning-level issues and the open cell comments — as plain text to paste into an email or a chat message, or as
an official-looking Word 退回通知 (python-docx), one per agency for a whole batch of returned reports."""

from __future__ import annotations

import io
from datetime import date

from django.conf import settings
from django.utils import timezone

from reports import canonical
from reports.choices import ReportStatus
from reports.models import Report
from reports.rules import cells_text

NUMERALS = "一二三四五六七八九十"


def _open_items(report: Report):
    issues = list(report.issues.filter(accepted=False).exclude(severity="info").order_by("position"))
    comments = list(report.cell_comments.filter(resolved=False).order_by("created_at", "pk"))
    return [i for i in issues if i.severity == "error"], [i for i in issues if i.severity == "warning"], comments


def review_notice(report: Report, *, today: date | None = None) -> str:
    today = today or timezone.localdate()
    errors, warnings, comments = _open_items(report)

    lines = [f"关于{report.agency.name}{report.year}年度政府信息公开工作年度报告的审核意见", ""]
    if report.status == ReportStatus.RETURNED and report.return_reason:
        lines += [f"退回原因：{report.return_reason}", ""]
    sections = [
        ("须改正的问题", [f"{i.message}（规则 {i.rule}）" for i in errors]),
        ("请核实的问题", [f"{i.message}（规则 {i.rule}）" for i in warnings]),
        ("审核批注", [f"{canonical.short_label(c.key)}：{c.text}" for c in comments]),
    ]
    sections = [(title, items) for title, items in sections if items]
    for n, (title, items) in enumerate(sections):
        lines.append(f"{NUMERALS[n]}、{title}（{len(items)} 项）")
        lines += [f"{k}. {text}" for k, text in enumerate(items, 1)]
        lines.append("")
    if sections:
        lines.append("请核实修改后重新报送。")
    elif report.validated_at is None:
        lines.append("该报告尚未校验，请先校验后再出具审核意见。")
    else:
        lines.append("经审核，数字勾稽关系和格式未发现问题。")
    lines += ["", f"{today.year}年{today.month}月{today.day}日"]
    return "\n".join(lines) + "\n"


def agency_notice(reports: list[Report], *, today: date | None = None) -> str:
    """One text for one agency: the notices of its reports (usually one), one after the other."""
    today = today or timezone.localdate()
    return "\n".join(review_notice(r, today=today) for r in reports)


def notice_issuer() -> str:
    return getattr(settings, "NIANBAO_NOTICE_ISSUER", "") or "政务公开工作主管部门"


def notice_docx(reports: list[Report], *, today: date | None = None) -> bytes:
    """An official-looking 退回通知 for one agency's reports as a Word file: title, addressee, the reasons, a
    table of the problems with the cells concerned, the issuing office and the date."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    today = today or timezone.localdate()
    agency = reports[0].agency
    doc = Document()
    for section in doc.sections:
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    def run(paragraph, text, *, size=16, font="仿宋_GB2312", bold=False):
        r = paragraph.add_run(text)
        r.font.size, r.font.bold, r.font.name = Pt(size), bold, font
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return r

    def para(text="", *, align=None, indent=True, size=16, font="仿宋_GB2312", bold=False):
        p = doc.add_paragraph()
        p.paragraph_format.line_spacing = Pt(28)
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        if align is not None:
            p.alignment = align
        if text:
            run(p, text, size=size, font=font, bold=bold)
        return p

    years = "、".join(str(r.year) for r in reports)
    returned = all(r.status == ReportStatus.RETURNED for r in reports)
    kind = "退回" if returned else "审核意见"
    title = f"关于{kind}{agency.name}{years}年度政府信息公开工作年度报告的通知"
    para(title, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, size=22, font="方正小标宋简体")
    para()
    para(f"{agency.name}：", indent=False)
    for report in reports:
        errors, warnings, comments = _open_items(report)
        name = report.title or f"{agency.name}{report.year}年政府信息公开工作年度报告"
        verdict = "存在以下问题，现予退回" if report.status == ReportStatus.RETURNED else "提出以下审核意见"
        para(f"你单位报送的《{name}》经审核，{verdict}。请对照核实修改后重新报送。")
        if report.return_reason:
            para(f"退回原因：{report.return_reason}")
        rows = [("须改正", i.message, cells_text(i.keys)) for i in errors]
        rows += [("请核实", i.message, cells_text(i.keys)) for i in warnings]
        rows += [("审核批注", c.text, canonical.short_label(c.key)) for c in comments]
        if rows:
            table = doc.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("序号", "类别", "问题", "涉及单元格"), strict=True):
                run(cell.paragraphs[0], text, size=12, font="黑体")
            for n, (category, message, cells) in enumerate(rows, 1):
                values = (str(n), category, message, cells)
                for cell, text in zip(table.add_row().cells, values, strict=True):
                    run(cell.paragraphs[0], text, size=12)
            for row in table.rows:
                for cell, width in zip(row.cells, (Cm(1.2), Cm(2.0), Cm(8.4), Cm(4.2)), strict=True):
                    cell.width = width
        else:
            para("经审核，数字勾稽关系和格式未发现问题。")
    para()
    para("特此通知。")
    para()
    para(notice_issuer(), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para(f"{today.year}年{today.month}月{today.day}日", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
