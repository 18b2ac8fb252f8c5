"""The only code that writes reports and their numbers. Keyword-only `<entity>_<action>` functions."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from reports import canonical
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation, SourceDocument
from reports.models.tables import DISCLOSURE_FIELDS, TABLE3_POSITION, TABLE4_POSITION
from reports.selectors import report_values

Value = int | Decimal | None

_DISCLOSURE_FIELD_BY_KEY = {key: field for field, key in DISCLOSURE_FIELDS.items()}


@transaction.atomic
def report_create(*, agency, year: int, user=None, **fields) -> Report:
    """Create a report with all its table rows present and empty (NULL cells)."""
    report = Report(agency=agency, year=year, created_by=user, updated_by=user, **fields)
    report.full_clean()
    report.save()
    report_ensure_rows(report=report)
    return report


def report_ensure_rows(*, report: Report) -> None:
    """Create whichever of the 1 + 25 + 3 table rows a report is missing (idempotent)."""
    DisclosureTable.objects.get_or_create(report=report)
    have = set(report.outcomes.values_list("row", flat=True))
    bulk_create_with_history(
        [ApplicationOutcome(report=report, row=k, position=p) for k, p in TABLE3_POSITION.items() if k not in have],
        ApplicationOutcome,
    )
    have = set(report.review_litigation.values_list("block", flat=True))
    bulk_create_with_history(
        [ReviewLitigation(report=report, block=k, position=p) for k, p in TABLE4_POSITION.items() if k not in have],
        ReviewLitigation,
    )


@transaction.atomic
def report_set_values(*, report: Report, values: Mapping[str, Value], user=None, reason: str = "") -> list[str]:
    """Write the given canonical cells; returns the keys whose value changed. Unknown keys are refused."""
    unknown = set(values) - set(canonical.ALL_KEYS)
    if unknown:
        raise ValueError(f"unknown canonical keys: {sorted(unknown)[:5]}")
    report_ensure_rows(report=report)
    before = report_values(report)
    changed = [k for k in canonical.ALL_KEYS if k in values and not _same(before[k], values[k])]
    if not changed:
        return []
    by_table: dict[str, dict[str, dict[str, Value]]] = {}
    for key in changed:
        table, row, col = key.split(".")
        by_table.setdefault(table, {}).setdefault(row, {})[col] = values[key]
    if "active_disclosure" in by_table:
        obj = DisclosureTable.objects.get(report=report)
        for row, cols in by_table["active_disclosure"].items():
            for col, value in cols.items():
                setattr(obj, _DISCLOSURE_FIELD_BY_KEY[f"active_disclosure.{row}.{col}"], value)
        _save(obj, user, reason)
    for row, cols in by_table.get("applications", {}).items():
        obj = ApplicationOutcome.objects.get(report=report, row=row)
        for col, value in cols.items():
            setattr(obj, col, value)
        _save(obj, user, reason)
    for block, cols in by_table.get("review_litigation", {}).items():
        obj = ReviewLitigation.objects.get(report=report, block=block)
        for col, value in cols.items():
            setattr(obj, col, value)
        _save(obj, user, reason)
    Report.objects.filter(pk=report.pk).update(updated_by=user)
    return changed


def _save(obj, user, reason: str) -> None:
    obj.full_clean()
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()


def _same(a: Value, b: Value) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(a) == Decimal(b)


# --- import of a parsed document -------------------------------------------------------------------------------

SECTION_FIELDS = {"preamble": "preamble", "overview": "overview", "problems": "problems", "other": "other_matters"}


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def source_document_add(*, report: Report, data: bytes, filename: str, parsed=None, user=None, note: str = ""):
    """Keep an uploaded file as the report's next source version (idempotent on the file's hash)."""
    digest = sha256_of(data)
    existing = report.sources.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    version = (report.sources.aggregate(v=Max("version"))["v"] or 0) + 1
    source = SourceDocument(
        report=report,
        version=version,
        original_name=filename[:255],
        sha256=digest,
        size=len(data),
        format=(parsed.format if parsed is not None else PurePath(filename).suffix.lstrip(".").lower())[:10],
        extracted_text=parsed.text if parsed is not None else "",
        parsed=parsed.to_json() if parsed is not None else {},
        uploaded_by=user,
        note=note,
    )
    source.file.save(filename, ContentFile(data), save=False)
    source.full_clean()
    source.save()
    return source, True


@dataclass
class ImportResult:
    """What one imported document did to the database."""

    action: str  # "created", "updated", "skipped"
    report: Report
    source: SourceDocument | None = None
    changed: list[str] = field(default_factory=list)  # cells written from the document
    kept: list[str] = field(default_factory=list)  # hand corrections kept although the new document differs

    @property
    def message(self) -> str:
        if self.action == "created":
            return f"新建报告：{self.report}"
        if self.action == "skipped":
            return f"文件已导入过，跳过：{self.report}"
        msg = f"新版本（第 {self.source.version} 版）：{self.report}，更新 {len(self.changed)} 个单元格"
        if self.kept:
            msg += f"，保留人工修改 {len(self.kept)} 个（可在对比页选择采用新值）"
        return msg


def parsed_values_of(source: SourceDocument | None) -> dict[str, Value] | None:
    """The cell values a stored source document was read as (None when the source has no reading)."""
    if source is None or not source.parsed:
        return None
    flat = canonical.flatten(source.parsed)
    return {k: _as_value(k, v) for k, v in flat.items()}


def _as_value(key: str, v) -> Value:
    if v is None:
        return None
    if key == canonical.FEES_KEY:
        return Decimal(str(v))
    return int(v)


@transaction.atomic
def report_import(*, parsed, data: bytes, agency, year: int | None = None, user=None) -> ImportResult:
    """Store a parsed document as a new report or as a new source version of an existing one.

    Values a reviewer corrected by hand (differing from what the previous source was read as) are kept; the
    new document's value for such a cell is offered on the comparison page instead of overwriting it.
    """
    year = year or parsed.year
    if not year:
        raise ValidationError("无法确定报告年度，请指定年度。")
    report = Report.objects.select_for_update().filter(agency=agency, year=year).first()
    if report is None:
        report = report_create(
            agency=agency,
            year=year,
            user=user,
            template_version=parsed.template or ("2019" if year < 2021 else "2021"),
            title=(parsed.title or "")[:200],
            published_on=parsed.publication_date,
            **_section_fields(parsed),
        )
        Report.objects.filter(pk=report.pk).update(
            sections_found=list(parsed.sections_found), printed_subtotals=_json_numbers(parsed.printed_subtotals)
        )
        source, _ = source_document_add(report=report, data=data, filename=parsed.source, parsed=parsed, user=user)
        changed = report_set_values(report=report, values=parsed.values, user=user, reason=f"导入 {parsed.source}")
        report.refresh_from_db()
        return ImportResult("created", report, source, changed)

    digest = sha256_of(data)
    if report.sources.filter(sha256=digest).exists():
        return ImportResult("skipped", report, report.sources.get(sha256=digest))
    previous = report.sources.order_by("-version").first()
    before = parsed_values_of(previous)
    current = report_values(report)
    write: dict[str, Value] = {}
    kept: list[str] = []
    for key in canonical.ALL_KEYS:
        new = parsed.values.get(key)
        if _same(current[key], new):
            continue
        hand_corrected = before is None and current[key] is not None or before is not None and not _same(
            current[key], before[key]
        )
        if hand_corrected:
            kept.append(key)
        else:
            write[key] = new
    source, _ = source_document_add(report=report, data=data, filename=parsed.source, parsed=parsed, user=user)
    changed = report_set_values(report=report, values=write, user=user, reason=f"导入新版本 {parsed.source}")
    _update_texts(report=report, parsed=parsed, previous=previous, user=user)
    return ImportResult("updated", report, source, changed, kept)


def _section_fields(parsed) -> dict[str, str]:
    return {field_name: parsed.sections.get(key, "") or "" for key, field_name in SECTION_FIELDS.items()}


def _update_texts(*, report: Report, parsed, previous: SourceDocument | None, user) -> None:
    """Take the new document's texts, except where the stored text was edited by hand since the last import."""
    old = (previous.parsed or {}) if previous is not None else {}
    old_sections = old.get("sections", {})
    updates = {}
    for key, field_name in SECTION_FIELDS.items():
        stored = getattr(report, field_name)
        if stored == "" or stored == old_sections.get(key, stored):
            updates[field_name] = parsed.sections.get(key, "") or ""
    if parsed.title and report.title in ("", old.get("title")):
        updates["title"] = parsed.title[:200]
    for name, value in updates.items():
        setattr(report, name, value)
    report.sections_found = list(parsed.sections_found)
    report.printed_subtotals = _json_numbers(parsed.printed_subtotals)
    report.updated_by = user
    report._history_user = user
    report.full_clean()
    report.save()


def _json_numbers(values: Mapping[str, Value]) -> dict:
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in values.items()}
