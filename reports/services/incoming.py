"""Uploads between preview and confirmation, and the clean-up of whatever an upload or an import leaves behind.

An admin upload batch lives in MEDIA_ROOT/incoming/<token>/ (generated names and a manifest naming its owner):
each upload streamed to disk in chunks, a zip's members streamed out of it under the zip limits — never the pile in
memory. `incoming_cleanup` (the `cleanup_incoming` command; schedule it) removes batches nobody confirmed, the flat
import's confirm files, files an interrupted import wrote under sources/ without a database row, and old upload
records. Per user, uploads are counted (UploadLog) against an hourly allowance.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from reports.models import Job, SourceDocument, UploadLog
from reports.services import batch

log = logging.getLogger(__name__)

INCOMING = "incoming"
FLAT_IMPORT = "flat-import"
SOURCES = "sources"
CHUNK = 1024 * 1024

HOURLY_ALLOWANCE = "您在最近一小时内已上传 {used}，再上传 {size} 将超过每小时 {limit} 的上限，请稍后再上传。"
BATCH_GONE = "导入批次已过期或已处理，请重新上传。"
STORAGE_FAILED = "服务器无法保存上传的文件（存储目录不可写或磁盘已满），未导入：请联系管理员。"


class BatchGone(Exception):
    """The batch does not exist (never did, was confirmed, or was cleaned up)."""


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def media_path(*parts: str) -> Path:
    return Path(settings.MEDIA_ROOT).joinpath(*parts)


# --- the hourly allowance -----------------------------------------------------------------------------------


def upload_allowance_check(*, user, size: int) -> None:
    """Refuse (ValidationError, Chinese) an upload that would take the user past the hourly allowance."""
    limit = settings.NIANBAO_UPLOAD_MAX_BYTES_PER_HOUR
    if user is None or not limit:
        return
    since = timezone.now() - timedelta(hours=1)
    used = UploadLog.objects.filter(user=user, at__gte=since).aggregate(n=Sum("size"))["n"] or 0
    if used + size > limit:
        raise ValidationError(
            HOURLY_ALLOWANCE.format(used=_mb(used), size=_mb(size), limit=_mb(limit)), code="allowance"
        )


def upload_record(*, user, size: int, files: int, kind: str) -> None:
    if user is not None:
        UploadLog.objects.create(user=user, size=size, files=files, kind=kind)


# --- admin upload batches -----------------------------------------------------------------------------------


def batch_dir(token: str) -> Path:
    if not token or not token.isascii() or not token.isalnum() or len(token) > 64:
        raise BatchGone
    return media_path(INCOMING, token)


@dataclass
class _Spool:
    """Files of one batch, under names the server chose (0000.bin, 0001.bin …)."""

    folder: Path
    count: int = 0
    entries: list[dict] = field(default_factory=list)

    def new_path(self) -> Path:
        path = self.folder / f"{self.count:04d}.bin"
        self.count += 1
        return path

    def write(self, label: str, chunks: Iterator[bytes]) -> batch.Incoming:
        path = self.new_path()
        try:
            with path.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return batch.Incoming(label, path=path)


def batch_create(*, user, uploads: Iterable) -> str:
    """Stream uploaded files (Django UploadedFile objects) into a new batch folder; returns its token.

    Raises ValidationError (the hourly allowance) or OSError (storage not writable; nothing is left behind).
    """
    uploads = list(uploads)
    size = sum(u.size for u in uploads)
    upload_allowance_check(user=user, size=size)
    token = secrets.token_hex(16)
    folder = batch_dir(token)
    try:
        folder.mkdir(parents=True)
        spool = _Spool(folder)
        items: list[batch.Incoming] = []
        limit = settings.NIANBAO_MAX_UPLOAD_BYTES
        for upload in uploads:
            if upload.size > limit:
                items.append(batch.Incoming(upload.name, error=f"文件超过大小上限（{_mb(upload.size)}），未导入。"))
                continue
            stored = spool.write(upload.name, upload.chunks(CHUNK))
            expanded = batch.expand_file(upload.name, stored.path, spool.write)
            if expanded != [stored]:  # a zip pile: its members are stored now, the zip itself is not needed
                stored.path.unlink(missing_ok=True)
            items.extend(expanded)
        manifest = {
            "user": getattr(user, "pk", None),
            "created": time.time(),
            "files": [{"name": i.name, "path": i.path.name if i.path else "", "error": i.error} for i in items],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    upload_record(user=user, size=size, files=len(uploads), kind=UploadLog.Kind.DOCUMENTS)
    return token


def batch_load(*, token: str, user) -> list[batch.Incoming]:
    """The batch's documents (on disk, read when needed). BatchGone, or PermissionDenied for another's batch."""
    folder = batch_dir(token)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BatchGone
    if manifest.get("user") != getattr(user, "pk", None):
        raise PermissionDenied
    return [
        batch.Incoming(f["name"], error=f["error"], path=(folder / f["path"]) if f["path"] else None)
        for f in manifest["files"]
    ]


def batch_retry(*, user, items: list[batch.Incoming], reasons: list[str]) -> str:
    """A new batch of the files that failed to import, each with why (the admin shows it as a retry list)."""
    token = secrets.token_hex(16)
    folder = batch_dir(token)
    try:
        folder.mkdir(parents=True)
        spool = _Spool(folder)
        files = []
        for item, reason in zip(items, reasons, strict=True):
            path = spool.new_path()
            if item.path is not None:
                shutil.copyfile(item.path, path)
            else:
                path.write_bytes(item.data)
            files.append({"name": item.name, "path": path.name, "error": item.error, "failed": reason})
        manifest = {"user": getattr(user, "pk", None), "created": time.time(), "files": files}
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return token


def batch_reasons(token: str) -> list[str]:
    """Why each file of a retry batch failed last time ("" for a fresh upload)."""
    try:
        manifest = json.loads((batch_dir(token) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [f.get("failed", "") for f in manifest.get("files", [])]


def batch_delete(token: str) -> None:
    try:
        shutil.rmtree(batch_dir(token), ignore_errors=True)
    except BatchGone:
        pass


# --- clean-up -----------------------------------------------------------------------------------------------


@dataclass
class Cleanup:
    batches: int = 0
    flat_files: int = 0
    orphans: list[str] = field(default_factory=list)
    upload_logs: int = 0
    freed: int = 0

    def __str__(self) -> str:
        return (
            f"过期导入批次 {self.batches} 个，数字表临时文件 {self.flat_files} 个，"
            f"中断导入遗留的文件 {len(self.orphans)} 个，共释放 {_mb(self.freed)}；旧上传记录 {self.upload_logs} 条"
        )


def incoming_cleanup(*, batch_age: timedelta | None = None, orphan_age: timedelta | None = None) -> Cleanup:
    """Remove what nobody will use any more (safe to run at any time, e.g. from a scheduler every hour):

    - upload batches and flat-import files older than ``batch_age`` (NIANBAO_INCOMING_TTL_HOURS): previews nobody
      confirmed;
    - files under sources/ that no SourceDocument names and older than ``orphan_age``
      (NIANBAO_ORPHAN_GRACE_MINUTES, so an import still in its transaction is never touched): written by an
      import that was killed or failed before its row was committed;
    - upload records older than a day (the allowance counts one hour).
    """
    batch_age = batch_age if batch_age is not None else timedelta(hours=settings.NIANBAO_INCOMING_TTL_HOURS)
    orphan_age = orphan_age if orphan_age is not None else timedelta(minutes=settings.NIANBAO_ORPHAN_GRACE_MINUTES)
    result = Cleanup()
    now = time.time()
    root = media_path(INCOMING)
    if root.is_dir():
        # a batch whose files are being read or imported by a background job is in use, however old
        busy = set(
            Job.objects.filter(kind=Job.Kind.IMPORT, phase__in=[Job.Phase.READING, Job.Phase.IMPORTING])
            .exclude(token=None)
            .values_list("token", flat=True)
        )
        for folder in root.iterdir():
            if folder.name in busy:
                continue
            if folder.is_dir() and folder.stat().st_mtime < now - batch_age.total_seconds():
                result.freed += _size(folder)
                shutil.rmtree(folder, ignore_errors=True)
                result.batches += 1
    flat = media_path(FLAT_IMPORT)
    if flat.is_dir():
        for path in flat.rglob("*"):
            if path.is_file() and path.stat().st_mtime < now - batch_age.total_seconds():
                result.freed += path.stat().st_size
                path.unlink(missing_ok=True)
                result.flat_files += 1
    removed = sources_orphans_remove(older_than=orphan_age)
    result.orphans = [name for name, _ in removed]
    result.freed += sum(size for _, size in removed)
    result.upload_logs, _ = UploadLog.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    if result.batches or result.flat_files or result.orphans:
        log.info("cleanup: %s", result)
    return result


def sources_orphans_remove(*, older_than: timedelta) -> list[tuple[str, int]]:
    """Delete stored source files no database row refers to (left by an interrupted import): (name, size) each."""
    root = media_path(SOURCES)
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than.total_seconds()
    candidates = {
        path.relative_to(media_path()).as_posix(): path
        for path in root.rglob("*")
        if path.is_file() and path.stat().st_mtime < cutoff
    }
    if not candidates:
        return []
    if len(candidates) < 5000:
        known = set(SourceDocument.objects.filter(file__in=list(candidates)).values_list("file", flat=True))
    else:
        known = set(SourceDocument.objects.values_list("file", flat=True).iterator())
    removed = []
    for name, path in sorted(candidates.items()):
        if name in known:
            continue
        size = path.stat().st_size
        path.unlink(missing_ok=True)
        removed.append((name, size))
        log.warning("removed %s: a stored source file without a database row (an interrupted import)", name)
    return removed


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
