"""The report's timeline: who changed which cell from what to what, when and why — with status changes,
imports and comments in the same list. Read-only; built from django-simple-history and ReportEvent."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from reports import canonical
from reports.exports.formulas import neutralise
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS

REPORT_FIELDS = {
    "title": "标题",
    "published_on": "发布日期",
    "preamble": "前言",
    "overview": "一、总体情况",
    "problems": "五、存在的主要问题及改进情况",
    "other_matters": "六、其他需要报告的事项",
    "template_version": "模板版本",
    "status": "状态",
    "year": "年度",
}


@dataclass
class Change:
    what: str  # the cell's or field's Chinese name
    old: object
    new: object
    key: str = ""  # canonical key for cells


@dataclass
class Entry:
    at: datetime
    user: str
    kind: str  # "数值修改", "文字修改", "状态变更", "导入", "单元格批注"
    summary: str = ""
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def _user(u) -> str:
    return u.get_username() if u is not None else "系统"


def _cell_changes(model, report: Report, columns: dict[str, str]) -> list[Entry]:
    """Diff consecutive historical records of each table row; skip the creation of empty rows."""
    entries = []
    records = (
        model.history.filter(report_id=report.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    previous = {}
    for rec in records:
        before = previous.get(rec.id)
        previous[rec.id] = rec
        if before is None:
            continue
        changes = []
        for name, key_of in columns.items():
            old, new = getattr(before, name), getattr(rec, name)
            if old != new:
                key = key_of(rec)
                changes.append(Change(canonical.short_label(key), old, new, key))
        if changes:
            entries.append(
                Entry(
                    rec.history_date,
                    _user(rec.history_user),
                    "数值修改",
                    reason=rec.history_change_reason or "",
                    changes=changes,
                )
            )
    return entries


def report_timeline(report: Report) -> list[Entry]:
    """Every change to the report, newest first."""
    entries: list[Entry] = []
    entries += _cell_changes(DisclosureTable, report, {f: (lambda rec, k=k: k) for f, k in DISCLOSURE_FIELDS.items()})
    entries += _cell_changes(
        ApplicationOutcome,
        report,
        {c: (lambda rec, c=c: canonical.t3(rec.row, c)) for c in canonical.TABLE3_COLUMN_KEYS},
    )
    entries += _cell_changes(
        ReviewLitigation,
        report,
        {c: (lambda rec, c=c: canonical.t4(rec.block, c)) for c in canonical.TABLE4_COLUMN_KEYS},
    )
    # Merge cell changes saved together (one form save touches several rows) into one entry.
    merged: dict[tuple, Entry] = {}
    for e in entries:
        slot = (e.at.replace(microsecond=0), e.user, e.reason)
        if slot in merged:
            merged[slot].changes.extend(e.changes)
        else:
            merged[slot] = e
    entries = list(merged.values())

    records = list(report.history.select_related("history_user").order_by("history_date"))
    for before, rec in zip(records, records[1:], strict=False):
        changes = [
            Change(label, getattr(before, f), getattr(rec, f))
            for f, label in REPORT_FIELDS.items()
            if f != "status" and getattr(before, f) != getattr(rec, f)
        ]
        if changes:
            entries.append(
                Entry(
                    rec.history_date,
                    _user(rec.history_user),
                    "文字修改",
                    reason=rec.history_change_reason or "",
                    changes=changes,
                )
            )
    if records:
        first = records[0]
        entries.append(Entry(first.history_date, _user(first.history_user), "创建", summary="创建报告"))

    for ev in report.events.select_related("user"):
        if ev.kind == "status":
            summary = f"{ev.get_from_status_display()} → {ev.get_to_status_display()}"
            if ev.details.get("override"):
                summary += "（忽略错误通过）"
            if ev.details.get("override_unconfirmed"):
                summary += f"（忽略 {len(ev.details.get('unconfirmed') or ())} 个待人工确认单元格通过）"
        elif ev.kind == "import":
            summary = f"导入 {ev.reason}"
        else:
            summary = ev.reason
        entries.append(
            Entry(
                ev.at,
                _user(ev.user),
                ev.get_kind_display(),
                summary=summary,
                reason=ev.reason if ev.kind == "status" else "",
            )
        )
    for comment in report.cell_comments.select_related("author", "resolved_by"):
        entries.append(
            Entry(
                comment.created_at,
                _user(comment.author),
                "单元格批注",
                summary=f"{canonical.short_label(comment.key)}：{comment.text}",
            )
        )
        if comment.resolved and comment.resolved_at:
            entries.append(
                Entry(
                    comment.resolved_at,
                    _user(comment.resolved_by),
                    "单元格批注",
                    summary=f"已解决：{canonical.short_label(comment.key)}",
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def timeline_csv(report: Report) -> bytes:
    """The timeline as CSV with a UTF-8 BOM, so Excel shows the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["时间", "操作人", "类型", "内容", "原值", "新值", "说明"])
    for e in report_timeline(report):
        at = timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")
        if e.changes:
            for c in e.changes:
                _row(writer, [at, e.user, e.kind, c.what, _fmt(c.old), _fmt(c.new), e.reason])
        else:
            _row(writer, [at, e.user, e.kind, e.summary, "", "", e.reason])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _row(writer, cells: list) -> None:
    # A reason or a text typed as "=HYPERLINK(…)" must not become a formula in Excel (exports/formulas.py).
    writer.writerow([neutralise(c) for c in cells])


def _fmt(v) -> str:
    if v is None:
        return "（空）"
    text = str(v)
    return text if len(text) <= 200 else text[:200] + "…"
