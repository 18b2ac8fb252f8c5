"""Background jobs (reports/services/jobs.py, reports/tasks.py), run in place as the tests' Celery is eager:
each step is idempotent and a worker killed between steps leaves each file imported whole or not at all."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports import tasks
from reports.models import Job, JobItem, Report, ReportEvent, SourceDocument
from reports.services import batch, incoming, jobs
from tests.factories import FIXTURES, AgencyFactory, import_file

pytestmark = pytest.mark.django_db

FILES = ["samples/002_cff4ace8f11033c3.txt", "corpus/generated/r02_docx.docx"]


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the task: nothing after it runs, no except clause catches it."""


def upload(client, *paths):
    files = [open(FIXTURES / p, "rb") for p in paths]
    try:
        response = client.post(reverse("admin:reports_report_import"), {"files": files})
    finally:
        for f in files:
            f.close()
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def confirm_form(agencies):
    """Tick every file: an agency's pk, or the name of a new agency."""
    form = {}
    for n, agency in enumerate(agencies):
        new = isinstance(agency, str)
        form |= {f"include_{n}": "on", f"agency_{n}": "new" if new else str(agency), f"year_{n}": "2023"}
        if new:
            form |= {f"new_name_{n}": agency, f"new_kind_{n}": "township"}
    return form


def test_the_upload_returns_before_any_file_is_read_and_the_page_follows_the_job(admin_client, monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "enqueue", lambda task, *args: sent.append((task, args)))  # no worker yet
    url = upload(admin_client, *FILES)
    job = Job.objects.get(token=token_of(url))
    assert job.phase == "reading" and job.items.count() == 2 and len(sent) == 2
    page = admin_client.get(url).content.decode()
    assert "正在读取上传的文件" in page and 'http-equiv="refresh"' in page
    assert 'value="0" max="2"' in page and FILES[1].rsplit("/", 1)[-1] in page
    task, args = sent[0]
    task(*args)  # one worker reads the first file: the page (reloaded) says so
    page = admin_client.get(url).content.decode()
    assert 'value="1" max="2"' in page and "已读取" in page
    task, args = sent[1]
    task(*args)
    page = admin_client.get(url).content.decode()
    assert page.count('class="module nb-preview') == 2 and "上乐村镇" in page
    assert Report.objects.count() == 0


def test_reading_a_file_twice_reads_it_once(admin_client, monkeypatch):
    url = upload(admin_client, FILES[0])
    item = JobItem.objects.get(job__token=token_of(url))
    assert item.state == "done" and item.attempts == 1
    calls = []
    monkeypatch.setattr(batch, "parse_incoming", lambda *a: calls.append(a))
    tasks.read_file(item.pk)  # the same message delivered again (acks_late after a lost connection)
    item.refresh_from_db()
    assert calls == [] and item.attempts == 1 and item.job.phase == "ready"


def test_a_worker_killed_while_reading_leaves_the_file_to_be_read_again(admin_client, monkeypatch):
    real = batch.parse_incoming

    def killed(*a):
        raise WorkerKilled

    monkeypatch.setattr(batch, "parse_incoming", killed)
    with pytest.raises(WorkerKilled):
        upload(admin_client, FILES[0])
    job = Job.objects.get()
    item = job.items.get()
    assert job.phase == "reading" and item.state == "pending" and item.attempts == 1
    monkeypatch.setattr(batch, "parse_incoming", real)
    # the message is delivered again (or, lost, the sweep sends it again): the file is read and the job goes on
    assert jobs.jobs_resume_stalled(older_than=timedelta(0)) == 1
    job.refresh_from_db()
    assert job.phase == "ready" and job.items.get().state == "done"


def test_a_reader_killed_after_reading_the_last_file_leaves_the_page_to_show_the_preview(admin_client, monkeypatch):
    def killed(job_id):
        raise WorkerKilled

    monkeypatch.setattr(jobs, "_ready_if_read", killed)
    with pytest.raises(WorkerKilled):
        upload(admin_client, FILES[0])
    job = Job.objects.get()
    assert job.phase == "reading" and job.items.get().state == "done"  # read, but the batch did not move on
    monkeypatch.undo()
    page = admin_client.get(reverse("admin:reports_report_import_preview", args=[job.token])).content.decode()
    job.refresh_from_db()
    assert job.phase == "ready" and "nb-preview" in page


