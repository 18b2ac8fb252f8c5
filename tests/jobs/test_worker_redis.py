"""Integration: the admin's batch import on a real `celery worker` process and Redis. The web requests return at
once while the worker reads and imports; the worker is killed (SIGKILL, pool and all) in the middle of the import
and started again, and the batch finishes with every file imported once and nothing doubled."""

import time
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from reports.models import Job, JobItem, Report, ReportEvent, SourceDocument
from tests.jobs import harness

FILES = 60  # the benchmark (benchmarks/import_jobs.py) runs the 300-file pile

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not harness.redis_listening(),
        reason=f"no Redis answers at {harness.REDIS_URL} (.ci/run starts Debian's redis-server)",
    ),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="the SQLite test database lives in this process's memory, where a worker process cannot reach it: "
        "this test runs in the PostgreSQL pass (DATABASE_URL=postgres://…)",
    ),
]


@pytest.fixture
def worker(settings, tmp_path):
    queue = f"nianbao-test-{uuid.uuid4().hex[:8]}"
    env = harness.worker_env(
        database_url=harness.database_url(connection.settings_dict),
        media_root=settings.MEDIA_ROOT,
        queue=queue,
        visibility_timeout=5,  # a killed worker's message goes to the next worker after 5 s (production: 1 h)
    )
    w = harness.Worker(env=env, queue=queue, log=tmp_path / "worker.log")
    with harness.celery_on_redis(queue):
        w.start()
        try:
            yield w
        finally:
            w.stop()
            print((tmp_path / "worker.log").read_text(errors="replace")[-3000:])


@pytest.mark.django_db(transaction=True)
def test_a_pile_imports_through_a_real_worker_that_is_killed_midway(admin_client, worker):
    pile = SimpleUploadedFile("pile.zip", harness.report_pile(FILES), content_type="application/zip")
    started = time.monotonic()
    response = admin_client.post(reverse("admin:reports_report_import"), {"files": [pile]})
    upload_s = time.monotonic() - started
    assert response.status_code == 302
    url = response["Location"]
    job = Job.objects.get(token=url.rstrip("/").rsplit("/", 1)[-1])
    # the request has returned; the worker reads the files (the page shows a progress bar meanwhile)
    page = admin_client.get(url).content.decode()
    assert f'max="{FILES}"' in page or page.count('class="module nb-preview') == FILES
    harness.wait_for(
        lambda: Job.objects.get(pk=job.pk).phase == "ready", timeout=300, what="the files to be read"
    )  # generous: CI machines are busy
    read_s = time.monotonic() - started
    assert JobItem.objects.filter(job=job, state="done").count() == FILES
    assert admin_client.get(url).content.decode().count('class="module nb-preview') == FILES

    started = time.monotonic()
    response = admin_client.post(url, harness.confirm_form(FILES))
    confirm_s = time.monotonic() - started
    assert response.status_code == 302 and response["Location"] == url
    assert Job.objects.get(pk=job.pk).phase == "importing"

    imported = JobItem.objects.filter(job=job, outcome="imported")
    harness.wait_for(lambda: imported.count() >= 5, timeout=300, what="the first imports")
    worker.kill()
    at_kill = imported.count()
    assert 0 < at_kill < FILES, "the import finished before the worker could be killed"
    page = admin_client.get(url).content.decode()  # the page shows how far it got
    assert "正在导入" in page and f'max="{FILES}"' in page
    # every file imported so far is whole: one report, one stored file and one import event each
    assert Report.objects.count() == SourceDocument.objects.count() == at_kill

    worker.start()  # Redis hands the unacknowledged import message to the new worker
    harness.wait_for(lambda: Job.objects.get(pk=job.pk).phase == "done", timeout=600, what="the import to finish")
    import_s = time.monotonic() - started
    job.refresh_from_db()
    assert job.result == {"imported": FILES, "skipped": 0, "failed": 0, "retry": ""}
    assert Report.objects.count() == FILES and SourceDocument.objects.count() == FILES
    assert ReportEvent.objects.filter(kind="import").count() == FILES
    assert sorted(Report.objects.values_list("agency__name", flat=True)) == [harness.agency_of(n) for n in range(FILES)]
    response = admin_client.get(url, follow=True)
    assert f"成功 {FILES} 个，跳过 0 个，失败 0 个" in " ".join(str(m) for m in response.context["messages"])
    print(
        f"\n{FILES} files: upload request {upload_s * 1000:.0f} ms, all read after {read_s:.1f} s; "
        f"confirm request {confirm_s * 1000:.0f} ms, imported after {import_s:.1f} s "
        f"(worker killed after {at_kill} files and restarted)"
    )
