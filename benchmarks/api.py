"""Benchmark: the REST API on PostgreSQL with N agencies (default 3,000) and two years of reports.

Run by hand: `.venv/bin/python benchmarks/api.py [N]`. Creates a scratch database (BENCH_DATABASE, default
nianbao_bench_api on 127.0.0.1:5432) filled as benchmarks/overview.py fills it, then calls the API with a 审核员's
token through Django's test client and prints the median and worst time and the number of queries of: a page of 500
reports, a page of 500 reports with their 200 cells (/api/reports/values/), one report's cells, and a write of one
cell (PATCH, through report_update with its lock, history and re-validation).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("BENCH_DATABASE", "nianbao_bench_api")
from _db import setup_django  # noqa: E402
from overview import fill  # noqa: E402


def measure(call, rounds: int = 7) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm up
    times = []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = call()
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (response.status_code, response.content[:300])
    return statistics.median(times), max(times), len(queries.captured_queries)


def main(n: int) -> None:
    setup_django()
    started = time.perf_counter()
    fill(n)
    print(f"set-up: {n} agencies, two years of reports in {time.perf_counter() - started:.1f} s")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.test import APIClient

    from reports import canonical
    from reports.models import ApiToken, Report

    settings.ALLOWED_HOSTS = ["*"]
    settings.NIANBAO_API_READ_RATE = settings.NIANBAO_API_WRITE_RATE = "100000/min"
    reviewer = get_user_model().objects.create_user("bench-reviewer", password="x")
    reviewer.groups.add(Group.objects.get(name="审核员"))
    key = ApiToken.new_key()
    token = ApiToken(user=reviewer, name="bench")
    token.set_key(key)
    token.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    report = Report.objects.filter(year=2023).exclude(status="approved").order_by("pk").first()
    cell = canonical.t3("granted", "natural_person")
    counter = iter(range(1, 10**6))

    def write():
        version = Report.objects.get(pk=report.pk).version
        body = {"version": version, "cells": {cell: next(counter)}, "reason": "基准"}
        return client.patch(f"/api/reports/{report.pk}/", body, format="json")

    for what, call in (
        ("GET /api/reports/?year=2023&page_size=500", lambda: client.get("/api/reports/?year=2023&page_size=500")),
        ("GET /api/reports/values/?year=2023&page_size=500",
         lambda: client.get("/api/reports/values/?year=2023&page_size=500")),
        ("GET /api/reports/{id}/cells/", lambda: client.get(f"/api/reports/{report.pk}/cells/")),
        ("PATCH /api/reports/{id}/ (one cell)", write),
    ):  # fmt: skip
        median, worst, queries = measure(call)
        print(f"{what} ({n} agencies): median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms, {queries} queries")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
