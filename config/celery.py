"""The Celery application: background jobs (reports/tasks.py) on the broker CELERY_BROKER_URL.

Production: Redis (``redis://127.0.0.1:6379/0``), with ``celery -A config worker`` on one or more machines sharing
PostgreSQL and MEDIA_ROOT, and one ``celery -A config beat`` for the schedule. `make run` needs nothing but Python:
with the default ``memory://`` broker the web process starts its own worker thread (reports/embedded.py).
Tests run every task in place (CELERY_TASK_ALWAYS_EAGER).
"""

import os
import threading
import time

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("nianbao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


_embedded = None
_process_started = time.time()
_embedded_lock = threading.Lock()


def ensure_embedded_worker() -> None:
    """With the broker-less default (memory://: `make run`), start a worker thread in this process, once.

    The in-memory broker lives in this process only, so its worker must too; jobs then run beside the web server
    with nothing else to install. A restart loses queued messages but never a job: the job's state is in the
    database, and ``resume_stalled`` (run when the worker starts, and by the upload pages) sends them again.
    """
    global _embedded
    if _embedded is not None or app.conf.task_always_eager or not app.conf.broker_url.startswith("memory://"):
        return
    with _embedded_lock:
        if _embedded is not None:
            return
        from django.conf import settings

        app.finalize()
        _embedded = app.WorkController(
            app=app,
            pool="threads",
            concurrency=settings.NIANBAO_EMBEDDED_WORKERS,
            hostname=f"embedded-{os.getpid()}@localhost",
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
        )
        threading.Thread(target=_embedded.start, name="nianbao-embedded-worker", daemon=True).start()
    # what a previous run of this process had queued in memory is lost: send again whatever it left unfinished
    from datetime import timedelta

    from reports.services.jobs import jobs_resume_stalled

    jobs_resume_stalled(older_than=timedelta(seconds=time.time() - _process_started))
