"""The overview's comparisons with last year, in one SQL statement each, for any number of reports.

Each report's key figures (a few 表三/表四 totals) are gathered in the database and paired with the same agency's
report of the year before; Python gets back ten rows (the largest changes) or the reports whose 200 cells are
all last year's. Only candidates whose key figures are unchanged are compared cell by cell, through the
(report, row) unique indexes. Portable SQL (PostgreSQL and SQLite); every value is a parameter.
"""

from __future__ import annotations

from django.db import connection

from reports import canonical
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS

Keys = list[tuple[str, ...]]  # per key figure: the canonical cells it sums


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _ids_sql(queryset) -> tuple[str, list]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _same(a: str, b: str) -> str:
    """Null-safe equality, portable (blank equals blank, blank is not 0)."""
    return f"({a} = {b} OR ({a} IS NULL AND {b} IS NULL))"


def _key_figures(current, previous, keys: Keys) -> tuple[str, list, int]:
    """`WITH cur, prev, kf`: kf has report_id, agency_id, year and f0…fn (each key figure: NULL if a cell is
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
    in_both = "(report_id IN (SELECT id FROM cur) OR report_id IN (SELECT id FROM prev))"

    def pivot(model, field: str, rows: list[str]) -> tuple[str, list]:
        if not rows:
            return "(SELECT NULL AS report_id)", []
        picks = ", ".join(f"MAX(CASE WHEN {_q(field)} = %s THEN {_q('total')} END) AS c{i}" for i in range(len(rows)))
        marks = ", ".join(["%s"] * len(rows))
        sql = (
            f"(SELECT report_id, {picks} FROM {_q(model._meta.db_table)} "
            f"WHERE {_q(field)} IN ({marks}) AND {in_both} GROUP BY report_id)"
        )
        return sql, [*rows, *rows]

    t3_sql, t3_params = pivot(ApplicationOutcome, "row", t3)
    t4_sql, t4_params = pivot(ReviewLitigation, "block", t4)
    report = _q(Report._meta.db_table)
    sql = (
        f"WITH cur(id) AS ({cur_sql}), prev(id) AS ({prev_sql}), "
        f"kf AS (SELECT r.id AS report_id, r.agency_id AS agency_id, r.year AS year, {', '.join(figures)} "
        f"FROM {report} r LEFT JOIN {t3_sql} t3 ON t3.report_id = r.id LEFT JOIN {t4_sql} t4 ON t4.report_id = r.id "
        f"WHERE r.id IN (SELECT id FROM cur) OR r.id IN (SELECT id FROM prev)) "
    )
    return sql, [*cur_params, *prev_params, *t3_params, *t4_params], len(keys)


def changed_most(current, previous, year: int, keys: Keys, *, limit: int) -> list[tuple]:
    """The `limit` reports of `current` whose key figures moved most from the same agency's report of last year
    (sum of the absolute changes of the figures filled both years): (report id, agency name, score, figures this
    year, figures last year), largest first."""
    with_sql, params, n = _key_figures(current, previous, keys)
    score = " + ".join(f"COALESCE(ABS(c.f{i} - p.f{i}), 0)" for i in range(n))
    now = ", ".join(f"c.f{i} AS a{i}" for i in range(n))
    before = ", ".join(f"p.f{i} AS b{i}" for i in range(n))
    agency = _q(Report._meta.get_field("agency").related_model._meta.db_table)
    sql = (
        f"{with_sql}SELECT * FROM (SELECT c.report_id, ag.name, {score} AS score, {now}, {before} "
        f"FROM kf c JOIN kf p ON p.agency_id = c.agency_id AND p.year = c.year - 1 "
        f"JOIN {agency} ag ON ag.id = c.agency_id WHERE c.year = %s) s "
        f"WHERE score > 0 ORDER BY score DESC, name LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, year, limit])
        return [(r[0], r[1], r[2], tuple(r[3 : 3 + n]), tuple(r[3 + n :])) for r in cursor.fetchall()]


def unchanged(current, previous, year: int, keys: Keys) -> dict[int, tuple[str, bool]]:
    """Reports of `current` whose 200 cells (表二, 表三, 表四; blank = blank) are exactly those of the same agency's
    report of last year: report id → (agency name, all key figures 0 or blank)."""
    with_sql, params, n = _key_figures(current, previous, keys)
    same_keys = " AND ".join(_same(f"c.f{i}", f"p.f{i}") for i in range(n))
    zero = " AND ".join(f"COALESCE(c.f{i}, 0) = 0" for i in range(n))

    def rows_equal(model, columns, match: str | None) -> str:
        table = _q(model._meta.db_table)
        equal = " AND ".join(_same(f"x.{_q(c)}", f"y.{_q(c)}") for c in columns)
        on = f" AND y.{_q(match)} = x.{_q(match)}" if match else ""
        return (
            f"SELECT pr.cur_id, COUNT(*) AS n FROM pairs pr JOIN {table} x ON x.report_id = pr.cur_id "
            f"JOIN {table} y ON y.report_id = pr.prev_id{on} WHERE {equal} GROUP BY pr.cur_id"
        )

    t2 = rows_equal(DisclosureTable, [DisclosureTable._meta.get_field(f).column for f in DISCLOSURE_FIELDS], None)
    t3 = rows_equal(ApplicationOutcome, canonical.TABLE3_COLUMN_KEYS, "row")
    t4 = rows_equal(ReviewLitigation, canonical.TABLE4_COLUMN_KEYS, "block")
    agency = _q(Report._meta.get_field("agency").related_model._meta.db_table)
    sql = (
        f"{with_sql}, pairs AS (SELECT c.report_id AS cur_id, p.report_id AS prev_id, c.agency_id AS agency_id, "
        f"CASE WHEN {zero} THEN 1 ELSE 0 END AS zero FROM kf c JOIN kf p ON p.agency_id = c.agency_id "
        f"AND p.year = c.year - 1 WHERE c.year = %s AND {same_keys}), "
        f"t2 AS ({t2}), t3 AS ({t3}), t4 AS ({t4}) "
        f"SELECT pr.cur_id, ag.name, pr.zero FROM pairs pr JOIN {agency} ag ON ag.id = pr.agency_id "
        f"WHERE pr.cur_id IN (SELECT cur_id FROM t2 WHERE n = 1) "
        f"AND pr.cur_id IN (SELECT cur_id FROM t3 WHERE n = %s) AND pr.cur_id IN (SELECT cur_id FROM t4 WHERE n = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, year, len(canonical.TABLE3_ROWS), len(canonical.TABLE4_BLOCKS)])
        return {rid: (name, bool(zero)) for rid, name, zero in cursor.fetchall()}
