"""Benchmark: `check_reports --year` over 10,000 stored reports on PostgreSQL (target ≤ 60 s), and rule
evaluation per report (target ≤ 5 ms). Run by hand: `.venv/bin/python benchmarks/check_reports.py [N]`.

Creates a scratch database (nianbao_bench on 127.0.0.1:5432, user postgres), fills it with N reports whose
figures are the labelled corpus reports with small variations, then times the command.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time

from _db import ROOT, setup_django


def main(n: int) -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from agencies.models import Agency
    from reports import canonical
    from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
    from reports.models.tables import DISCLOSURE_FIELDS, TABLE3_POSITION, TABLE4_POSITION

    labels = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "tests/fixtures").rglob("*.json"))
        if p.name[0].isdigit() or p.name.startswith("r")
    ]
    labels = [canonical.flatten(rec) for rec in labels if "applications" in rec]
    rng = random.Random(7)
    started = time.perf_counter()
    with transaction.atomic():
        agencies = Agency.objects.bulk_create(
            [Agency(name=f"基准县第{i}乡人民政府", short_name=f"第{i}乡", kind="township") for i in range(n)]
        )
        reports = Report.objects.bulk_create(
            [
                Report(agency=a, year=2023, status="submitted", title=f"{a.name}2023年政府信息公开工作年度报告")
                for a in agencies
            ]
        )
        disclosure, outcomes, blocks = [], [], []
        for report in reports:
            values = dict(rng.choice(labels))
            if rng.random() < 0.1:  # a tenth of the reports carry an arithmetic error
                key = canonical.t3("granted", "total")
                values[key] = (values[key] or 0) + 1
            disclosure.append(DisclosureTable(report=report, **{f: values[k] for f, k in DISCLOSURE_FIELDS.items()}))
            for row, pos in TABLE3_POSITION.items():
                outcomes.append(
                    ApplicationOutcome(
                        report=report,
                        row=row,
                        position=pos,
                        **{c: values[canonical.t3(row, c)] for c in canonical.TABLE3_COLUMN_KEYS},
                    )
                )
            for block, pos in TABLE4_POSITION.items():
                blocks.append(
                    ReviewLitigation(
                        report=report,
                        block=block,
                        position=pos,
                        **{c: values[canonical.t4(block, c)] for c in canonical.TABLE4_COLUMN_KEYS},
                    )
                )
        DisclosureTable.objects.bulk_create(disclosure, batch_size=2000)
        ApplicationOutcome.objects.bulk_create(outcomes, batch_size=5000)
        ReviewLitigation.objects.bulk_create(blocks, batch_size=5000)
    print(f"set-up: {n} reports in {time.perf_counter() - started:.1f} s")

    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("check_reports", "--year", "2023", "--quiet", stdout=out)
    except SystemExit:
        pass
    except Exception as exc:  # CommandError(returncode=1): errors found, as planted
        if getattr(exc, "returncode", None) != 1:
            raise
    elapsed = time.perf_counter() - started
    print(out.getvalue().splitlines()[-1])
    print(
        f"check_reports --year 2023: {n} reports in {elapsed:.1f} s ({elapsed / n * 1000:.2f} ms per report, "
        f"target ≤ 60 s for 10,000)"
    )

    # rule evaluation alone, per report, on the stored facts
    from reports import rules
    from reports.services.validation import facts_for_reports, rule_config

    sample = list(Report.objects.select_related("agency")[:500])
    facts = facts_for_reports(sample)
    config = rule_config()
    started = time.perf_counter()
    for report in sample:
        rules.evaluate(facts[report.pk], config)
    per = (time.perf_counter() - started) / len(sample) * 1000
    print(f"rule evaluation: {per:.2f} ms per report (target ≤ 5 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
