"""Celery tasks: thin wrappers of reports/services/jobs.py (where each step is made idempotent).

Every task is acknowledged late (CELERY_TASK_ACKS_LATE): a worker killed in the middle leaves the message to be
delivered again, and the job's rows in the database say what is already done.
"""

from datetime import timedelta

from celery import shared_task

from reports.services import jobs


@shared_task(name="reports.tasks.read_file")
def read_file(item_id: int) -> None:
    """Read (parse, OCR included) one uploaded file of an import batch."""
    jobs.import_item_read(item_id)


@shared_task(name="reports.tasks.import_batch")
def import_batch(job_id: int) -> None:
    """Import the confirmed files of a batch, one transaction per file."""
    jobs.import_job_run(job_id)


@shared_task(name="reports.tasks.check_chunk")
def check_chunk(item_id: int) -> None:
    """Check one chunk of a year's reports and store their issues."""
    jobs.check_chunk_run(item_id)


@shared_task(name="reports.tasks.export_summary")
def export_summary(job_id: int) -> None:
    """Write a county workbook too big to write inside a web request."""
    jobs.export_job_run(job_id)


@shared_task(name="reports.tasks.cleanup_incoming")
def cleanup_incoming() -> str:
    """The scheduled clean-up (as `manage.py cleanup_incoming`), and the jobs of the batches it removed."""
    from reports.services.incoming import incoming_cleanup

    result = incoming_cleanup()
    jobs.jobs_expire()
    return str(result)


@shared_task(name="reports.tasks.resume_stalled")
def resume_stalled(minutes: float | None = None) -> int:
    """Send again the parts of jobs whose message was lost."""
    return jobs.jobs_resume_stalled(older_than=timedelta(minutes=minutes) if minutes is not None else None)
