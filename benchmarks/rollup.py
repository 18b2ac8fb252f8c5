"""Benchmark: the roll-up (reports/rollup.py) at the top node of a 30,000-agency tree on PostgreSQL (target ≤ 1 s).

Run by hand: `.venv/bin/python benchmarks/rollup.py [N]`. Creates a scratch database (BENCH_DATABASE, default
nianbao_bench_rollup on 127.0.0.1:5432, user postgres) holding a province → 15 cities → 100 counties → N agencies
in all (townships and departments under the counties), each with a 2023 report (four in five approved) and its
200 cells; then times rollup_build at the province, a city and a county, and the 区划汇总 page at the province as a
superuser and as a city reviewer (NodeStaff), printing the median of 7 runs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

os.environ.setdefault("BENCH_DATABASE", "nianbao_bench_rollup")
from _db import setup_django  # noqa: E402

CITIES, COUNTIES = 15, 100


def fill(n: int) -> None:
    from django.db import connection, transaction

    from agencies.models import Agency, path_segment
    from reports import canonical
    from reports.models import ApplicationOutcome, ApprovedFigures, DisclosureTable, Report, ReviewLitigation
    from reports.models.rollup import COLUMN_OF
    from reports.models.tables import DISCLOSURE_FIELDS, TABLE3_POSITION, TABLE4_POSITION

    rng = random.Random(15)
    agencies: list[Agency] = []

    def add(name, kind, parent):
        pk = len(agencies) + 1
        path = (parent.path if parent else "") + path_segment(pk)
        a = Agency(pk=pk, name=name, short_name=name[:20], kind=kind, parent=parent, path=path,
                   depth=len(path) // 9 - 1)  # fmt: skip
        agencies.append(a)
        return a

    province = add("基准省", "region", None)
    cities = [add(f"基准第{i}市人民政府", "city_government", province) for i in range(CITIES)]
    counties = [add(f"基准第{i}县人民政府", "county_government", cities[i % CITIES]) for i in range(COUNTIES)]
    i = 0
    while len(agencies) < n:
        county = counties[i % COUNTIES]
        kind = "township" if rng.random() < 0.6 else "department"
        add(f"基准{county.pk}县第{i}{'乡' if kind == 'township' else '局'}", kind, county)
        i += 1
    with transaction.atomic():
        Agency.objects.bulk_create(agencies, batch_size=5000)
        reports = [
            Report(agency=a, year=2023, status="approved" if rng.random() < 0.8 else rng.choice(["draft", "submitted"]))
            for a in agencies
            if a.kind != "region"
        ]
        Report.objects.bulk_create(reports, batch_size=5000)
        disclosure, outcomes, blocks, frozen = [], [], [], []
        for r in reports:
            values = {}
            cells = {f: rng.randint(0, 30) for f in DISCLOSURE_FIELDS}
            values.update({DISCLOSURE_FIELDS[f]: v for f, v in cells.items()})
            disclosure.append(DisclosureTable(report=r, **cells))
            for row, pos in TABLE3_POSITION.items():
                cells = {c: (rng.randint(0, 9) if rng.random() < 0.9 else None) for c in canonical.TABLE3_COLUMN_KEYS}
                values.update({canonical.t3(row, c): v for c, v in cells.items()})
                outcomes.append(ApplicationOutcome(report=r, row=row, position=pos, **cells))
            for block, pos in TABLE4_POSITION.items():
                cells = {c: rng.randint(0, 3) for c in canonical.TABLE4_COLUMN_KEYS}
                values.update({canonical.t4(block, c): v for c, v in cells.items()})
                blocks.append(ReviewLitigation(report=r, block=block, position=pos, **cells))
            if r.status == "approved":  # what the workflow's approval freezes (services/figures.py)
                frozen.append(
                    ApprovedFigures(
                        report=r, agency=r.agency, year=r.year, **{COLUMN_OF[k]: v for k, v in values.items()}
                    )
                )
        DisclosureTable.objects.bulk_create(disclosure, batch_size=5000)
        ApplicationOutcome.objects.bulk_create(outcomes, batch_size=5000)
        ReviewLitigation.objects.bulk_create(blocks, batch_size=5000)
        ApprovedFigures.objects.bulk_create(frozen, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('agencies_agency', 'id'), (SELECT max(id) FROM agencies_agency))"
        )
        cursor.execute("ANALYZE")


def median_of(fn, rounds: int = 7) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main(n: int, *, reuse: bool = False) -> None:
    setup_django(fresh=not reuse)
    started = time.perf_counter()
    if not reuse:
        fill(n)
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the tables a migration just filled
    from agencies.models import Agency, NodeStaff
    from reports.rollup import rollup_build

    print(
        f"set-up: {Agency.objects.count()} agencies, their 2023 reports and cells in {time.perf_counter() - started:.1f} s"
    )
    province = Agency.objects.get(depth=0)
    city = Agency.objects.filter(depth=1).order_by("pk").first()
    county = Agency.objects.filter(depth=2).order_by("pk").first()
    for node, label in ((province, "province (top node)"), (city, "city"), (county, "county")):
        below = node.subtree(include_self=False).count()
        median, worst = median_of(lambda node=node: rollup_build(node, 2023))
        print(f"rollup_build at {label}, {below} agencies beneath: median {median * 1000:.0f} ms, "
              f"max {worst * 1000:.0f} ms (target ≤ 1 s at the top)")  # fmt: skip

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    User = get_user_model()
    User.objects.filter(username__in=["bench-admin", "bench-city"]).delete()
    admin = User.objects.create_superuser("bench-admin", password="x")
    reviewer = User.objects.create_user("bench-city", password="x", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="审核员"))
    NodeStaff.objects.create(user=reviewer, node=city)
    for user, node, label in ((admin, province, "superuser at the province"), (reviewer, city, "city reviewer")):
        client = Client()
        client.force_login(user)

        def page(client=client, node=node):
            response = client.get("/admin/reports/report/rollup/", {"node": node.pk, "year": 2023})
            assert response.status_code == 200, response.status_code

        median, worst = median_of(page)
        print(f"区划汇总 page ({label}): median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms")


if __name__ == "__main__":
    # --reuse: measure again on the database a previous run filled (migrating it first).
    args = [a for a in sys.argv[1:] if a != "--reuse"]
    main(int(args[0]) if args else 30000, reuse="--reuse" in sys.argv)
