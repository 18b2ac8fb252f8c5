"""Background jobs: the admin's batch import (each file read by its own task, then the confirmed files imported by
one job), a year's check in chunks, and the sweeps. The tasks (reports/tasks.py) only call these functions.

Every step is idempotent and records what it did in the database (reports.models.Job / JobItem) in the same
transaction as the work itself, so a worker killed at any point leaves each file imported whole or not at all,
and the message delivered again (acks_late) or sent again by ``jobs_resume_stalled`` finishes the job without
doing anything twice (a report's source file is also unique by SHA-256).
"""

from __future__ import annotations

import logging
import os
import pickle
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from agencies.models import Agency
from reports.access import agencies_visible_to
from reports.dbhealth import reconnect_if_broken
from reports.models import Job, JobItem, Report
from reports.parsing import ParsedReport
from reports.services import batch, incoming

log = logging.getLogger(__name__)

# A file whose reading was interrupted this many times (the worker died each time: a document that kills its
# reader) is given up with a message instead of being tried for ever.
MAX_READ_ATTEMPTS = 3
READ_INTERRUPTED = "读取该文件时处理进程多次中断，未能读取；请点击“重试”或联系管理员。"
# Reading failures that say nothing about the document: worth reading again.
RETRYABLE = (READ_INTERRUPTED, incoming.STORAGE_FAILED)
DATABASE_FAILED = "数据库连接中断，未能导入；请稍后重新上传此文件"
CONFLICT = "与同时进行的其他导入冲突，请重新导入此文件"
NOT_TICKED = {
    "skip": "相同文件已导入，跳过",
    "locked": "报告已通过并锁定，未导入（如需更新，请先重新打开报告）",
    "handed_in": "报告已提交审核，填报员不能再导入新版本",
    "failed": "无法导入",
}


def enqueue(task, *args) -> None:
    """Send a task; with the broker-less default (memory://) this process's own worker thread runs it."""
    from config.celery import ensure_embedded_worker

    ensure_embedded_worker()
    try:
        task.delay(*args)
    except OperationalError:  # the broker is down: the part stays pending in the database, resume_stalled sends it
        log.exception("cannot queue %s%r; it will be sent again by resume_stalled", task.name, args)


# --- reading an upload batch ---------------------------------------------------------------------------------


def import_job_start(*, token: str, user, items: list[batch.Incoming]) -> Job:
    """Record a stored upload batch as a job, one item per file, and send each file to be read (after the rows
    are committed: a worker must find them). IntegrityError when the batch has its job already."""
    with transaction.atomic():
        job = _import_job_create(token=token, user=user, items=items)
    _read_all_pending(job)
    return job


def _import_job_create(*, token: str, user, items: list[batch.Incoming]) -> Job:
    job = Job.objects.create(kind=Job.Kind.IMPORT, token=token, user=user, phase=Job.Phase.READING)
    JobItem.objects.bulk_create(
        [
            JobItem(
                job=job,
                n=n,
                name=item.name[:500],
                payload={"stored": item.path.name if item.path is not None else ""},
                # refused at upload (too big, unsafe zip member …): nothing to read
                state=JobItem.State.FAILED if item.error else JobItem.State.PENDING,
                error=item.error,
            )
            for n, item in enumerate(items)
        ]
    )
    return job


def _read_all_pending(job: Job) -> None:
    from reports import tasks

    pending = list(job.items.filter(state=JobItem.State.PENDING).values_list("pk", flat=True))
    if not pending:
        _ready_if_read(job.pk)
    for pk in pending:
        enqueue(tasks.read_file, pk)


def _reading_path(job: Job, item: JobItem):
    return incoming.batch_dir(job.token) / f"{item.payload['stored']}.parsed"


