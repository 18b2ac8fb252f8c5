"""Benchmark: the overview page (总览) for a province of N agencies on PostgreSQL (target ≤ 1 s median).

Run by hand: `.venv/bin/python benchmarks/overview.py [N]` (default 30,000). Uses the province database of
benchmarks/_province.py (BENCH_DATABASE, default nianbao_bench_province on 127.0.0.1:5432, user postgres; built
with COPY unless it already holds the same province): N agencies under N/300 county governments, reports for
2022 and 2023 (some missing, some with errors, a tenth copied from the year before). Renders the page through
Django's test client as a superuser and as a 审核员 — the whole province, one agency kind, one county, a later page
of the matrix — and prints the median and worst time and the number of queries.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("BENCH_DATABASE", "nianbao_bench_province")
from _province import PER_COUNTY, province  # noqa: E402


def measure(client, params: dict, rounds: int = 7) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    client.get("/admin/reports/report/overview/", params)  # warm caches (templates, content types)
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/admin/reports/report/overview/", params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), max(times), len(queries.captured_queries)


def main(n: int) -> None:
    province(n)
    print(f"machine load (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    User = get_user_model()
    User.objects.filter(username__startswith="bench-").delete()
    admin = User.objects.create_superuser("bench-admin", password="x")
    reviewer = User.objects.create_user("bench-reviewer", password="x", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="审核员"))
    county = 1  # the first county government: a region of PER_COUNTY agencies
    cases = [
        ({"year": 2023}, "all"),
        ({"year": 2023, "kind": "township"}, "乡镇/街道"),
        ({"year": 2023, "parent": county}, f"one county, {PER_COUNTY} agencies"),
        ({"year": 2023, "status": "missing"}, "未建立 only"),
        ({"year": 2023, "page": 30}, "matrix page 30"),
    ]
    for user, label in ((admin, "superuser"), (reviewer, "审核员")):
        client = Client()
        client.force_login(user)
        for params, what in cases if user is admin else cases[:2]:
            median, worst, queries = measure(client, params)
            print(f"overview {n} agencies ({label}, {what}): median {median * 1000:.0f} ms, "
                  f"max {worst * 1000:.0f} ms, {queries} queries (target ≤ 1 s)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000)
