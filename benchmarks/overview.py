"""Benchmark: the overview page (总览) for 3,000 agencies on PostgreSQL (target ≤ 1 s, bounded queries).

Run by hand: `.venv/bin/python benchmarks/overview.py [N]`. Creates a scratch database (BENCH_DATABASE, default
nianbao_bench_overview on 127.0.0.1:5432, user postgres) with N agencies, reports for 2022 and 2023 (some missing,
some with errors, some copied from the year before), then renders the page through Django's test client as a
superuser and as a 审核员 and prints the time and the number of queries.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time

os.environ.setdefault("BENCH_DATABASE", "nianbao_bench_overview")
from _db import ROOT, setup_django  # noqa: E402


def fill(n: int) -> None:
    from django.db import transaction

    from agencies.models import Agency
    from reports import canonical
    from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
    from reports.models.tables import DISCLOSURE_FIELDS, TABLE3_POSITION, TABLE4_POSITION

    labels = [
        canonical.flatten(rec)
        for rec in (
            json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests/fixtures").rglob("*.json"))
        )
        if isinstance(rec, dict) and "applications" in rec
    ]
    rng = random.Random(5)
    statuses = ["draft", "submitted", "reviewing", "returned", "approved", "approved"]
    with transaction.atomic():
        agencies = Agency.objects.bulk_create(
            [Agency(name=f"基准县第{i}乡人民政府", short_name=f"第{i}乡", kind=rng.choice(["township", "department"]))
             for i in range(n)],
            batch_size=5000,
        )  # fmt: skip
        reports, values_of = [], {}
        for a in agencies:
            last = None
            for year in (2022, 2023):
                if rng.random() < 0.05:
                    continue  # not reported
                r = Report(agency=a, year=year, status="approved" if year == 2022 else rng.choice(statuses),
                           validated_at="2024-01-20T10:00:00+08:00", error_count=int(rng.random() < 0.1),
                           warning_count=rng.randint(0, 3))  # fmt: skip
                copied = last is not None and rng.random() < 0.1  # a report that repeats last year's figures
                values = dict(last) if copied else dict(rng.choice(labels))
                if not copied:
                    key = canonical.t3("new_received", "total")
                    values[key] = (values[key] or 0) + rng.randint(0, 40)
                reports.append(r)
                values_of[id(r)] = values
                last = values
        Report.objects.bulk_create(reports, batch_size=5000)
        disclosure, outcomes, blocks = [], [], []
        for r in reports:
            values = values_of[id(r)]
            disclosure.append(DisclosureTable(report=r, **{f: values[k] for f, k in DISCLOSURE_FIELDS.items()}))
            for row, pos in TABLE3_POSITION.items():
                cells = {c: values[canonical.t3(row, c)] for c in canonical.TABLE3_COLUMN_KEYS}
                outcomes.append(ApplicationOutcome(report=r, row=row, position=pos, **cells))
            for block, pos in TABLE4_POSITION.items():
                cells = {c: values[canonical.t4(block, c)] for c in canonical.TABLE4_COLUMN_KEYS}
                blocks.append(ReviewLitigation(report=r, block=block, position=pos, **cells))
        DisclosureTable.objects.bulk_create(disclosure, batch_size=5000)
        ApplicationOutcome.objects.bulk_create(outcomes, batch_size=5000)
        ReviewLitigation.objects.bulk_create(blocks, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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
    setup_django()
    started = time.perf_counter()
    fill(n)
    print(f"set-up: {n} agencies, two years of reports in {time.perf_counter() - started:.1f} s")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    User = get_user_model()
    admin = User.objects.create_superuser("bench-admin", password="x")
    reviewer = User.objects.create_user("bench-reviewer", password="x", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="审核员"))
    for user, label in ((admin, "superuser"), (reviewer, "审核员")):
        client = Client()
        client.force_login(user)
        for params, what in (({"year": 2023}, "all"), ({"year": 2023, "kind": "township"}, "乡镇/街道")):
            median, worst, queries = measure(client, params)
            print(f"overview {n} agencies ({label}, {what}): median {median * 1000:.0f} ms, "
                  f"max {worst * 1000:.0f} ms, {queries} queries (target ≤ 1 s)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
