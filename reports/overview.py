"""The numbers behind the overview page (总览) of one year: who has submitted, who is wrong, the county's key
figures against last year, and the agencies whose figures moved most or not at all.

A fixed number of queries whatever the number of agencies: sums and comparisons run in the database, and only
per-agency key figures (a few rows per report) come back to Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from reports import canonical
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS
from reports.submission import STATUS_CHOICES, SubmissionRow, deadline_for, submission_rows

t3, t4 = canonical.t3, canonical.t4

# The county's key figures: label and the cells whose sum it is.
KEY_FIGURES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("new_received", "本年新收申请", (t3("new_received", "total"),)),
    ("carried_over", "上年结转申请", (t3("carried_over", "total"),)),
    ("processed", "办理结果总计", (t3("total_processed", "total"),)),
    ("carried_forward", "结转下年度办理", (t3("carried_forward", "total"),)),
    ("review", "行政复议", (t4("review", "total"),)),
    ("litigation", "行政诉讼", (t4("litigation_direct", "total"), t4("litigation_after_review", "total"))),
)
OUTCOME_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("予以公开", ("granted",)),
    ("部分公开", ("partially_granted",)),
    ("不予公开", canonical.GROUPS["withheld"][1]),
    ("无法提供", canonical.GROUPS["unavailable"][1]),
    ("不予处理", canonical.GROUPS["not_processed"][1]),
    ("其他处理", canonical.GROUPS["other"][1]),
)
_KEY_ROWS = ("new_received", "carried_over", "total_processed", "carried_forward")
TOP_CHANGES = 10


@dataclass(frozen=True)
class Figure:
    """A county total this year and last year; `blank` counts the reports that left a cell of it empty."""

    label: str
    current: int | Decimal | None
    previous: int | Decimal | None
    blank: int = 0
    previous_blank: int = 0

    @property
    def change(self) -> int | Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def change_percent(self) -> str:
        if self.change is None or not self.previous:
            return ""
        return f"{self.change / self.previous * 100:+.0f}%"


@dataclass(frozen=True)
class AgencyChange:
    agency_name: str
    report_id: int
    score: int
    details: tuple[tuple[str, int | None, int | None], ...]  # label, last year, this year


@dataclass
class Overview:
    year: int
    deadline: date
    today: date
    rows: list[SubmissionRow]
    status_counts: list[tuple[str, str, int]]
    reports: int = 0
    previous_reports: int = 0
    error_total: int = 0
    warning_total: int = 0
    with_errors: int = 0
    with_warnings: int = 0
    unchecked: int = 0
    figures: list[Figure] = field(default_factory=list)
    outcomes: list[Figure] = field(default_factory=list)
    changed: list[AgencyChange] = field(default_factory=list)
    unchanged: list[tuple[str, int, bool]] = field(default_factory=list)  # name, report id, all key figures zero

    @property
    def missing(self) -> list[SubmissionRow]:
        return [r for r in self.rows if not r.submitted]

    @property
    def overdue(self) -> list[SubmissionRow]:
        return [r for r in self.rows if r.overdue]

    @property
    def wrong(self) -> list[SubmissionRow]:
        return [r for r in self.rows if r.error_count]

    @property
    def days_to_deadline(self) -> int:
        return (self.deadline - self.today).days


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _cell_sums(current, previous, year: int) -> tuple[dict, dict]:
    """Sum and number of filled cells of every 表三 row total and 表四 block total, by year: two queries."""
    sums: dict[tuple[int, str], int | Decimal | None] = {}
    filled: dict[tuple[int, str], int] = {}
    where = Q(report__in=current) | Q(report__in=previous)
    for y, row, total, n in (
        ApplicationOutcome.objects.filter(where)
        .values("report__year", "row")
        .annotate(s=Sum("total"), n=Count("total"))
        .values_list("report__year", "row", "s", "n")
    ):
        sums[(y, t3(row, "total"))], filled[(y, t3(row, "total"))] = total, n
    for y, block, total, n in (
        ReviewLitigation.objects.filter(where)
        .values("report__year", "block")
        .annotate(s=Sum("total"), n=Count("total"))
        .values_list("report__year", "block", "s", "n")
    ):
        sums[(y, t4(block, "total"))], filled[(y, t4(block, "total"))] = total, n
    return sums, filled


def _figure(label, keys, sums, filled, counts, year) -> Figure:
    current = previous = None
    blank = previous_blank = 0
    for key in keys:
        current = _add(current, sums.get((year, key)))
        previous = _add(previous, sums.get((year - 1, key)))
        blank = max(blank, counts.get(year, 0) - filled.get((year, key), 0))
        previous_blank = max(previous_blank, counts.get(year - 1, 0) - filled.get((year - 1, key), 0))
    if not counts.get(year - 1):
        previous = None
    return Figure(label, current, previous, blank, previous_blank)


def _key_figures_by_agency(current, previous) -> dict[tuple[int, int], dict[str, int | None]]:
    """(agency id, year) → key figure cells of that report: two queries over a few rows per report."""
    out: dict[tuple[int, int], dict[str, int | None]] = defaultdict(dict)
    where = Q(report__in=current) | Q(report__in=previous)
    for agency_id, y, row, total in ApplicationOutcome.objects.filter(where, row__in=_KEY_ROWS).values_list(
        "report__agency_id", "report__year", "row", "total"
    ):
        out[(agency_id, y)][t3(row, "total")] = total
    for agency_id, y, block, total in ReviewLitigation.objects.filter(where).values_list(
        "report__agency_id", "report__year", "block", "total"
    ):
        out[(agency_id, y)][t4(block, "total")] = total
    return out


def _figure_of(cells: dict[str, int | None], keys: tuple[str, ...]) -> int | None:
    values = [cells.get(k) for k in keys]
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _same_rows(model, columns: list[str], match: str | None, current, year: int) -> dict[int, int]:
    """Per report of `current`: how many of its rows of `model` equal (blank = blank) the previous year's."""

    def coalesced(name: str):
        db_field = model._meta.get_field(name)
        if isinstance(db_field, DecimalField):
            return Coalesce(name, Value(Decimal(-1)), output_field=DecimalField(max_digits=14, decimal_places=4))
        # Cells are never negative (database constraint), so -1 stands for blank on both sides.
        return Coalesce(name, Value(-1), output_field=IntegerField())

    marks = {f"nb_{c}": coalesced(c) for c in columns}
    # Correlate through the outer row's own report id (last year's report → its agency → this year's report), so
    # the database can hash on (report, cells) instead of on cells alone — all-zero rows are common and would
    # otherwise pair every report with every other.
    previous = model.objects.filter(report__year=year - 1, report__agency__reports=OuterRef("report_id"))
    if match:
        previous = previous.filter(**{match: OuterRef(match)})
    previous = previous.annotate(**marks).filter(**{k: OuterRef(k) for k in marks})
    rows = (
        model.objects.filter(report__in=current)
        .annotate(**marks)
        .filter(Exists(previous))
        .values("report_id")
        .annotate(n=Count("pk"))
        .values_list("report_id", "n")
    )
    return dict(rows)


