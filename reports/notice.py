"""The review notice (审核意见): what a reviewer sends back to an agency, as plain text to paste into an email or
a chat message — the return reason, the open error- and warning-level issues and the open cell comments."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from reports import canonical
from reports.choices import ReportStatus
from reports.models import Report

NUMERALS = "一二三四五六七八九十"


def review_notice(report: Report, *, today: date | None = None) -> str:
    today = today or timezone.localdate()
    issues = list(report.issues.filter(accepted=False).exclude(severity="info").order_by("position"))
    comments = list(report.cell_comments.filter(resolved=False).order_by("created_at", "pk"))
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]

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
