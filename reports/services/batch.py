"""A pile of uploaded files → documents → previews → imports. Shared by the admin page and import_reports.

Bad input never stops the batch: every file gets its own clear message, and each file lands whole or not at all.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agencies.models import Agency
from agencies.services import AgencyMatch, agency_create, agency_match
from reports import rules
from reports.access import HANDED_IN, agencies_actable_by, may_edit_content, sees_all
from reports.choices import ReportStatus
from reports.models import Report, ReportEvent
from reports.parsing import ParsedReport
from reports.parsing.limits import TooLarge, ZipLimits, check_zip_member, iter_member
from reports.services.imports import ImportResult, report_import, sha256_of
from reports.services.validation import report_facts, report_validate, rule_config
from reports.workers import parse_job

ZIP_SUFFIXES = (".zip",)
SKIPPED_MEMBERS = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass
class Incoming:
    """One document of the pile: its name (zip members as "pile.zip/dir/name.pdf") and bytes, or why not.

    The bytes are in memory (``data``, the command line) or on disk (``path``, an admin upload batch, read only
    when needed so a pile of uploads is never all in memory at once)."""

    name: str
    data: bytes = b""
    error: str = ""
    path: Path | None = None

    def read(self) -> bytes:
        return self.path.read_bytes() if self.path is not None else self.data


def _limits() -> tuple[int, int, int]:
    return settings.NIANBAO_MAX_UPLOAD_BYTES, settings.NIANBAO_ZIP_MAX_MEMBERS, settings.NIANBAO_ZIP_MAX_BYTES


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


# Where a zip member's bytes go: into memory (command line) or a file of the upload batch (admin).
Sink = Callable[[str, Iterator[bytes]], Incoming]


def _to_memory(label: str, chunks: Iterator[bytes]) -> Incoming:
    return Incoming(label, b"".join(chunks))


def expand(name: str, data: bytes) -> list[Incoming]:
    """A single upload: itself, or the members of a zip (checked for size, count, nesting and path tricks)."""
    max_bytes, _, _ = _limits()
    if len(data) > max_bytes:
        return [Incoming(name, error=f"文件超过大小上限（{_mb(len(data))} > {_mb(max_bytes)}），未导入。")]
    if name.lower().endswith(ZIP_SUFFIXES) or data[:4] == b"PK\x03\x04" and _is_plain_zip(BytesIO(data)):
        return _expand_zip(name, BytesIO(data), _to_memory)
    return [Incoming(name, data)]


def expand_file(name: str, path: Path, sink: Sink) -> list[Incoming]:
    """An upload already streamed to ``path``: itself, or its zip members streamed through ``sink`` (to disk)."""
    max_bytes, _, _ = _limits()
    size = path.stat().st_size
    if size > max_bytes:
        return [Incoming(name, error=f"文件超过大小上限（{_mb(size)} > {_mb(max_bytes)}），未导入。")]
    with path.open("rb") as fh:
        is_pile = name.lower().endswith(ZIP_SUFFIXES) or fh.read(4) == b"PK\x03\x04" and _is_plain_zip(fh)
        if is_pile:
            fh.seek(0)
            return _expand_zip(name, fh, sink)
    return [Incoming(name, path=path)]


def _is_plain_zip(source: BinaryIO) -> bool:
    """A zip that is not itself an Office document (docx/xlsx are zips too)."""
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return "[Content_Types].xml" not in names and "mimetype" not in names


def _member_name(info: zipfile.ZipInfo) -> str:
    # Zips made on Chinese Windows carry GBK names without the UTF-8 flag; zipfile decodes them as cp437.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


class _PileTooBig(Exception):
    pass


def _expand_zip(name: str, source: BinaryIO, sink: Sink) -> list[Incoming]:
    max_bytes, max_members, max_total = _limits()
    member_limits = ZipLimits(max_members=max_members, max_member_bytes=max_bytes, max_total_bytes=max_total)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [Incoming(name, error="压缩包已损坏或不完整，无法打开。")]
    out: list[Incoming] = []
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        infos = [i for i in infos if not any(s in _member_name(i) for s in SKIPPED_MEMBERS)]
        if len(infos) > max_members:
            return [Incoming(name, error=f"压缩包内文件过多（{len(infos)} 个，上限 {max_members} 个），未导入。")]
        declared = sum(i.file_size for i in infos)
        if declared > max_total:
            return [Incoming(name, error=f"压缩包解压后过大（{_mb(declared)}，上限 {_mb(max_total)}），未导入。")]
        total = 0

        def counted(chunks: Iterator[bytes]) -> Iterator[bytes]:
            nonlocal total
            for chunk in chunks:
                total += len(chunk)
                if total > max_total:
                    raise _PileTooBig
                yield chunk

        for info in infos:
            member = _member_name(info)
            label = f"{name}/{member}"
            path = PurePosixPath(member.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or member.startswith(("/", "\\")) or ":" in path.parts[0]:
                out.append(Incoming(label, error="压缩包内的文件路径不安全（含 ../ 或绝对路径），已拒绝。"))
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                out.append(Incoming(label, error="压缩包内的符号链接已拒绝。"))
                continue
            if member.lower().endswith(ZIP_SUFFIXES + (".rar", ".7z", ".tar", ".gz")):
                out.append(Incoming(label, error="压缩包内不能再嵌套压缩包，请解压后分别上传。"))
                continue
            if info.file_size > max_bytes:
                out.append(Incoming(label, error=f"文件超过大小上限（{_mb(info.file_size)}），未导入。"))
                continue
            try:
                check_zip_member(info, member_limits, label)
                # streamed, never more than the member declared: a header that lies is caught here
                item = sink(label, counted(iter_member(archive, info, label, member_limits)))
            except _PileTooBig:
                return [Incoming(name, error="压缩包解压后超过大小上限（可能是压缩炸弹），未导入。")]
            except TooLarge as exc:
                out.append(Incoming(label, error=f"{exc.message}。"))
                continue
            except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError) as exc:
                reason = "已加密" if isinstance(exc, RuntimeError) else "已损坏"
                out.append(Incoming(label, error=f"压缩包内的文件{reason}，无法读取。"))
                continue
            if _is_zip_archive(item):
                out.append(Incoming(label, error="压缩包内不能再嵌套压缩包，请解压后分别上传。"))
                if item.path is not None:
                    item.path.unlink(missing_ok=True)
                continue
            out.append(item)
    if not out:
        return [Incoming(name, error="压缩包是空的。")]
    return out


def _is_zip_archive(item: Incoming) -> bool:
    if item.path is None:
        return item.data[:4] == b"PK\x03\x04" and _is_plain_zip(BytesIO(item.data))
    with item.path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04" and _is_plain_zip(fh)


# What a folder may hold besides reports is left alone when walking it (a file named on its own is always tried).
DOCUMENT_SUFFIXES = frozenset(
    {".txt", ".htm", ".html", ".docx", ".doc", ".wps", ".rtf", ".pdf", ".xlsx", ".xls", ".zip"}
    | {".jpg", ".jpeg", ".png", ".tif", ".tiff"}  # scanned pages (OCR)
)


def collect_paths(paths: Iterable[str | os.PathLike], *, skipped: list[Path] | None = None) -> Iterator[Incoming]:
    """Files, folders (recursively, sorted) and zips given on the command line. In folders, files that are not
    documents by their extension (notes, labels) are left out and added to ``skipped``."""
    max_bytes, _, _ = _limits()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = []
            for p in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                if p.suffix.lower() in DOCUMENT_SUFFIXES:
                    files.append(p)
                elif skipped is not None:
                    skipped.append(p)
        elif path.exists():
            files = [path]
        else:
            yield Incoming(str(path), error="文件不存在。")
            continue
        for file in files:
            size = file.stat().st_size
            if size > max_bytes:
                yield Incoming(str(file), error=f"文件超过大小上限（{_mb(size)} > {_mb(max_bytes)}），未导入。")
                continue
            yield from expand(str(file), file.read_bytes())


# --- reading and preview ------------------------------------------------------------------------------------


@dataclass
class Preview:
    """What one document would do, shown before anything is written."""

    incoming: Incoming
    parsed: ParsedReport | None = None
    error: str = ""
    match: AgencyMatch | None = None
    agency: Agency | None = None
    year: int | None = None
    existing: Report | None = None
    action: str = ""  # "create", "update", "skip", "locked", "needs_agency", "failed"
    issues: list = field(default_factory=list)
    _sha256: str | None = field(default=None, repr=False)

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = sha256_of(self.incoming.read())
        return self._sha256

    def other_agency_warning(self, agency: Agency | None) -> str:
        """A warning when the document names itself, and not as ``agency`` (nor as a near-match of it)."""
        own = (self.parsed.agency or "").strip() if self.parsed is not None else ""
        if not own or agency is None:
            return ""
        match = agency_match(own, queryset=Agency.objects.filter(pk=agency.pk))
        if match.agency is not None or match.strong:
            return ""
        return (
            f"文件自称“{own}”，已按所选机关“{agency}”导入：请核对该文件确属本机关"
            f"（若“{own}”是本机关的另一称呼，可在机关单位中添加为别名）。"
        )

    @property
    def suggested_kind(self) -> str:
        """The kind a new agency of this name most likely is (乡镇/街道, 县直部门, 县政府), else 其他."""
        name = self.parsed.agency if self.parsed is not None else None
        return rules.guess_agency_kind(name) or Agency.Kind.OTHER

    @property
    def action_label(self) -> str:
        if self.action == "update" and self.existing is not None and self.existing.status == ReportStatus.RETURNED:
            return "作为已退回报告的新版本导入，并重新提交"
        return {
            "create": "新建报告",
            "update": "作为已有报告的新版本导入",
            "skip": "相同文件已导入，跳过",
            "locked": "报告已通过并锁定，不能导入",
            "handed_in": HANDED_IN,
            "needs_agency": "请选择机关",
            "failed": "无法导入",
        }.get(self.action, self.action)


def parse_incoming(incoming: Incoming) -> tuple[ParsedReport | None, str]:
    """Parse one document; any failure becomes a Chinese message (never a traceback)."""
    if incoming.error:
        return None, incoming.error
    try:
        data = incoming.read()
    except OSError:  # an upload batch's file removed meanwhile (cleaned up after hours unconfirmed)
        return None, "上传的文件已不在服务器上（导入批次可能已过期），请重新上传。"
    return parse_job((incoming.name, data, ""))


def preview(
    incoming: Incoming,
    *,
    user=None,
    parsed: ParsedReport | None = None,
    error: str = "",
    agency: Agency | None = None,
    year: int | None = None,
) -> Preview:
    """Parse (unless given), match the agency, validate, and say what importing would do."""
    if parsed is None and not error:
        parsed, error = parse_incoming(incoming)
    result = Preview(incoming, parsed=parsed, error=error)
    if parsed is None:
        result.action = "failed"
        return result
    visible = agencies_actable_by(user)
    result.match = agency_match(parsed.agency, queryset=visible)
    result.agency = agency or result.match.agency
    result.year = year or parsed.year
    if result.year is None:
        result.error = "无法从文件中读出年度，请指定年度。"
    if result.agency is None or result.year is None:
        result.action = "needs_agency" if result.year else "failed"
        result.issues = rules.evaluate(rules.ReportFacts.from_parsed(parsed), rule_config())
        return result
    result.existing = Report.objects.filter(agency=result.agency, year=result.year).first()
    previous = Report.objects.filter(agency=result.agency, year=result.year - 1).first()
    facts = rules.ReportFacts.from_parsed(
        parsed,
        agency_kind=result.agency.kind,
        has_rulemaking_power=True if result.agency.has_rulemaking_power else None,
        previous=report_facts(previous) if previous is not None else None,
    )
    result.issues = rules.evaluate(facts, rule_config())
    if result.existing is None:
        result.action = "create"
    elif result.existing.sources.filter(sha256=result.sha256).exists():
        result.action = "skip"
    elif result.existing.is_locked:
        result.action = "locked"
    elif not may_edit_content(user, result.existing.status, result.existing.agency_id):
        result.action = "handed_in"
    else:
        result.action = "update"
    return result


def import_preview(
    item: Preview, *, user=None, create_agency: str = "", agency_kind: str = Agency.Kind.OTHER
) -> ImportResult:
    """Import one previewed document. Raises ValidationError / PermissionDenied with a Chinese message.

    Runs in one transaction: the new agency (if asked for), the report, its rows, the stored file and the
    history land together or not at all.
    """
    if item.parsed is None:
        raise ValidationError(item.error or "文件无法解析。")
    with transaction.atomic():
        agency = item.agency
        if agency is None and create_agency:
            if user is not None and not user.has_perm("agencies.add_agency"):
                raise PermissionDenied("您没有新建机关的权限。")
            agency = agency_create(name=create_agency, kind=agency_kind)
        if agency is None:
            names = "、".join(a.name for a in (item.match.candidates if item.match else [])) or "无"
            only_own = "；填报员只能导入本机关的报告" if user is not None and not sees_all(user) else ""
            raise ValidationError(
                f"未能确定机关“{item.parsed.agency or '（文件未写明）'}”（候选：{names}{only_own}）。"
            )
        if item.year is None:
            raise ValidationError("无法确定报告年度。")
        result = report_import(parsed=item.parsed, data=item.incoming.read(), agency=agency, year=item.year, user=user)
        if result.action != "skipped" and (warning := item.other_agency_warning(agency)):
            _flag_other_agency(result.report, (item.parsed.agency or "").strip(), warning, user)
        return result


def _flag_other_agency(report: Report, named: str, warning: str, user) -> None:
    """A file naming another agency stays flagged on the report: a warning issue (R26, until a reviewer marks it
    已核实) and a line in 修改记录."""
    Report.objects.filter(pk=report.pk).update(named_as=named[:200])
    ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.IMPORT, reason=warning, user=user)
    report.refresh_from_db()
    report_validate(report=report)
