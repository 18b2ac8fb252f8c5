"""A province's worth of data for the scale benchmarks, written with PostgreSQL COPY (about a minute for 30,000
agencies and 60,000 reports, where bulk_create takes several).

`build(n)` fills the (already migrated) benchmark database with:
- n agencies in a two-level tree: one 县政府 per county of `PER_COUNTY` agencies, its 乡镇/街道 and 县直部门 below
  it (parent), names unique, pinyin filled as the model's save() would;
- reports for YEARS (2022 and 2023) for all but ~3 % of the agencies a year, statuses mixed (the earlier year
  approved), their 200 cells taken from the labelled corpus reports with variations; a tenth repeat last year's
  cells exactly, a tenth carry an open error issue, some have warnings;
- each report's stored totals (ReportTotals), filled from the cells by the SQL the migration and the service use;
- a few open cell comments.

The database is reused when it already holds exactly this build (same n, same SIGNATURE): `BENCH_REUSE=0`
forces a rebuild.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, date, datetime

from _db import ROOT

YEARS = (2022, 2023)
PER_COUNTY = 300
SIGNATURE = "province-v1"
STATUSES = ["draft", "submitted", "reviewing", "returned", "approved", "approved", "approved"]
TEXT = "本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，" * 12


def _labels() -> list[dict]:
    from reports import canonical

    recs = (json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests/fixtures").rglob("*.json")))
    return [canonical.flatten(rec) for rec in recs if isinstance(rec, dict) and "applications" in rec]


def _copy(cursor, model, rows: list[dict]) -> None:
    """COPY rows (dicts of attname → value) into the model's table; other fields get their defaults (the primary
    key, unless given, its sequence)."""
    if not rows:
        return
    given = list(rows[0])
    fields = [f for f in model._meta.concrete_fields if f.attname in given or not f.primary_key]
    defaults = []
    for f in fields:
        default = f.get_default()
        if f.get_internal_type() == "JSONField" and default is not None:
            default = json.dumps(default)
        defaults.append(default)
    positions = [next(i for i, f in enumerate(fields) if f.attname == name) for name in given]
    quoted = ", ".join(f'"{f.column}"' for f in fields)
    with cursor.copy(f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            out = list(defaults)
            for pos, name in zip(positions, given, strict=True):
                out[pos] = row[name]
            copy.write_row(out)


def is_built(n: int) -> bool:
    """Whether the benchmark database exists and holds exactly this build."""
    import psycopg
    from _db import BENCH_URL

    try:
        with psycopg.connect(BENCH_URL) as conn:
            if conn.execute("SELECT to_regclass('nb_bench_build')").fetchone()[0] is None:
                return False
            return conn.execute("SELECT signature, agencies FROM nb_bench_build").fetchone() == (SIGNATURE, n)
    except psycopg.OperationalError:  # no such database yet
        return False


def build(n: int, *, seed: int = 13) -> dict:
    """Fill the empty benchmark database; returns counts. Prints how long it took."""
    from django.db import connection

    from agencies.models import Agency, pinyin_of
    from reports import canonical
    from reports.models import (
        ApplicationOutcome,
        CellComment,
        DisclosureTable,
        Report,
        ReviewLitigation,
        ValidationIssue,
    )
    from reports.models.tables import DISCLOSURE_FIELDS, TABLE3_POSITION, TABLE4_POSITION

    started = time.perf_counter()
    rng = random.Random(seed)
    labels = _labels()
    now = datetime(2024, 2, 1, 2, 0, tzinfo=UTC)
    agencies = []
    for i in range(n):
        county, k = divmod(i, PER_COUNTY)
        if k == 0:
            name, short, kind, parent = f"基准省第{county}县人民政府", f"第{county}县", "county_government", None
        elif k % 5 in (1, 2, 3):
            name, short, kind = f"基准省第{county}县第{k}乡人民政府", f"第{county}县第{k}乡", "township"
            parent = county * PER_COUNTY + 1
        else:
            name, short, kind = f"基准省第{county}县第{k}局", f"第{county}县第{k}局", "department"
            parent = county * PER_COUNTY + 1
        agencies.append(
            {"id": i + 1, "name": name, "short_name": short, "kind": kind, "parent_id": parent,
             "name_pinyin": pinyin_of(name), "contact_person": "张三", "contact_phone": "0851-1234567",
             "created_at": now, "updated_at": now}
        )  # fmt: skip
    reports, disclosure, outcomes, blocks, issues, comments = [], [], [], [], [], []
    t3_key = canonical.t3("new_received", "total")
    nat_key = canonical.t3("new_received", "natural_person")
    report_id = 0
    for a in agencies:
        last = None
        for year in YEARS:
            if rng.random() < 0.03:
                last = None
                continue  # not (yet) reported
            report_id += 1
            copied = last is not None and rng.random() < 0.1
            values = dict(last) if copied else dict(rng.choice(labels))
            if not copied:
                extra = rng.randint(0, 40)
                values[nat_key] = (values[nat_key] or 0) + extra
                values[t3_key] = (values[t3_key] or 0) + extra
            last = values
            status = "approved" if year == YEARS[0] else rng.choice(STATUSES)
            errors = int(rng.random() < 0.1)
            warnings = rng.choice([0, 0, 0, 1, 2])
            validated = rng.random() < 0.97
            reports.append(
                {"id": report_id, "agency_id": a["id"], "year": year, "template_version": "2021", "status": status,
                 "title": f"{a['name']}{year}年政府信息公开工作年度报告", "published_on": date(year + 1, 1, 20),
                 "preamble": TEXT[:200], "overview": TEXT, "problems": TEXT[:300], "other_matters": "无。",
                 "error_count": errors if validated else 0, "warning_count": warnings if validated else 0,
                 "info_count": 0, "validated_at": now if validated else None, "created_at": now, "updated_at": now}
            )  # fmt: skip
            disclosure.append({"report_id": report_id, **{f: values[k] for f, k in DISCLOSURE_FIELDS.items()}})
            for row, pos in TABLE3_POSITION.items():
                cells = {c: values[canonical.t3(row, c)] for c in canonical.TABLE3_COLUMN_KEYS}
                outcomes.append({"report_id": report_id, "row": row, "position": pos, **cells})
            for block, pos in TABLE4_POSITION.items():
                cells = {c: values[canonical.t4(block, c)] for c in canonical.TABLE4_COLUMN_KEYS}
                blocks.append({"report_id": report_id, "block": block, "position": pos, **cells})
            if validated:
                for position in range(errors + warnings):
                    severity = "error" if position < errors else "warning"
                    issues.append(
                        {"report_id": report_id, "rule": "R2" if severity == "error" else "R9", "severity": severity,
                         "keys": json.dumps([t3_key]), "message": "表三 一、本年新收 的总计不等于各列之和",
                         "expected": "1", "actual": "2", "fingerprint": f"bench-{report_id}-{position}",
                         "position": position, "accepted": False}
                    )  # fmt: skip
            if rng.random() < 0.01:
                comments.append(
                    {"report_id": report_id, "key": t3_key, "text": "与上年结转数不符，请核实。",
                     "created_at": now, "resolved": False}
                )  # fmt: skip
    prepared = time.perf_counter() - started
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: COPY
        for model, rows in (
            (Agency, agencies), (Report, reports), (DisclosureTable, disclosure), (ApplicationOutcome, outcomes),
            (ReviewLitigation, blocks), (ValidationIssue, issues), (CellComment, comments),
        ):  # fmt: skip
            _copy(raw, model, rows)
        for model in (Agency, Report, DisclosureTable, ApplicationOutcome, ReviewLitigation, ValidationIssue,
                      CellComment):  # fmt: skip
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1)) FROM \"{table}\""
            )
        # The stored totals the service keeps with the cells (ReportTotals), by the statements of the migration.
        from reports.services.totals import refresh_sql

        for sql, params in refresh_sql(None):
            cursor.execute(sql, params)
        cursor.execute("DROP TABLE IF EXISTS nb_bench_build")
        cursor.execute("CREATE TABLE nb_bench_build (signature text, agencies integer)")
        cursor.execute("INSERT INTO nb_bench_build VALUES (%s, %s)", [SIGNATURE, n])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts = {
        "agencies": len(agencies),
        "reports": len(reports),
        "cells": len(reports) * len(canonical.ALL_KEYS),
        "table rows": len(disclosure) + len(outcomes) + len(blocks),
        "issues": len(issues),
    }
    print(
        f"built {counts['agencies']} agencies, {counts['reports']} reports ({counts['cells']:,} cells, "
        f"{counts['table rows']:,} table rows, {counts['issues']:,} issues) in {time.perf_counter() - started:.0f} s "
        f"(prepared in {prepared:.0f} s)"
    )
    return counts


def province(n: int) -> None:
    """Django set up on the benchmark database holding a province of n agencies (built unless already there)."""
    import os

    from _db import setup_django

    if os.environ.get("BENCH_REUSE", "1") != "0" and is_built(n):
        setup_django(fresh=False)
        print(f"reusing the province of {n} agencies already in the benchmark database")
        return
    setup_django(fresh=True)
    build(n)
