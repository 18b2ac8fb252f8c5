"""Benchmark: the report changelist (年度报告列表) with filters, search and sorting for a province of N agencies
on PostgreSQL (target ≤ 1 s median each).

Run by hand: `.venv/bin/python benchmarks/changelist.py [N]` (default 30,000). Uses the province database of
benchmarks/_province.py (built with COPY unless it already holds the same province), renders the changelist
through Django's test client as a superuser and prints the median and worst time and the number of queries.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time

os.environ.setdefault("BENCH_DATABASE", "nianbao_bench_province")
from _province import province  # noqa: E402

URL = "/admin/reports/report/"
CASES = [
    ({}, "no filter (60,000 reports)"),
    ({"year__exact": 2023}, "年度 2023"),
    ({"year__exact": 2023, "status__exact": "submitted"}, "年度 + 状态"),
    ({"issues": "error"}, "校验结果 有错误"),
    ({"agency__kind__exact": "department", "template_version__exact": "2021"}, "类别 + 模板"),
    ({"q": "第12县第3乡"}, "search an agency name"),
    ({"q": "局", "year__exact": 2023}, "search a common word + 年度"),
    ({"o": "4"}, "sorted by 校验 (errors first)"),
    ({"year__exact": 2023, "p": 200}, "page 200"),
]


def measure(client, params: dict, rounds: int = 7) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    client.get(URL, params)  # warm
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(URL, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    found = re.search(r'class="paginator".*?(\d+)\s*年度报告', response.content.decode(), re.S)
    count = int(found.group(1)) if found else -1
    return statistics.median(times), max(times), len(queries.captured_queries), count


def main(n: int) -> None:
    province(n)
    print(f"machine load (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    User = get_user_model()
    User.objects.filter(username__startswith="bench-").delete()
    client = Client()
    client.force_login(User.objects.create_superuser("bench-admin", password="x"))
    for params, what in CASES:
        median, worst, queries, count = measure(client, params)
        print(f"changelist, {what}: {count} reports, median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms, "
              f"{queries} queries (target ≤ 1 s)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000)