def import_item_read(item_id: int) -> None:
    """Read one uploaded file (OCR of a scan included) and keep the reading beside it; idempotent."""
    with transaction.atomic():
        item = JobItem.objects.select_for_update(of=("self",)).select_related("job").filter(pk=item_id).first()
        if item is None or item.state != JobItem.State.PENDING or item.job.phase != Job.Phase.READING:
            return  # done already (a message delivered twice), or the batch was confirmed or removed
        item.attempts += 1
        if item.attempts > MAX_READ_ATTEMPTS:
            item.state, item.error = JobItem.State.FAILED, READ_INTERRUPTED
        item.save(update_fields=["attempts", "state", "error", "touched"])
    if item.state == JobItem.State.PENDING:
        job = item.job
        try:
            path = incoming.batch_dir(job.token) / item.payload["stored"]
        except incoming.BatchGone:
            return
        parsed, error = batch.parse_incoming(batch.Incoming(item.name, path=path))
        if parsed is not None:
            target = _reading_path(job, item)
            partial = target.with_name(f"{target.name}.{secrets.token_hex(4)}.part")
            try:  # written whole, then renamed: a reader never sees half a file
                partial.write_bytes(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(partial, target)
            except OSError:
                log.exception("cannot keep the reading of %s", item.name)
                partial.unlink(missing_ok=True)
                parsed, error = None, incoming.STORAGE_FAILED
        state = JobItem.State.DONE if parsed is not None else JobItem.State.FAILED
        JobItem.objects.filter(pk=item.pk, state=JobItem.State.PENDING).update(
            state=state, error=error, touched=timezone.now()
        )
    _ready_if_read(item.job_id)


def _ready_if_read(job_id: int) -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.phase != Job.Phase.READING:
            return
        if not job.items.filter(state=JobItem.State.PENDING).exists():
            job.phase = Job.Phase.READY
            job.save(update_fields=["phase", "touched"])


def import_read_retry(job: Job) -> int:
    """Send the files whose reading failed to be read again (e.g. after an interrupted worker); how many."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.phase not in (Job.Phase.READING, Job.Phase.READY):
            return 0
        retry = job.items.filter(state=JobItem.State.FAILED, error__in=RETRYABLE).exclude(payload__stored="")
        count = retry.update(state=JobItem.State.PENDING, error="", attempts=0, touched=timezone.now())
        if count:
            job.phase = Job.Phase.READING
            job.save(update_fields=["phase", "touched"])
    if count:
        _read_all_pending(job)
    return count


@dataclass
class Progress:
    total: int
    done: int
    failed: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def import_progress(job: Job) -> Progress:
    items = job.items.all()
    if job.phase in (Job.Phase.IMPORTING, Job.Phase.DONE):
        ticked = items.exclude(outcome=JobItem.Outcome.UNTICKED)
        return Progress(
            total=ticked.count(),
            done=ticked.exclude(outcome=JobItem.Outcome.QUEUED).count(),
            failed=ticked.filter(outcome=JobItem.Outcome.FAILED).count(),
        )
    return Progress(
        total=items.count(),
        done=items.exclude(state=JobItem.State.PENDING).count(),
        failed=items.filter(state=JobItem.State.FAILED).count(),
    )


def import_readings(job: Job, items: list[batch.Incoming]) -> list[tuple[ParsedReport | None, str]]:
    """What each file of a read batch was read as (a reading file gone: that file must be read again)."""
    out: list[tuple[ParsedReport | None, str]] = []
    by_n = {i.n: i for i in job.items.all()}
    for n, _ in enumerate(items):
        item = by_n.get(n)
        if item is None or item.state != JobItem.State.DONE:
            out.append((None, item.error if item is not None else incoming.BATCH_GONE))
            continue
        try:
            parsed = pickle.loads(_reading_path(job, item).read_bytes())  # written by our own reader, above
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            out.append((None, incoming.BATCH_GONE))
            continue
        out.append((parsed, ""))
    return out


# --- importing a confirmed batch -----------------------------------------------------------------------------


def import_job_confirm(job: Job, choices: dict[int, dict]) -> bool:
    """Queue the confirmed batch's import: ``choices`` per ticked file (agency id, new agency name and kind,
    year). False when the batch was confirmed already (a second click, another tab)."""
    from reports import tasks

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.phase != Job.Phase.READY:
            return False
        job.params = {"choices": {str(n): c for n, c in choices.items()}}
        job.phase = Job.Phase.IMPORTING
        job.save(update_fields=["params", "phase", "touched"])
        job.items.filter(n__in=list(choices)).update(outcome=JobItem.Outcome.QUEUED)
        job.items.exclude(n__in=list(choices)).update(outcome=JobItem.Outcome.UNTICKED)
    enqueue(tasks.import_batch, job.pk)
    return True


def import_job_run(job_id: int) -> None:
    """Import every queued file of a confirmed batch, in upload order; idempotent (each file's outcome is written
    in the same transaction as its import, and a file with an outcome is not touched again)."""
    job = Job.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.phase != Job.Phase.IMPORTING:
        return
    user = job.user
    try:
        items = incoming.batch_load(token=job.token, user=user)
    except (incoming.BatchGone, PermissionDenied):
        job.items.filter(outcome=JobItem.Outcome.QUEUED).update(
            outcome=JobItem.Outcome.FAILED, message=incoming.BATCH_GONE, level=messages.ERROR
        )
        _finish(job, items=[])
        return
    readings = import_readings(job, items)
    choices = {int(n): c for n, c in job.params.get("choices", {}).items()}
    for row in job.items.filter(outcome__in=[JobItem.Outcome.QUEUED, JobItem.Outcome.UNTICKED]):
        if row.result:  # done already (this job delivered a second time)
            continue
        parsed, error = readings[row.n]
        if row.outcome == JobItem.Outcome.UNTICKED:
            _note_unticked(row, items[row.n], parsed, error, user)
            continue
        _import_one(row, items[row.n], parsed, error, user, choices.get(row.n, {}))
    _finish(job, items)


def _note_unticked(row: JobItem, item: batch.Incoming, parsed, error: str, user) -> None:
    p = batch.preview(item, user=user, parsed=parsed, error=error)
    why = NOT_TICKED.get(p.action, "未勾选，未导入")
    if p.action == "failed":  # a file that cannot be read: reported, not retried as it is
        why = f"{why}：{p.error.rstrip('。')}" if p.error else why
    JobItem.objects.filter(pk=row.pk).update(
        touched=timezone.now(),
        message=f"文件“{item.name}”：{why}。",
        level=messages.INFO,
        result={"messages": [[messages.INFO, f"文件“{item.name}”：{why}。"]], "unreadable": p.action == "failed"},
    )


def _import_one(row: JobItem, item: batch.Incoming, parsed, error: str, user, choice: dict) -> None:
    try:
        with transaction.atomic():
            locked = JobItem.objects.select_for_update().get(pk=row.pk)
            if locked.outcome != JobItem.Outcome.QUEUED:
                return  # imported meanwhile by a second delivery of this job
            outcome, said, why = _import_file(item, parsed, error, user, choice)
            locked.outcome = outcome
            locked.level, locked.message = said[0]
            locked.error = why
            locked.result = {"messages": said}
            locked.save(update_fields=["outcome", "level", "message", "error", "result", "touched"])
    except DatabaseError:  # the connection dropped, the database restarted …: this file is not imported
        log.exception("import of %s failed on the database", item.name)
        reconnect_if_broken()
        said = [[messages.ERROR, f"文件“{item.name}”：{DATABASE_FAILED}（该文件未导入）"]]
        JobItem.objects.filter(pk=row.pk, outcome=JobItem.Outcome.QUEUED).update(
            touched=timezone.now(),
            outcome=JobItem.Outcome.FAILED,
            error=DATABASE_FAILED,
            level=messages.ERROR,
            message=said[0][1],
            result={"messages": said},
        )


def _import_file(item: batch.Incoming, parsed, error: str, user, choice: dict) -> tuple[str, list, str]:
    """(outcome, messages, reason to retry) of importing one file, which lands whole or not at all."""
    agency = None
    if choice.get("agency") is not None:
        agency = agencies_visible_to(user).filter(pk=choice["agency"]).first()
    try:
        with transaction.atomic():
            p = batch.preview(item, user=user, parsed=parsed, error=error, agency=agency, year=choice.get("year"))
            if p.action == "skip":
                return (
                    JobItem.Outcome.SKIPPED,
                    [[messages.INFO, f"文件“{item.name}”：相同文件已导入，跳过（报告未改变）。"]],
                    "",
                )
            result = batch.import_preview(
                p, user=user, create_agency=choice.get("create", ""), agency_kind=choice.get("kind", Agency.Kind.OTHER)
            )
    except (ValidationError, PermissionDenied) as exc:
        why = _messages_of(exc)
        return JobItem.Outcome.FAILED, [[messages.ERROR, f"文件“{item.name}”：{why}（该文件未导入）"]], why
    except IntegrityError:  # e.g. a colleague imported the same agency and year at the same moment
        log.warning("import of %s hit a concurrent write", item.name, exc_info=True)
        return JobItem.Outcome.FAILED, [[messages.ERROR, f"文件“{item.name}”：{CONFLICT}（该文件未导入）"]], CONFLICT
    except OSError:  # MEDIA_ROOT not writable, disk full, the batch's file gone
        log.exception("import of %s could not store or read its file", item.name)
        why = incoming.STORAGE_FAILED
        return JobItem.Outcome.FAILED, [[messages.ERROR, f"文件“{item.name}”：{why}"]], why
    level = messages.WARNING if result.kept or result.kept_blank else messages.SUCCESS
    said = [[level, f"文件“{item.name}”：{result.message}"]]
    if warning := p.other_agency_warning(result.report.agency):
        said.append([messages.WARNING, f"文件“{item.name}”：{warning}"])
    return JobItem.Outcome.IMPORTED, said, ""


def _messages_of(exc) -> str:
    from reports.admin.workflow import messages_of

    return messages_of(exc)


def _finish(job: Job, items: list[batch.Incoming]) -> None:
    """All files done: keep the failed ones as a retry batch, remove the upload batch, close the job."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.phase != Job.Phase.IMPORTING or job.items.filter(outcome=JobItem.Outcome.QUEUED).exists():
            return
        rows = list(job.items.all())
        failed = [r for r in rows if r.outcome == JobItem.Outcome.FAILED and r.error]
        retry = ""
        if failed and items:
            try:
                retry = incoming.batch_retry(
                    user=job.user, items=[items[r.n] for r in failed], reasons=[r.error for r in failed]
                )
            except OSError:
                log.exception("cannot keep the retry list of an import")
        done = sum(1 for r in rows if r.outcome == JobItem.Outcome.IMPORTED)
        skipped = sum(
            1
            for r in rows
            if r.outcome == JobItem.Outcome.SKIPPED
            or (r.outcome == JobItem.Outcome.UNTICKED and not r.result.get("unreadable"))
        )
        bad = sum(1 for r in rows if r.outcome == JobItem.Outcome.FAILED or r.result.get("unreadable"))
        job.result = {"imported": done, "skipped": skipped, "failed": bad, "retry": retry}
        job.phase, job.finished = Job.Phase.DONE, timezone.now()
        job.save(update_fields=["result", "phase", "finished", "touched"])
    incoming.batch_delete(job.token)
    if retry:  # the retry batch is read like any upload
        _start_retry(retry, job.user)


