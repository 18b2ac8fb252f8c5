"""A county's pile through the admin on background jobs: a zip of N real reports (default 300) uploaded, read by
real `celery worker` processes on Redis, confirmed and imported. Prints how long each web request took (they only
store and queue) and when the workers had read and imported everything.

    python benchmarks/import_jobs.py [FILES] [WORKERS]     # PostgreSQL scratch database (see _db.py), Redis db 3

Needs Redis (NIANBAO_TEST_REDIS_URL, default redis://127.0.0.1:6379/3).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _db import BENCH_URL, setup_django

FILES = int(sys.argv[1]) if len(sys.argv) > 1 else 300
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 2


def main() -> None:
    media = Path(tempfile.mkdtemp(prefix="nianbao-bench-jobs-"))
    import os

    os.environ["MEDIA_ROOT"] = str(media)
    os.environ["NIANBAO_UPLOAD_MAX_BYTES_PER_HOUR"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from reports.models import Job, JobItem, Report
    from tests.jobs import harness

    if not harness.redis_listening():
        sys.exit(f"no Redis at {harness.REDIS_URL}")
    user = get_user_model().objects.create_superuser("bench", "", "pw")
    client = Client()
    client.force_login(user)
    queue = f"nianbao-bench-{uuid.uuid4().hex[:8]}"
    env = harness.worker_env(database_url=BENCH_URL, media_root=media, queue=queue)
    log = media / "worker.log"
    worker = harness.Worker(env=env, queue=queue, concurrency=WORKERS, log=log)
    with harness.celery_on_redis(queue):
        worker.start()
        try:
            time.sleep(3)  # the worker connects
            pile = harness.report_pile(FILES)
            upload = SimpleUploadedFile("pile.zip", pile, content_type="application/zip")
            t0 = time.monotonic()
            response = client.post(reverse("admin:reports_report_import"), {"files": [upload]})
            upload_ms = (time.monotonic() - t0) * 1000
            url = response["Location"]
            job = Job.objects.get(token=url.rstrip("/").rsplit("/", 1)[-1])
            t1 = time.monotonic()
            client.get(url)
            progress_ms = (time.monotonic() - t1) * 1000
            harness.wait_for(lambda: Job.objects.get(pk=job.pk).phase == "ready", timeout=1800, every=0.1)
            read_s = time.monotonic() - t0
            t2 = time.monotonic()
            page = client.get(url)
            preview_ms = (time.monotonic() - t2) * 1000
            assert page.content.decode().count('class="module nb-preview') == FILES
            t3 = time.monotonic()
            client.post(url, harness.confirm_form(FILES))
            confirm_ms = (time.monotonic() - t3) * 1000
            harness.wait_for(lambda: Job.objects.get(pk=job.pk).phase == "done", timeout=3600, every=0.1)
            import_s = time.monotonic() - t3
            assert Report.objects.count() == FILES
            assert JobItem.objects.filter(job=job, outcome="imported").count() == FILES
        finally:
            worker.stop()
    print(f"{FILES}-file zip ({len(pile) / 1024:.0f} KB), {WORKERS} worker processes, Redis, {BENCH_URL.split(':')[0]}")
    print(f"  upload request (store + queue {FILES} reads): {upload_ms:8.0f} ms")
    print(f"  progress page while reading:                 {progress_ms:8.0f} ms")
    print(f"  all files read by the workers after:         {read_s:8.1f} s  ({read_s / FILES * 1000:.0f} ms a file)")
    print(f"  preview page of {FILES} files:                  {preview_ms:8.0f} ms")
    print(f"  confirm request (queue the import):          {confirm_ms:8.0f} ms")
    print(
        f"  all files imported after:                    {import_s:8.1f} s  ({import_s / FILES * 1000:.0f} ms a file)"
    )
    shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
