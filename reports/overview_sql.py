"""The overview's figures and comparisons with last year, in one SQL statement, for any number of reports.

Each report's key figures (a few 表三/表四 totals, read from its stored totals, reports/models/totals.py) are paired with the same agency's
report of the year before; Python gets back ten rows (the largest changes) or the reports whose 200 cells are
all last year's. Only candidates whose key figures are unchanged are compared cell by cell, through the
(report, row) unique indexes. Portable SQL (PostgreSQL and SQLite); every value is a parameter.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction

from reports import canonical
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReportTotals, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS
from reports.models.totals import TOTAL_COLUMNS

Keys = list[tuple[str, ...]]  # per key figure: the canonical cells it sums


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _ids_sql(queryset, *fields: str) -> tuple[str, list]:
    try:
        sql, params = queryset.order_by().values("pk", *fields).query.sql_with_params()
    except EmptyResultSet:  # e.g. a status filter that leaves no report status (only 未建立)
        return "SELECT " + ", ".join(["0"] * (1 + len(fields))) + " WHERE 1 = 0", []
    return sql, list(params)


# The two sets of reports (id, agency, year), each once (a scoped queryset may join), flagged 1 (this year) or 0
# (last year). Read from the index on (year, id, agency): no visit to the wide report rows.
_ID_SETS = (
    "cur(id, agency_id, year) AS ({cur}), prev(id, agency_id, year) AS ({prev}), "
    "r AS (SELECT DISTINCT id, agency_id, year, 1 AS y FROM cur "
    "UNION ALL SELECT DISTINCT id, agency_id, year, 0 AS y FROM prev)"
)


def _fetch(sql: str, params: list) -> list[tuple]:
    """Run one statement. On PostgreSQL without JIT: its CTEs push the cost estimate over jit_above_cost, and
    compiling takes longer than the query itself (hundreds of ms for a sub-second query)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        # The key figures of a province (58,000 rows) are sorted and hashed: in memory, not spilled to disk.
        cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _same(a: str, b: str) -> str:
    """Null-safe equality, portable (blank equals blank, blank is not 0)."""
    return f"({a} = {b} OR ({a} IS NULL AND {b} IS NULL))"


def _key_figures(current, previous, keys: Keys) -> tuple[str, list, int]:
    """`WITH cur, prev, r, kf`: kf has report_id, agency_id, year, y (1: of `current`, 0: of `previous`), agency_name,
    f0…fn (each key figure: NULL if a cell is blank) and s0…s27 (the 总计 of each 表三 row and 表四 block, in
    TOTAL_COLUMNS order), read from each report's stored totals (ReportTotals: one narrow row a report, kept by the
    service layer with the cells) — not from the 1.7 million table rows of a province."""
    cur_sql, cur_params = _ids_sql(current, "agency_id", "year")
    prev_sql, prev_params = _ids_sql(previous, "agency_id", "year")
    figures = []
    for i, figure in enumerate(keys):
        for key in figure:
            if key not in TOTAL_COLUMNS:
                raise ValueError(f"key figures sum total cells only: {key}")
        figures.append("(" + " + ".join(f"t.{_q(TOTAL_COLUMNS[k])}" for k in figure) + f") AS f{i}")
    totals = [f"t.{_q(c)} AS s{i}" for i, c in enumerate(TOTAL_COLUMNS.values())]
    agency = _q(Report._meta.get_field("agency").related_model._meta.db_table)
    # The agency's name joins here, on all the reports at once (a hash join): joined after the cell-by-cell
    # filter, whose few rows PostgreSQL cannot estimate (it guesses one), it became a nested loop scanning the
    # agencies once per unchanged report (41 million rows compared for 2,800 reports, 4 s).
    sql = (
        f"WITH {_ID_SETS}, "
        f"kf AS (SELECT r.id AS report_id, r.agency_id AS agency_id, r.year AS year, r.y AS y, "
        f"ag.name AS agency_name, {', '.join([*figures, *totals])} "
        f"FROM r JOIN {agency} ag ON ag.id = r.agency_id "
        f"LEFT JOIN {_q(ReportTotals._meta.db_table)} t ON t.report_id = r.id) "
    )
    return (
        sql.replace("{cur}", cur_sql).replace("{prev}", prev_sql),
        [*cur_params, *prev_params],
        len(keys),
    )


