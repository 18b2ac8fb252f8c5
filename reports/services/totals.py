"""The per-report totals (reports/models/totals.py): computed from the cells by one SQL statement, the same for a
report just written (under its lock, in the writer's transaction), for the data migration, for the benchmark's
province and for `manage.py report_totals`. Portable SQL (PostgreSQL and SQLite); values are parameters."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from reports import canonical
from reports.models.totals import TOTAL_COLUMNS

_T3 = "reports_applicationoutcome"
_T4 = "reports_reviewlitigation"
_REPORT = "reports_report"
_TOTALS = "reports_reporttotals"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _in(ids: list[int] | None, column: str) -> tuple[str, list]:
    if ids is None:
        return "", []
    return f" WHERE {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def computed_sql(ids: list[int] | None = None) -> tuple[str, list]:
    """SELECT report_id, <one column per total> computed from the table rows, for the reports `ids` (None: all).
    A report without the row (never, the service creates all 28) gets NULL: blank."""
    t3_picks = ", ".join(
        f"MAX(CASE WHEN o.{_q('row')} = %s THEN o.{_q('total')} END) AS {_q(TOTAL_COLUMNS[canonical.t3(r, 'total')])}"
        for r in canonical.TABLE3_ROW_KEYS
    )
    t4_picks = ", ".join(
        f"MAX(CASE WHEN o.{_q('block')} = %s THEN o.{_q('total')} END) AS {_q(TOTAL_COLUMNS[canonical.t4(b, 'total')])}"
        for b in canonical.TABLE4_BLOCK_KEYS
    )
    t3_where, t3_ids = _in(ids, "o.report_id")
    t4_where, t4_ids = _in(ids, "o.report_id")
    r_where, r_ids = _in(ids, "r.id")
    t3_cols = [TOTAL_COLUMNS[canonical.t3(r, "total")] for r in canonical.TABLE3_ROW_KEYS]
    t4_cols = [TOTAL_COLUMNS[canonical.t4(b, "total")] for b in canonical.TABLE4_BLOCK_KEYS]
    out = ", ".join([*(f"t3.{_q(c)}" for c in t3_cols), *(f"t4.{_q(c)}" for c in t4_cols)])
    sql = (
        f"SELECT r.id AS report_id, {out} FROM {_q(_REPORT)} r "
        f"LEFT JOIN (SELECT o.report_id, {t3_picks} FROM {_q(_T3)} o{t3_where} GROUP BY o.report_id) t3 "
        f"ON t3.report_id = r.id "
        f"LEFT JOIN (SELECT o.report_id, {t4_picks} FROM {_q(_T4)} o{t4_where} GROUP BY o.report_id) t4 "
        f"ON t4.report_id = r.id{r_where}"
    )
    return sql, [*canonical.TABLE3_ROW_KEYS, *t3_ids, *canonical.TABLE4_BLOCK_KEYS, *t4_ids, *r_ids]


def refresh_sql(ids: list[int] | None = None) -> list[tuple[str, list]]:
    """The statements that (re)write the totals of the reports `ids` (None: every report) from their cells."""
    columns = ", ".join(_q(c) for c in ["report_id", *TOTAL_COLUMNS.values()])
    delete_where, delete_ids = _in(ids, "report_id")
    select, params = computed_sql(ids)
    return [
        (f"DELETE FROM {_q(_TOTALS)}{delete_where}", delete_ids),
        (f"INSERT INTO {_q(_TOTALS)} ({columns}) {select}", params),
    ]


def report_totals_refresh(*, report_ids: Iterable[int]) -> None:
    """Rewrite the totals of these reports from their cells. Called by the writers of cells (services.records)
    under the report's lock, inside their transaction, after the cells are written."""
    ids = sorted(set(report_ids))
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in refresh_sql(ids):
            cursor.execute(sql, params)


def _same(a: str, b: str) -> str:
    return f"({a} = {b} OR ({a} IS NULL AND {b} IS NULL))"


def report_totals_stale(*, limit: int | None = None) -> tuple[int, list[int]]:
    """How many reports' stored totals differ from their cells (or are missing), and the first `limit` ids."""
    select, params = computed_sql(None)
    equal = " AND ".join(_same(f"s.{_q(c)}", f"c.{_q(c)}") for c in TOTAL_COLUMNS.values())
    sql = (
        f"SELECT c.report_id FROM ({select}) c LEFT JOIN {_q(_TOTALS)} s ON s.report_id = c.report_id "
        f"WHERE s.report_id IS NULL OR NOT ({equal}) ORDER BY c.report_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    return len(ids), ids if limit is None else ids[:limit]


def report_totals_rebuild(*, report_ids: Iterable[int] | None = None, chunk: int = 500) -> int:
    """Rewrite the totals of these reports (None: all), `chunk` reports a transaction, each chunk's report rows
    locked first (as every writer does) so no save is half-way through them. Returns how many."""
    from reports.models import Report

    ids = (
        sorted(set(report_ids))
        if report_ids is not None
        else list(Report.objects.order_by("pk").values_list("pk", flat=True))
    )
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        with transaction.atomic():
            list(Report.objects.select_for_update().filter(pk__in=part).order_by("pk").values_list("pk", flat=True))
            report_totals_refresh(report_ids=part)
    return len(ids)