def test_a_file_that_kills_its_reader_every_time_is_given_up_and_can_be_retried(admin_client, monkeypatch):
    real = batch.parse_incoming

    def killed(*a):
        raise WorkerKilled

    monkeypatch.setattr(batch, "parse_incoming", killed)
    with pytest.raises(WorkerKilled):
        upload(admin_client, FILES[0])
    item = JobItem.objects.get()
    for _ in range(jobs.MAX_READ_ATTEMPTS - 1):
        with pytest.raises(WorkerKilled):
            tasks.read_file(item.pk)
    tasks.read_file(item.pk)  # the next delivery gives up, with a reason
    item.refresh_from_db()
    assert item.state == "failed" and item.error == jobs.READ_INTERRUPTED
    url = reverse("admin:reports_report_import_preview", args=[item.job.token])
    page = admin_client.get(url).content.decode()
    assert "处理进程多次中断" in page and "nb_retry_read" in page  # the preview names it and offers the retry
    monkeypatch.setattr(batch, "parse_incoming", real)
    admin_client.post(url, {"nb_retry_read": "1"})
    item.refresh_from_db()
    assert item.state == "done" and "上乐村镇" in admin_client.get(url).content.decode()


def test_a_worker_killed_inside_an_import_leaves_that_file_absent_and_the_rerun_imports_it_once(
    admin_client, monkeypatch
):
    agency = AgencyFactory(name="卫辉市上乐村镇人民政府", short_name="上乐村镇")
    url = upload(admin_client, *FILES)
    real = batch.import_preview
    calls = []

    def killed_after_second(item, **kwargs):
        result = real(item, **kwargs)  # the report and its file are written …
        calls.append(item.incoming.name)
        if len(calls) == 2:
            raise WorkerKilled  # … and the worker dies before the file's outcome is recorded
        return result

    monkeypatch.setattr(batch, "import_preview", killed_after_second)
    with pytest.raises(WorkerKilled):
        admin_client.post(url, confirm_form([agency.pk, "永和县大营镇人民政府"]))
    job = Job.objects.get()
    outcomes = dict(job.items.values_list("n", "outcome"))
    assert job.phase == "importing" and outcomes == {0: "imported", 1: "queued"}
    # the first file is whole, the second absent: no report, no stored file, no history of it
    assert Report.objects.count() == 1 and SourceDocument.objects.count() == 1
    assert ReportEvent.objects.filter(kind="import").count() == 1
    # its stored file, written before the kill, has no row: the scheduled clean-up removes such files
    assert [name for name, _ in incoming.sources_orphans_remove(older_than=timedelta(0))] != []
    stored = [p.relative_to(incoming.media_path()).as_posix() for p in incoming.media_path("sources").rglob("*")]
    assert [s for s in stored if "." in s] == [SourceDocument.objects.get().file.name]
    page = admin_client.get(url).content.decode()  # the progress page, reloaded, shows where it stopped
    assert "正在导入" in page and 'value="1" max="2"' in page
    monkeypatch.setattr(batch, "import_preview", real)
    tasks.import_batch(job.pk)  # delivered again
    tasks.import_batch(job.pk)  # and once more: nothing doubles
    job.refresh_from_db()
    assert job.phase == "done" and job.result == {"imported": 2, "skipped": 0, "failed": 0, "retry": ""}
    assert Report.objects.count() == 2 and SourceDocument.objects.count() == 2
    assert ReportEvent.objects.filter(kind="import").count() == 2
    response = admin_client.get(url, follow=True)  # the first look hands the messages over
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "成功 2 个，跳过 0 个，失败 0 个" in shown
    page = admin_client.get(url).content.decode()  # later looks show what each file did
    assert "导入结果" in page and page.count("已导入") >= 2


def test_a_second_confirmation_of_the_same_batch_imports_nothing_more(admin_client):
    agency = AgencyFactory(name="卫辉市上乐村镇人民政府", short_name="上乐村镇")
    url = upload(admin_client, FILES[0])
    form = confirm_form([agency.pk])
    admin_client.post(url, form)
    admin_client.post(url, form)  # a second tab, a double click
    assert Report.objects.count() == 1 and SourceDocument.objects.count() == 1
    assert Job.objects.get().result["imported"] == 1


def test_another_users_batch_is_refused_at_every_stage(admin_client, client, django_user_model):
    url = upload(admin_client, FILES[0])
    other = django_user_model.objects.create_superuser("other", "", "pw")
    client.force_login(other)
    assert client.get(url).status_code == 403
    assert client.post(url, {"nb_retry_read": "1"}).status_code == 403
    assert client.post(url, confirm_form(["某镇"])).status_code == 403
    assert Report.objects.count() == 0


