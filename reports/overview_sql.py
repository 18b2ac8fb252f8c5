"""The overview's comparisons with last year, in one SQL statement each, for any number of reports.

Each report's key figures (a few 表三/表四 totals) are gathered in the database and paired with the same agency's
report of the year before; Python gets back ten rows (the largest changes) or the reports whose 200 cells are
all last year's. Only candidates whose key figures are unchanged are compared cell by cell, through the
(report, row) unique indexes. Portable SQL (PostgreSQL and SQLite); every value is a parameter.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction

from reports import canonical
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS

Keys = list[tuple[str, ...]]  # per key figure: the canonical cells it sums


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _ids_sql(queryset) -> tuple[str, list]:
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # e.g. a status filter that leaves no report status (only 未建立)
        return "SELECT 0 AS pk WHERE 1 = 0", []
    return sql, list(params)


# The two sets of report ids, each id once (a scoped queryset may join), flagged 1 (this year) or 0 (last year).
_ID_SETS = (
    "cur(id) AS ({cur}), prev(id) AS ({prev}), "
    "r AS (SELECT DISTINCT id, 1 AS y FROM cur UNION ALL SELECT DISTINCT id, 0 AS y FROM prev)"
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
        cursor.execute(sql, params)
        return cursor.fetchall()


def _same(a: str, b: str) -> str:
    """Null-safe equality, portable (blank equals blank, blank is not 0)."""
    return f"({a} = {b} OR ({a} IS NULL AND {b} IS NULL))"


def _key_figures(current, previous, keys: Keys) -> tuple[str, list, int]:
    """`WITH cur, prev, kf`: kf has report_id, agency_id, year, agency_name and f0…fn (each key figure: NULL if a cell is
    blank), for the reports of `current` and `previous`."""
    cur_sql, cur_params = _ids_sql(current)
    prev_sql, prev_params = _ids_sql(previous)
    cells: dict[str, list[str]] = {"applications": [], "review_litigation": []}
    for figure in keys:
        for key in figure:
            table, row, col = key.split(".")
            if col != "total":
                raise ValueError(f"key figures sum total cells only: {key}")
            if row not in cells[table]:
                cells[table].append(row)
    t3, t4 = cells["applications"], cells["review_litigation"]
    column = {("applications", r): f"t3.c{i}" for i, r in enumerate(t3)}
    column.update({("review_litigation", b): f"t4.c{i}" for i, b in enumerate(t4)})
    figures = [
        "(" + " + ".join(column[tuple(k.split(".")[:2])] for k in figure) + f") AS f{i}"
        for i, figure in enumerate(keys)
    ]

    def pivot(model, field: str, rows: list[str]) -> tuple[str, list]:
        # Driven by the ids (r): a handful of reports use the (report, row) index, a province the covering one.
        if not rows:
            return "(SELECT NULL AS report_id)", []
        picks = ", ".join(
            f"MAX(CASE WHEN o.{_q(field)} = %s THEN o.{_q('total')} END) AS c{i}" for i in range(len(rows))
        )
        marks = ", ".join(["%s"] * len(rows))
        sql = (
            f"(SELECT o.report_id, {picks} FROM {_q(model._meta.db_table)} o JOIN r ON r.id = o.report_id "
            f"WHERE o.{_q(field)} IN ({marks}) GROUP BY o.report_id)"
        )
        return sql, [*rows, *rows]

    t3_sql, t3_params = pivot(ApplicationOutcome, "row", t3)
    t4_sql, t4_params = pivot(ReviewLitigation, "block", t4)
    report = _q(Report._meta.db_table)
    agency = _q(Report._meta.get_field("agency").related_model._meta.db_table)
    # The agency's name joins here, on all the reports at once (a hash join): joined after the cell-by-cell
    # filter, whose few rows PostgreSQL cannot estimate (it guesses one), it became a nested loop scanning the
    # agencies once per unchanged report (41 million rows compared for 2,800 reports, 4 s).
    sql = (
        f"WITH {_ID_SETS}, "
        f"kf AS (SELECT rr.id AS report_id, rr.agency_id AS agency_id, rr.year AS year, ag.name AS agency_name, "
        f"{', '.join(figures)} "
        f"FROM r JOIN {report} rr ON rr.id = r.id JOIN {agency} ag ON ag.id = rr.agency_id "
        f"LEFT JOIN {t3_sql} t3 ON t3.report_id = r.id "
        f"LEFT JOIN {t4_sql} t4 ON t4.report_id = r.id) "
    )
    return (
        sql.replace("{cur}", cur_sql).replace("{prev}", prev_sql),
        [*cur_params, *prev_params, *t3_params, *t4_params],
        len(keys),
    )


def cell_sums(current, previous) -> list[tuple[str, int, str, object, int]]:
    """Sum and number of filled cells of every 表三 row total and 表四 block total, for the reports of `current`
    (year flag 1) and of `previous` (0), in one statement: (table, year flag, row, sum, filled); and the number
    of reports of each: ("reports", year flag, "", count, 0)."""
    # Each year's rows are picked by a semi-join on its ids (IN): PostgreSQL hashes the ids and scans the rows
    # once, in parallel workers, instead of merging 1.5 million rows with a sorted list of both years' ids.
    parts, params = [], []
    for flag, queryset in ((1, current), (0, previous)):
        ids_sql, ids_params = _ids_sql(queryset)
        for table, model, field in (
            ("applications", ApplicationOutcome, "row"),
            ("review_litigation", ReviewLitigation, "block"),
        ):
            parts.append(
                f"SELECT '{table}' AS tbl, {flag} AS y, o.{_q(field)}, SUM(o.{_q('total')}), COUNT(o.{_q('total')}) "
                f"FROM {_q(model._meta.db_table)} o WHERE o.report_id IN ({ids_sql}) GROUP BY o.{_q(field)}"
            )
            params.extend(ids_params)
        parts.append(f"SELECT 'reports', {flag}, '', COUNT(DISTINCT ids.pk), 0 FROM ({ids_sql}) ids")
        params.extend(ids_params)
    return _fetch(" UNION ALL ".join(parts), params)


def compare_with_last_year(current, previous, year: int, keys: Keys, *, limit: int) -> tuple[list, dict]:
    """In one statement (the key figures gathered once):

    - changed: the `limit` reports of `current` whose key figures moved most from the same agency's report of
      last year (sum of the absolute changes of the figures filled both years), largest first, as (report id,
      agency name, score, figures this year, figures last year);
    - unchanged: the reports of `current` whose 200 cells (表二, 表三, 表四; blank = blank) are exactly those of
      the same agency's report of last year: report id → (agency name, all key figures 0 or blank). Only pairs
      whose key figures are all equal are compared cell by cell, a few index look-ups each.
    """
    with_sql, params, n = _key_figures(current, previous, keys)
    score = " + ".join(f"COALESCE(ABS(c.f{i} - p.f{i}), 0)" for i in range(n))
    figures = ", ".join([*(f"c.f{i}" for i in range(n)), *(f"p.f{i}" for i in range(n))])
    blanks = ", ".join(["NULL"] * (2 * n))
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
        f"SELECT * FROM (SELECT 1 AS what, c.report_id, c.agency_name, {score} AS score, {figures} "
        f"FROM {pairs} WHERE c.year = %s AND {score} > 0 "
        f"ORDER BY score DESC, c.agency_name LIMIT %s) changed "
        f"UNION ALL SELECT 2, pr.cur_id, pr.name, pr.zero, {blanks} FROM pairs pr "
        f"WHERE {t2} = 1 AND {t4} = %s AND {t3} = %s"
    )
    params = [*params, year, year, limit, len(canonical.TABLE4_BLOCKS), len(canonical.TABLE3_ROWS)]
    changed, unchanged = [], {}
    for what, report_id, name, score, *cells in _fetch(sql, params):
        if what == 1:
            changed.append((report_id, name, score, tuple(cells[:n]), tuple(cells[n:])))
        else:
            unchanged[report_id] = (name, bool(score))
    changed.sort(key=lambda c: (-c[2], c[1]))  # UNION ALL keeps no order
    return changed, unchanged