def _start_retry(token: str, user) -> None:
    try:
        import_job_for(token=token, user=user)
    except (incoming.BatchGone, PermissionDenied):
        pass


def import_job_for(*, token: str, user) -> Job:
    """The job of an upload batch, recorded (and its files sent to be read) on first sight. BatchGone when there is
    neither, PermissionDenied for another user's batch."""
    job = Job.objects.filter(kind=Job.Kind.IMPORT, token=token).first()
    if job is not None:
        if job.user_id != getattr(user, "pk", None):
            raise PermissionDenied
        if job.phase == Job.Phase.READING and not job.items.filter(state=JobItem.State.PENDING).exists():
            # every file read, but the reader that read the last one failed to move the batch on (e.g. SQLite was
            # busy, or its worker died right after): the page does it, so nobody waits for the sweep
            _ready_if_read(job.pk)
            job.refresh_from_db()
        return job
    items = incoming.batch_load(token=token, user=user)
    try:
        return import_job_start(token=token, user=user, items=items)
    except IntegrityError:  # recorded at the same moment by another request
        return Job.objects.get(kind=Job.Kind.IMPORT, token=token)


def import_job_summary(job: Job) -> tuple[list[tuple[int, str]], str]:
    """The messages of a finished import (each file's, then the totals) and the retry batch's token, if any."""
    said: list[tuple[int, str]] = []
    for row in job.items.all():
        said.extend((level, text) for level, text in row.result.get("messages", []))
    r = job.result
    said.append((messages.INFO, f"导入完成：成功 {r['imported']} 个，跳过 {r['skipped']} 个，失败 {r['failed']} 个。"))
    retry = r.get("retry", "")
    if retry:
        count = job.items.filter(outcome=JobItem.Outcome.FAILED).exclude(error="").count()
        said.append((messages.WARNING, f"{count} 个文件未能导入，已列入下方重试清单（每个文件注明了原因）。"))
    return said, retry