def _unchanged(current, year: int) -> set[int]:
    """Reports whose 200 cells are exactly last year's (three queries, compared in the database)."""
    t2 = _same_rows(DisclosureTable, list(DISCLOSURE_FIELDS), None, current, year)
    t3_rows = _same_rows(ApplicationOutcome, list(canonical.TABLE3_COLUMN_KEYS), "row", current, year)
    t4_rows = _same_rows(ReviewLitigation, list(canonical.TABLE4_COLUMN_KEYS), "block", current, year)
    return {
        rid
        for rid, n in t3_rows.items()
        if n == len(canonical.TABLE3_ROWS) and t2.get(rid) == 1 and t4_rows.get(rid) == len(canonical.TABLE4_BLOCKS)
    }


def overview_build(
    *, year: int, agencies, reports, figure_reports, previous_reports, row_statuses=(), today: date | None = None
) -> Overview:
    """Everything the overview page shows for `year`.

    `agencies`: the agencies to list; `reports`: their reports (any status) for the submission matrix;
    `figure_reports`: the reports whose figures count (the status filter applied); `previous_reports`: last
    year's reports to compare with; `row_statuses`: show only agencies in these statuses (empty: all).
    """
    today = today or timezone.localdate()
    all_rows = submission_rows(year=year, agencies=agencies, reports=reports, today=today)
    counts = defaultdict(int)
    for r in all_rows:
        counts[r.status] += 1
    rows = [r for r in all_rows if not row_statuses or r.status in row_statuses]
    ov = Overview(
        year=year,
        deadline=deadline_for(year),
        today=today,
        rows=rows,
        status_counts=[(key, label, counts[key]) for key, label in STATUS_CHOICES],
    )
    report_counts = dict(
        Report.objects.filter(Q(pk__in=figure_reports) | Q(pk__in=previous_reports))
        .values("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    ov.reports, ov.previous_reports = report_counts.get(year, 0), report_counts.get(year - 1, 0)
    for r in rows:
        if r.report_id is None:
            continue
        ov.error_total += r.error_count
        ov.warning_total += r.warning_count
        ov.with_errors += bool(r.error_count)
        ov.with_warnings += bool(r.warning_count)
        ov.unchecked += not r.validated
    sums, filled = _cell_sums(figure_reports, previous_reports, year)
    ov.figures = [_figure(label, keys, sums, filled, report_counts, year) for _, label, keys in KEY_FIGURES]
    ov.outcomes = [
        _figure(label, tuple(t3(row, "total") for row in rows_), sums, filled, report_counts, year)
        for label, rows_ in OUTCOME_GROUPS
    ]
    _changes(ov, figure_reports, previous_reports, year)
    return ov


def _changes(ov: Overview, current, previous, year: int) -> None:
    by_agency = _key_figures_by_agency(current, previous)
    names, report_ids = {}, {}
    for agency_id, pk, name in current.values_list("agency_id", "pk", "agency__name"):
        names[agency_id], report_ids[agency_id] = name, pk
    changed = []
    for agency_id, name in names.items():
        if (agency_id, year - 1) not in by_agency:
            continue
        now, before = by_agency[(agency_id, year)], by_agency[(agency_id, year - 1)]
        details, score = [], 0
        for _, label, keys in KEY_FIGURES:
            a, b = _figure_of(before, keys), _figure_of(now, keys)
            if a is not None and b is not None and a != b:
                score += abs(b - a)
                details.append((label, a, b))
        if score:
            changed.append(AgencyChange(name, report_ids[agency_id], score, tuple(details)))
    changed.sort(key=lambda c: (-c.score, c.agency_name))
    ov.changed = changed[:TOP_CHANGES]
    unchanged = _unchanged(current, year)
    by_report = {report_ids[a]: a for a in names}
    ov.unchanged = sorted(
        (
            names[by_report[rid]],
            rid,
            all(not _figure_of(by_agency[(by_report[rid], year)], keys) for _, _, keys in KEY_FIGURES),
        )
        for rid in unchanged
    )
