"""Storing documents and their readings: new reports, new source versions, hand corrections kept."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max

from reports import canonical, rules
from reports.access import require_agency, require_may_edit
from reports.choices import ReportStatus
from reports.models import Report, ReportEvent, SourceDocument
from reports.models.report import ReportLockedError
from reports.selectors import report_values
from reports.services.records import (
    Value,
    report_create,
    report_lock,
    report_set_values,
    report_update,
    values_equal,
)
from reports.services.validation import report_validate
from reports.services.workflow import report_transition

log = logging.getLogger(__name__)

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
    if (written := _written_files.get()) is not None:
        written.append(source.file.name)
    source.full_clean()
    source.save()
    return source, True


# Files stored by the import running in this context: if its transaction rolls back, they go too.
_written_files: ContextVar[list[str] | None] = ContextVar("nianbao_written_files", default=None)


@contextmanager
def _files_removed_on_failure() -> Iterator[None]:
    written: list[str] = []
    token = _written_files.set(written)
    try:
        yield
    except BaseException:
        for name in written:  # the database rows that would have pointed at them were rolled back
            log.info("import failed: removing stored file %s", name)
            default_storage.delete(name)
        raise
    finally:
        _written_files.reset(token)


@dataclass
class ImportResult:
    """What one imported document did to the database."""

    action: str  # "created", "updated", "skipped"
    report: Report
    source: SourceDocument | None = None
    changed: list[str] = field(default_factory=list)  # cells written from the document
    kept: list[str] = field(default_factory=list)  # hand corrections kept although the new document differs
    kept_blank: list[str] = field(default_factory=list)  # numbers kept where the new document has none
    resubmitted: bool = False  # a returned report went back to 已提交 with the corrected document

    @property
    def message(self) -> str:
        if self.action == "created":
            return f"新建报告：{self.report}" + self._unconfirmed_note()
        if self.action == "skipped":
            return f"文件已导入过，跳过：{self.report}"
        msg = f"新版本（第 {self.source.version} 版）：{self.report}，更新 {len(self.changed)} 个单元格"
        if not self.changed:
            msg = f"新版本（第 {self.source.version} 版）：{self.report}，数字与已有报告相同，没有单元格改变（报告状态不变）"
        if self.kept:
            msg += f"，保留人工修改 {len(self.kept)} 个（可在对比页选择采用新值）"
        if self.kept_blank:
            msg += f"，新文件有 {len(self.kept_blank)} 个单元格为空或未能读出，保留原数值（请核对）"
        if self.resubmitted:
            msg += "；该报告曾被退回，已重新提交"
        return msg + self._unconfirmed_note()

    def _unconfirmed_note(self) -> str:
        n = self.report.unconfirmed_count
        return f"；待人工确认 {n} 格（未能读出或由勾稽关系推算，须录入或确认后才能通过）" if n else ""


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


def report_import(*, parsed, data: bytes, agency, year: int | None = None, user=None) -> ImportResult:
    """Store a parsed document (see ``_report_import``): all of it, or nothing — its stored file included.

    Two imports creating the same agency's report for the same year at the same moment: the database lets one
    create it; the other is then imported as a new version of that report (under its row lock), not lost.
    """
    for attempt in (1, 2):
        try:
            with _files_removed_on_failure():
                return _report_import(parsed=parsed, data=data, agency=agency, year=year, user=user)
        except IntegrityError:
            created_meanwhile = Report.objects.filter(agency=agency, year=year or parsed.year).exists()
            if attempt == 2 or not created_meanwhile:
                raise
            log.info("import of %s: the report was created meanwhile, importing as a new version", parsed.source)
    raise AssertionError("unreachable")


@transaction.atomic
def _report_import(*, parsed, data: bytes, agency, year: int | None = None, user=None) -> ImportResult:
    """Store a parsed document as a new report or as a new source version of an existing one.

    Values a reviewer corrected by hand (differing from every earlier source's reading) are kept, and so are
    numbers the new document leaves blank; the new document's value for such a cell is offered on the
    comparison page (report_source_diff / report_take_source_values) instead of overwriting it.
    """
    require_agency(user, agency)
    year = year or parsed.year
    if not year:
        raise ValidationError("无法确定报告年度，请指定年度。")
    report = Report.objects.select_for_update().filter(agency=agency, year=year).first()
    if report is None:
        report = report_create(
            agency=agency,
            year=year,
            user=user,
            values=parsed.values,
            reason=f"导入 {parsed.source}",
            status=ReportStatus.SUBMITTED,
            template_version=parsed.template or ("2019" if year < 2021 else "2021"),
            title=(parsed.title or "")[:200],
            published_on=parsed.publication_date,
            sections_found=_sections_found(parsed),
            printed_subtotals=_json_numbers(parsed.printed_subtotals),
            unread_keys=_unread_keys(parsed),
            inferred_keys=_inferred_keys(parsed),
            printed_breaks=[b.to_json() for b in parsed.printed_breaks],
            **_section_fields(parsed),
        )
        source, _ = source_document_add(report=report, data=data, filename=parsed.source, parsed=parsed, user=user)
        changed = [k for k in canonical.ALL_KEYS if parsed.values.get(k) is not None]
        report_validate(report=report)
        _log_import(report, source, user, changed=len(changed))
        return ImportResult("created", report, source, changed)

    digest = sha256_of(data)
    if report.sources.filter(sha256=digest).exists():
        return ImportResult("skipped", report, report.sources.get(sha256=digest))
    if report.is_locked:
        raise ReportLockedError(f"{report}已通过审核并锁定，新文件未导入；如需更新，请先重新打开报告。")
    require_may_edit(user, report.status)
    # Earlier sources' readings, newest first, loaded only as far as needed: most cells match the latest one.
    previous_sources = list(report.sources.order_by("-version").defer("parsed", "extracted_text"))
    pending = iter(previous_sources)
    loaded: list[dict[str, Value]] = []

    def readings() -> Iterator[dict[str, Value]]:
        yield from loaded
        for source in pending:
            if (reading := parsed_values_of(source)) is not None:
                loaded.append(reading)
                yield reading

    any_reading = next(readings(), None) is not None
    current = report_values(report)
    write: dict[str, Value] = {}
    kept: list[str] = []
    kept_blank: list[str] = []
    for key in canonical.ALL_KEYS:
        new = parsed.values.get(key)
        if values_equal(current[key], new):
            continue
        if not any_reading:  # the report was typed in by hand before any document arrived
            hand_corrected = current[key] is not None
        else:
            # A value one of the documents gave (perhaps kept when a later one left the cell blank) is the
            # documents' own, not a reviewer's correction: a newer document's reading replaces it.
            hand_corrected = not any(values_equal(current[key], r.get(key)) for r in readings())
        if hand_corrected:
            kept.append(key)
        elif new is None and current[key] is not None:
            # A number is never replaced by a blank automatically: the new document may simply have lost it.
            kept_blank.append(key)
        else:
            write[key] = new
    source, _ = source_document_add(report=report, data=data, filename=parsed.source, parsed=parsed, user=user)
    # texts are compared with the last document that had any (a spreadsheet carries none)
    text_source = next((p for p in previous_sources if not rules.tables_only(p.format)), None)
    update = report_update(
        report=report,
        values=write,
        fields=_text_updates(report=report, parsed=parsed, previous=text_source),
        user=user,
        reason=f"导入新版本 {parsed.source}",
        validate=False,
    )
    report, changed = update.report, update.changed
    report_validate(report=report)
    _log_import(report, source, user, changed=len(changed), kept=kept, kept_blank=kept_blank)
    # Only a file that changes some cell is the corrected version the reviewer asked for; the same figures again
    # leave the report where it is.
    resubmitted = report.status == ReportStatus.RETURNED and bool(changed)
    if resubmitted:  # the agency sent the corrected version the reviewer asked for: back into the queue
        report = report_transition(
            report=report, action="submit", user=user, reason=f"收到新版本 {parsed.source}，自动重新提交"
        )
    return ImportResult("updated", report, source, changed, kept, kept_blank, resubmitted)


def _log_import(
    report: Report, source: SourceDocument, user, *, changed: int, kept: list[str] = (), kept_blank: list[str] = ()
) -> None:
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.IMPORT,
        reason=f"{source.original_name}（第 {source.version} 版）",
        details={
            "source_id": source.pk,
            "version": source.version,
            "changed": changed,
            "kept": list(kept),
            "kept_blank": list(kept_blank),
        },
        user=user,
    )


def _unread_keys(parsed) -> list[str]:
    return [k for k in canonical.ALL_KEYS if (src := parsed.provenance.get(k)) is not None and src.missing]


def _inferred_keys(parsed) -> dict[str, str]:
    """Cells the reading filled by arithmetic, each with the identity it rests on (as the parser names it: on the
    cell's source, else the reading's I_INFERRED note about it)."""
    notes = {k: w.message for w in parsed.warnings if w.code == "I_INFERRED" for k in w.keys}
    found = {}
    for key in canonical.ALL_KEYS:
        src = parsed.provenance.get(key)
        if src is None or not src.inferred:
            continue
        identity = f"按{src.rests_on}推算" if getattr(src, "rests_on", "") else (notes.get(key) or "勾稽关系")
        found[key] = str(identity)[:200]
    return found


def _sections_found(parsed) -> list[str] | None:
    """None (unknown) for a spreadsheet, as the rules treat it when previewing the same document."""
    return None if rules.tables_only(parsed.format) else list(parsed.sections_found)


def _section_fields(parsed) -> dict[str, str]:
    if rules.tables_only(parsed.format):  # what a spreadsheet has around its tables is not the report's text
        return {}
    return {field_name: parsed.sections.get(key, "") or "" for key, field_name in SECTION_FIELDS.items()}


def _text_updates(*, report: Report, parsed, previous: SourceDocument | None) -> dict:
    """The new document's texts, except where the stored text was edited by hand since the last import; and what
    an import always refreshes (sections found, printed subtotals, unread cells)."""
    old = (previous.parsed or {}) if previous is not None else {}
    old_sections = old.get("sections", {})
    updates: dict = {}
    # A spreadsheet carries no text: a new version sent as one leaves the report's texts as they are.
    for key, field_name in ({} if rules.tables_only(parsed.format) else SECTION_FIELDS).items():
        stored = getattr(report, field_name)
        if stored == "" or stored == old_sections.get(key, stored):
            updates[field_name] = parsed.sections.get(key, "") or ""
    if parsed.title and report.title in ("", old.get("title")):
        updates["title"] = parsed.title[:200]
    if not rules.tables_only(parsed.format):
        updates["sections_found"] = _sections_found(parsed)
    updates["printed_subtotals"] = _json_numbers(parsed.printed_subtotals)
    updates["unread_keys"] = _unread_keys(parsed)
    updates["inferred_keys"] = _inferred_keys(parsed)
    updates["printed_breaks"] = [b.to_json() for b in parsed.printed_breaks]
    return updates


def _json_numbers(values: Mapping[str, Value]) -> dict:
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


@dataclass(frozen=True)
class DiffRow:
    key: str
    previous: Value  # what the previous source version was read as
    current: Value  # the stored value (perhaps corrected by hand)
    new: Value  # what the latest source version was read as

    @property
    def label(self) -> str:
        return canonical.short_label(self.key)


def report_source_diff(report: Report) -> tuple[SourceDocument | None, list[DiffRow]]:
    """Cells where the stored value differs from the latest source document's reading, side by side."""
    sources = list(report.sources.order_by("-version")[:2])
    if not sources:
        return None, []
    latest = parsed_values_of(sources[0]) or {}
    previous = parsed_values_of(sources[1]) if len(sources) > 1 else None
    current = report_values(report)
    rows = [
        DiffRow(k, (previous or {}).get(k), current[k], latest.get(k))
        for k in canonical.ALL_KEYS
        if not values_equal(current[k], latest.get(k))
    ]
    return sources[0], rows


NEWER_SOURCE = "您打开对比页之后又导入了新的来源文件，未采用：请刷新对比页后重新选择。"


@transaction.atomic
def report_take_source_values(
    *, report: Report, keys, user=None, base_version: int | None = None, source_id: int | None = None
) -> list[str]:
    """Adopt the latest source document's reading for the chosen cells (the reviewer's choice on the diff).

    ``source_id`` is the source the page compared with and ``base_version`` the report version it showed: a
    newer document imported meanwhile refuses the choice, and so does a chosen cell someone changed meanwhile.
    """
    report = report_lock(report.pk)
    if report.is_locked:
        raise ReportLockedError()
    source, rows = report_source_diff(report)
    if source_id is not None and (source is None or source.pk != source_id):
        raise ValidationError(NEWER_SOURCE, code="conflict")
    chosen = {r.key: r.new for r in rows if r.key in set(keys)}
    if not chosen:
        return []
    reason = f"采用来源文件第 {source.version} 版的读数"
    changed = report_set_values(report=report, values=chosen, user=user, reason=reason, base_version=base_version)
    ReportEvent.objects.create(
        report=report, kind=ReportEvent.Kind.VALUES, reason=reason, details={"keys": changed}, user=user
    )
    return changed