# --- a year's check, in chunks --------------------------------------------------------------------------------


def check_job_start(*, year: int | None, user=None, chunk: int | None = None) -> Job:
    """Check (and store the issues of) every report of a year, as one task per chunk of reports."""
    from reports import tasks

    chunk = chunk or settings.NIANBAO_CHECK_CHUNK
    qs = Report.objects.order_by("pk")
    if year:
        qs = qs.filter(year=year)
    ids = list(qs.values_list("pk", flat=True))
    job = Job.objects.create(kind=Job.Kind.CHECK, user=user, phase=Job.Phase.RUNNING, params={"year": year})
    JobItem.objects.bulk_create(
        [JobItem(job=job, n=n, payload={"ids": ids[s : s + chunk]}) for n, s in enumerate(range(0, len(ids), chunk))]
    )
    if not ids:
        _check_finish(job.pk)
    for pk in job.items.values_list("pk", flat=True):
        enqueue(tasks.check_chunk, pk)
    return job


def check_chunk_run(item_id: int) -> None:
    """Check one chunk of reports; idempotent (checking stores each report's issues afresh). The chunk's results are
    stored by reports_check in its own short transaction; a worker dying before the item is marked done only makes
    the chunk run again."""
    from reports.services.validation import reports_check

    item = JobItem.objects.filter(pk=item_id).first()
    if item is None or item.state != JobItem.State.PENDING:
        return
    JobItem.objects.filter(pk=item.pk).update(attempts=item.attempts + 1)
    result = reports_check(item.payload["ids"])
    counts = {"reports": len(result.reports), "error": 0, "warning": 0, "info": 0, "with_errors": 0}
    for report in result.reports:
        for issue in result.found[report.pk]:
            counts[issue.severity] += 1
        counts["with_errors"] += report.error_count > 0
    counts["skipped"] = len(result.skipped)  # being saved meanwhile: their writer re-validates them
    JobItem.objects.filter(pk=item.pk, state=JobItem.State.PENDING).update(
        state=JobItem.State.DONE, result=counts, touched=timezone.now()
    )
    _check_finish(item.job_id)


