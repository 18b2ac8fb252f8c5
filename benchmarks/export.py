"""Benchmark: `export_summary` over 10,000 reports on PostgreSQL (target ≤ 30 s, peak memory ≤ 400 MB).

Run by hand: `.venv/bin/python benchmarks/export.py [N]`. Creates a scratch database (BENCH_DATABASE, default
nianbao_bench_export on 127.0.0.1:5432, user postgres), fills it with N reports of 2023 whose figures are the
labelled corpus reports with small variations (a tenth with an open error), then runs the command in a child
process and prints its wall time and peak resident memory. Above 300 agencies the workbook leaves out the
per-agency official sheets (see reports/exports/summary.py), so a second run exports the 300 县直部门 among them
with one official sheet each.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "nianbao_bench_export")
from _db import BENCH_URL, ROOT, setup_django  # noqa: E402

DEPARTMENTS = 300


def fill(n: int) -> None:
    from django.db import transaction

    from agencies.models import Agency
    from reports import canonical
    from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation, ValidationIssue
    from reports.models.tables import DISCLOSURE_FIELDS, TABLE3_POSITION, TABLE4_POSITION

    labels = [
        canonical.flatten(rec)
        for rec in (
            json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests/fixtures").rglob("*.json"))
        )
        if isinstance(rec, dict) and "applications" in rec
    ]
    rng = random.Random(11)
    with transaction.atomic():
        agencies = Agency.objects.bulk_create(
            [
                Agency(
                    name=f"基准县第{i}{'局' if i < DEPARTMENTS else '乡人民政府'}",
                    short_name=f"第{i}{'局' if i < DEPARTMENTS else '乡'}",
                    kind="department" if i < DEPARTMENTS else "township",
                )
                for i in range(n + n // 50)  # a few agencies have not reported
            ],
            batch_size=5000,
        )
        reports = Report.objects.bulk_create(
            [
                Report(
                    agency=a,
                    year=2023,
                    status=rng.choice(["submitted", "reviewing", "approved"]),
                    title=f"{a.name}2023年政府信息公开工作年度报告",
                    validated_at="2024-01-20T10:00:00+08:00",
                )
                for a in agencies[:n]
            ],  # fmt: skip
            batch_size=5000,
        )
        disclosure, outcomes, blocks, issues = [], [], [], []
        for report in reports:
            values = dict(rng.choice(labels))
            key = canonical.t3("new_received", "natural_person")
            values[key] = (values[key] or 0) + rng.randint(0, 30)
            values[canonical.t3("new_received", "total")] = (values[canonical.t3("new_received", "total")] or 0) + 1
            if rng.random() < 0.1:
                report.error_count = 1
                issues.append(
                    ValidationIssue(report=report, rule="R2", severity="error", keys=[key],
                                    message="表三 一、本年新收 的总计不等于各列之和", expected="1", actual="2",
                                    fingerprint=f"bench{report.pk}")
                )  # fmt: skip
            disclosure.append(DisclosureTable(report=report, **{f: values[k] for f, k in DISCLOSURE_FIELDS.items()}))
            for row, pos in TABLE3_POSITION.items():
                cells = {c: values[canonical.t3(row, c)] for c in canonical.TABLE3_COLUMN_KEYS}
                outcomes.append(ApplicationOutcome(report=report, row=row, position=pos, **cells))
            for block, pos in TABLE4_POSITION.items():
                cells = {c: values[canonical.t4(block, c)] for c in canonical.TABLE4_COLUMN_KEYS}
                blocks.append(ReviewLitigation(report=report, block=block, position=pos, **cells))
        Report.objects.bulk_update(reports, ["error_count"], batch_size=5000)
        DisclosureTable.objects.bulk_create(disclosure, batch_size=5000)
        ApplicationOutcome.objects.bulk_create(outcomes, batch_size=5000)
        ReviewLitigation.objects.bulk_create(blocks, batch_size=5000)
        ValidationIssue.objects.bulk_create(issues, batch_size=5000)


# The child reports its own high-water mark (VmHWM) at exit: polling can miss a short peak, and getrusage would
# count the pages of this (large, freshly filled) process that the child shared until it exec'd.
WRAPPER = (
    "import atexit, runpy, sys\n"
    "def hwm():\n"
    "    line = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0]\n"
    "    print('NB_PEAK_KB', line.split()[1], file=sys.stderr)\n"
    "atexit.register(hwm)\n"
    "sys.argv = sys.argv[1:]\n"
    "sys.path.insert(0, sys.argv[0].rsplit('/', 1)[0])\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def run(args: list[str]) -> tuple[float, float, str]:
    """Run manage.py export_summary in a child process: wall seconds, peak RSS in MB, its output."""
    env = {**os.environ, "DATABASE_URL": BENCH_URL}
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(ROOT / "manage.py"), "export_summary", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"export_summary failed:\n{child.stdout}{child.stderr}")
    peak_kb = int(child.stderr.split("NB_PEAK_KB")[-1].split()[0])
    return elapsed, peak_kb / 1024, child.stdout.strip()


def main(n: int) -> None:
    setup_django()
    started = time.perf_counter()
    fill(n)
    print(f"set-up: {n} reports in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.xlsx"
        seconds, peak, out = run(["--year", "2023", "--output", str(path)])
        print(out)
        print(f"export_summary, {n} reports: {seconds:.1f} s, peak memory {peak:.0f} MB, "
              f"file {path.stat().st_size / 1e6:.1f} MB (targets: ≤ 30 s, ≤ 400 MB)")  # fmt: skip
        path2 = Path(tmp) / "departments.xlsx"
        seconds, peak, out = run(["--year", "2023", "--kind", "department", "--output", str(path2)])
        print(out)
        print(f"export_summary, {DEPARTMENTS} reports with an official sheet each: {seconds:.1f} s, "
              f"peak memory {peak:.0f} MB, file {path2.stat().st_size / 1e6:.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