def test_the_upload_page_lists_the_users_recent_batches_to_come_back_to(admin_client, client, django_user_model):
    url = upload(admin_client, FILES[0])
    page = admin_client.get(reverse("admin:reports_report_import")).content.decode()
    assert "最近的导入" in page and url in page
    other = django_user_model.objects.create_superuser("other", "", "pw")
    client.force_login(other)
    assert url not in client.get(reverse("admin:reports_report_import")).content.decode()


def test_a_years_check_in_chunks_gives_the_totals_of_the_plain_check():
    for path in (
        "samples/002_cff4ace8f11033c3.txt",
        "corpus/generated/r02_docx.docx",
        "samples/001_a7e4ba11a3b1e26d.txt",
    ):
        import_file(path)
    year = Report.objects.first().year
    plain = io.StringIO()
    try:
        call_command("check_reports", "--year", str(year), "--quiet", stdout=plain)
    except Exception:  # exit code 1 when some report has errors: the totals are printed all the same
        pass
    job = jobs.check_job_start(year=year, chunk=2)
    job.refresh_from_db()
    reports = Report.objects.filter(year=year).count()
    assert job.items.count() == -(-reports // 2) and job.phase == "done"
    r = job.result
    assert f"共检查 {r['reports']} 份报告：错误 {r['error']}，警告 {r['warning']}，提示 {r['info']}" in plain.getvalue()
    tasks.check_chunk(job.items.first().pk)  # delivered twice: counted once
    job.refresh_from_db()
    assert job.result == r


def test_check_reports_queue_prints_the_same_totals():
    import_file("samples/002_cff4ace8f11033c3.txt")
    plain, queued = io.StringIO(), io.StringIO()
    for out, extra in ((plain, []), (queued, ["--queue"])):
        try:
            call_command("check_reports", "--year", "2023", "--quiet", *extra, stdout=out, stderr=io.StringIO())
        except Exception:
            pass
    assert plain.getvalue().strip() and plain.getvalue().strip().splitlines()[-1] in queued.getvalue()


def test_check_reports_queue_refuses_a_part_it_would_not_honour():
    with pytest.raises(CommandError, match="--part"):
        call_command("check_reports", "--year", "2023", "--queue", "--part", "1/2", stdout=io.StringIO())


def test_the_scheduled_cleanup_removes_abandoned_batches_but_not_one_being_imported(admin_client, settings):
    abandoned = token_of(upload(admin_client, FILES[0]))
    busy = token_of(upload(admin_client, FILES[0]))
    Job.objects.filter(token=busy).update(phase="importing")
    old = time.time() - 3 * 24 * 3600
    for token in (abandoned, busy):
        os.utime(settings.MEDIA_ROOT / incoming.INCOMING / token, (old, old))
    tasks.cleanup_incoming()
    assert not (settings.MEDIA_ROOT / incoming.INCOMING / abandoned).exists()
    assert (settings.MEDIA_ROOT / incoming.INCOMING / busy).exists()
    assert Job.objects.get(token=abandoned).phase == "expired"
    url = reverse("admin:reports_report_import_preview", args=[abandoned])
    assert admin_client.get(url).status_code == 404


def test_tasks_are_acknowledged_only_when_done():
    from config.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    assert {"cleanup-incoming", "resume-stalled-jobs"} <= set(app.conf.beat_schedule)
    for name in ("reports.tasks.cleanup_incoming", "reports.tasks.resume_stalled"):
        assert name in app.tasks


def test_no_web_request_reads_a_document_only_the_workers_do(admin_client, monkeypatch):
    """Parsing (and the OCR of a scan, inside it) happens in the read tasks: neither the preview nor the
    confirmation nor the import job reads a document again."""
    agency = AgencyFactory(name="卫辉市上乐村镇人民政府", short_name="上乐村镇")
    sent = []
    monkeypatch.setattr(jobs, "enqueue", lambda task, *args: sent.append((task, args)))
    url = upload(admin_client, FILES[0])
    for task, args in sent:
        task(*args)  # the worker reads it
    sent.clear()

    def no_parsing(*a):
        raise AssertionError("a document was parsed outside the read task")

    monkeypatch.setattr(batch, "parse_incoming", no_parsing)
    monkeypatch.setattr(batch, "parse_job", no_parsing)
    assert "上乐村镇" in admin_client.get(url).content.decode()
    assert admin_client.post(url, confirm_form([agency.pk])).status_code == 302
    assert [task.name for task, _ in sent] == ["reports.tasks.import_batch"]
    task, args = sent[0]
    task(*args)
    assert Report.objects.get().agency == agency