def figures_and_changes(current, previous, year: int, keys: Keys, *, limit: int) -> tuple[list, list, dict]:
    """In one statement (each report's figures gathered once, from its stored totals):

    - sums: the sum and number of filled cells of every 表三 row total and 表四 block total, for the reports of
      `current` (year flag 1) and of `previous` (0), as (table, year flag, row, sum, filled), and the number of
      reports of each as ("reports", year flag, "", count, 0); a report without its totals row counts as blank;
    - changed: the `limit` reports of `current` whose key figures moved most from the same agency's report of
      last year (sum of the absolute changes of the figures filled both years), largest first, as (report id,
      agency name, score, figures this year, figures last year);
    - unchanged: the reports of `current` whose 200 cells (表二, 表三, 表四; blank = blank) are exactly those of
      the same agency's report of last year: report id → (agency name, all key figures 0 or blank). Only pairs
      whose key figures are all equal are compared cell by cell, a few index look-ups each.
    """
    with_sql, params, n = _key_figures(current, previous, keys)
    m = len(TOTAL_COLUMNS)
    score = " + ".join(f"COALESCE(ABS(c.f{i} - p.f{i}), 0)" for i in range(n))
    figures = ", ".join([*(f"c.f{i}" for i in range(n)), *(f"p.f{i}" for i in range(n))])
    # Typed: PostgreSQL takes a bare NULL in a subquery's list as text, which cannot be UNIONed with a number.
    no_figures = ", ".join(["CAST(NULL AS BIGINT)"] * (2 * n))
    no_sums = ", ".join(["CAST(NULL AS BIGINT)"] * (2 * m))
    sums = ", ".join(f"SUM(s{i}), COUNT(s{i})" for i in range(m))
    same_keys = " AND ".join(_same(f"c.f{i}", f"p.f{i}") for i in range(n))
    zero = " AND ".join(f"COALESCE(c.f{i}, 0) = 0" for i in range(n))

    def equal_rows(model, columns, match: str | None) -> str:
        table = _q(model._meta.db_table)
        equal = " AND ".join(_same(f"x.{_q(c)}", f"y.{_q(c)}") for c in columns)
        on = f" AND y.{_q(match)} = x.{_q(match)}" if match else ""
        return (
            f"(SELECT COUNT(*) FROM {table} x JOIN {table} y ON y.report_id = pr.prev_id{on} "
            f"WHERE x.report_id = pr.cur_id AND {equal})"
        )

    t2 = equal_rows(DisclosureTable, [DisclosureTable._meta.get_field(f).column for f in DISCLOSURE_FIELDS], None)
    t3 = equal_rows(ApplicationOutcome, canonical.TABLE3_COLUMN_KEYS, "row")
    t4 = equal_rows(ReviewLitigation, canonical.TABLE4_COLUMN_KEYS, "block")
    pairs = "kf c JOIN kf p ON p.agency_id = c.agency_id AND p.year = c.year - 1"
    sql = (
        f"{with_sql}, pairs AS (SELECT c.report_id AS cur_id, p.report_id AS prev_id, c.agency_name AS name, "
        f"CASE WHEN {zero} THEN 1 ELSE 0 END AS zero FROM {pairs} WHERE c.year = %s AND {same_keys}) "
        f"SELECT 0 AS what, y, NULL, COUNT(*), {no_figures}, {sums} FROM kf GROUP BY y "
        f"UNION ALL SELECT * FROM (SELECT 1 AS what, c.report_id, c.agency_name, {score} AS score, {figures}, "
        f"{no_sums} FROM {pairs} WHERE c.year = %s AND {score} > 0 "
        f"ORDER BY score DESC, c.agency_name LIMIT %s) changed "
        f"UNION ALL SELECT 2, pr.cur_id, pr.name, pr.zero, {no_figures}, {no_sums} FROM pairs pr "
        f"WHERE {t2} = 1 AND {t4} = %s AND {t3} = %s"
    )
    params = [*params, year, year, limit, len(canonical.TABLE4_BLOCKS), len(canonical.TABLE3_ROWS)]
    totals, changed, unchanged = [], [], {}
    for what, report_id, name, score, *cells in _fetch(sql, params):
        if what == 0:  # report_id is the year flag, score the number of reports
            totals.append(("reports", report_id, "", score, 0))
            for i, key in enumerate(TOTAL_COLUMNS):
                table, row, _col = key.split(".")
                totals.append((table, report_id, row, cells[2 * n + 2 * i], cells[2 * n + 2 * i + 1]))
        elif what == 1:
            changed.append((report_id, name, score, tuple(cells[:n]), tuple(cells[n : 2 * n])))
        else:
            unchanged[report_id] = (name, bool(score))
    changed.sort(key=lambda c: (-c[2], c[1]))  # UNION ALL keeps no order
    return totals, changed, unchanged
