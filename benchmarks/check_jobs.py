"""`check_reports --year 2023 --queue`: a year's check as a background job, its chunks shared by real `celery
worker` processes on Redis — timed with 1 and with 2 worker processes, beside the plain command.

    .venv/bin/python benchmarks/check_reports.py 10000     # first: fills the scratch database (see _db.py)
    .venv/bin/python benchmarks/check_jobs.py              # then: reuses it

Needs Redis (NIANBAO_TEST_REDIS_URL, default redis://127.0.0.1:6379/3).
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import uuid

from _db import BENCH_URL, setup_django


def run(*args: str) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("check_reports", "--year", "2023", "--quiet", *args, stdout=out, stderr=io.StringIO())
    except Exception as exc:  # CommandError(returncode=1): errors found, as planted
        if getattr(exc, "returncode", None) != 1:
            raise
    return time.perf_counter() - started, out.getvalue().strip().splitlines()[-1]


def main() -> None:
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="nianbao-bench-check-"))
    setup_django(fresh=False)
    from reports.models import Report
    from tests.jobs import harness

    if not harness.redis_listening():
        sys.exit(f"no Redis at {harness.REDIS_URL}")
    n = Report.objects.filter(year=2023).count()
    elapsed, said = run()
    print(f"{n} reports; plain check_reports: {elapsed:.1f} s — {said}")
    for workers in (1, 2):
        queue = f"nianbao-bench-{uuid.uuid4().hex[:8]}"
        env = harness.worker_env(database_url=BENCH_URL, media_root=os.environ["MEDIA_ROOT"], queue=queue)
        worker = harness.Worker(
            env=env, queue=queue, concurrency=workers, log=harness.Path(os.environ["MEDIA_ROOT"]) / "worker.log"
        )
        with harness.celery_on_redis(queue):
            worker.start()
            try:
                time.sleep(3)  # the worker connects
                elapsed, said = run("--queue")
            finally:
                worker.stop()
        print(f"check_reports --queue, {workers} worker process(es): {elapsed:.1f} s — {said}")


if __name__ == "__main__":
    main()