def _check_finish(job_id: int) -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.phase != Job.Phase.RUNNING or job.items.filter(state=JobItem.State.PENDING).exists():
            return
        total = {"reports": 0, "error": 0, "warning": 0, "info": 0, "with_errors": 0}
        for result in job.items.values_list("result", flat=True):
            for key in total:
                total[key] += result.get(key, 0)
        job.result, job.phase, job.finished = total, Job.Phase.DONE, timezone.now()
        job.save(update_fields=["result", "phase", "finished", "touched"])


# --- sweeps (scheduled) ----------------------------------------------------------------------------------------


def jobs_resume_stalled(*, older_than: timedelta | None = None) -> int:
    """Send again the parts of jobs that made no progress for a while (their message was lost: a broker restarted
    without persistence, the embedded worker's process was restarted). Safe: every task is idempotent."""
    from reports import tasks

    older_than = older_than if older_than is not None else timedelta(minutes=settings.NIANBAO_JOB_STALL_MINUTES)
    cutoff = timezone.now() - older_than
    sent = 0
    stalled = JobItem.objects.filter(state=JobItem.State.PENDING, touched__lt=cutoff)
    for pk, kind in stalled.filter(job__phase=Job.Phase.READING).values_list("pk", "job__kind"):
        if kind == Job.Kind.IMPORT:
            JobItem.objects.filter(pk=pk).update(touched=timezone.now())
            enqueue(tasks.read_file, pk)
            sent += 1
    for pk in stalled.filter(job__phase=Job.Phase.RUNNING, job__kind=Job.Kind.CHECK).values_list("pk", flat=True):
        JobItem.objects.filter(pk=pk).update(touched=timezone.now())
        enqueue(tasks.check_chunk, pk)
        sent += 1
    for job in Job.objects.filter(phase=Job.Phase.IMPORTING, touched__lt=cutoff):
        if not job.items.filter(touched__gte=cutoff).exists():  # no file finished lately
            Job.objects.filter(pk=job.pk).update(touched=timezone.now())
            enqueue(tasks.import_batch, job.pk)
            sent += 1
    if sent:
        log.warning("resumed %d stalled job parts", sent)
    return sent


def jobs_expire() -> int:
    """Upload batches removed by the clean-up before anyone confirmed them: their jobs are marked expired; and
    finished jobs older than 30 days are deleted."""
    expired = 0
    for job in Job.objects.filter(kind=Job.Kind.IMPORT, phase__in=[Job.Phase.READING, Job.Phase.READY]):
        try:
            gone = not incoming.batch_dir(job.token).is_dir()
        except incoming.BatchGone:
            gone = True
        if gone:
            expired += Job.objects.filter(pk=job.pk, phase=job.phase).update(phase=Job.Phase.EXPIRED)
    for job in Job.objects.filter(kind=Job.Kind.EXPORT, created__lt=timezone.now() - timedelta(days=1)):
        export_path(job).unlink(missing_ok=True)  # a workbook waits a day for its download
    Job.objects.filter(created__lt=timezone.now() - timedelta(days=30)).exclude(
        phase__in=[Job.Phase.READING, Job.Phase.IMPORTING, Job.Phase.RUNNING]
    ).delete()
    return expired


def user_import_jobs(user, limit: int = 10):
    """A user's recent import batches (to come back to one: the upload page lists them)."""
    return Job.objects.filter(kind=Job.Kind.IMPORT, user=user).order_by("-created")[:limit]


# --- a big county workbook ------------------------------------------------------------------------------------

EXPORTS = "exports"


def export_path(job: Job):
    return incoming.media_path(EXPORTS, f"{job.token}.xlsx")


def export_job_start(*, user, query: str) -> Job:
    """The county workbook for the overview's filters (``query``, as the overview's query string), written by a
    worker into MEDIA_ROOT/exports/ for this user only."""
    from reports import tasks

    job = Job.objects.create(
        kind=Job.Kind.EXPORT, token=secrets.token_hex(16), user=user, phase=Job.Phase.RUNNING, params={"query": query}
    )
    enqueue(tasks.export_summary, job.pk)
    return job


def export_job_run(job_id: int) -> None:
    """Write the workbook (whole, then renamed into place); idempotent: a finished job is left as it is."""
    from django.http import QueryDict

    from reports.access import reports_visible_to
    from reports.admin.exports import summary_write
    from reports.exports.output import write_atomically
    from reports.exports.summary import EmptyExport
    from reports.filtersets import ReportFilterSet

    job = Job.objects.select_related("user").filter(pk=job_id, kind=Job.Kind.EXPORT).first()
    if job is None or job.phase != Job.Phase.RUNNING:
        return
    user = job.user
    filterset = ReportFilterSet(
        QueryDict(job.params.get("query", "")), queryset=reports_visible_to(user, Report.objects.all())
    )
    if not filterset.is_valid() or not filterset.form.cleaned_data.get("year"):
        Job.objects.filter(pk=job.pk).update(phase=Job.Phase.FAILED, error="请先选择年度。", finished=timezone.now())
        return
    data = filterset.form.cleaned_data
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_atomically(
            path,
            lambda target: summary_write(
                user=user,
                year=data["year"],
                reports=filterset.qs,
                kinds=data["kind"],
                statuses=data["status"],
                target=target,
            ),
        )
    except EmptyExport as exc:
        Job.objects.filter(pk=job.pk).update(
            phase=Job.Phase.FAILED, error=f"{data['year']} 年度：{exc}", finished=timezone.now()
        )
        return
    Job.objects.filter(pk=job.pk, phase=Job.Phase.RUNNING).update(
        phase=Job.Phase.DONE,
        result={"year": data["year"], "size": path.stat().st_size},
        finished=timezone.now(),
    )
