"""The numbers behind the overview page (总览) of one year: who has submitted, who is wrong, the county's key
figures against last year, and the agencies whose figures moved most or not at all.

Built for a province (30,000 agencies, 60,000 reports): every count and total is an aggregate query, the
per-agency comparisons with last year run in the database (reports/overview_sql.py), and only bounded lists come
back to Python — the submission matrix a page at a time (PAGE_SIZE agencies, a county fits on one page), the
lists of who is missing / wrong / unchanged up to LIST_LIMIT names each with their full counts, and the status
counts grouped by agency kind and by parent agency. A fixed number of queries whatever the number of agencies.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from reports import canonical, overview_sql
from reports.submission import (
    AGENCY_FIELDS,
    MISSING,
    NOT_SUBMITTED,
    REPORT_FIELDS,
    STATUS_CHOICES,
    SubmissionRow,
    deadline_for,
    submission_row,
)

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
TOP_CHANGES = 10
# The submission matrix shows this many agencies a page (a county fits on one); the lists of who is missing,
# wrong or unchanged show up to LIST_LIMIT names, with their full counts.
PAGE_SIZE = 500
LIST_LIMIT = 300


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


@dataclass(frozen=True)
class Group:
    """Agencies of one kind or under one parent agency, counted by status (the matrix filtered to it: `query`)."""

    label: str
    agencies: int
    counts: tuple[int, ...]  # per STATUS_CHOICES
    with_errors: int
    query: dict

    @property
    def submitted(self) -> int:
        return sum(n for (key, _), n in zip(STATUS_CHOICES, self.counts, strict=True) if key not in NOT_SUBMITTED)


@dataclass
class Overview:
    year: int
    deadline: date
    today: date
    rows: list[SubmissionRow]  # the submission matrix: one page of agencies
    status_counts: list[tuple[str, str, int]]
    row_count: int = 0  # agencies in the matrix, all pages
    page: int = 1
    pages: int = 1
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
    unchanged_count: int = 0
    missing: list[SubmissionRow] = field(default_factory=list)  # not handed in, up to LIST_LIMIT
    missing_count: int = 0
    wrong: list[SubmissionRow] = field(default_factory=list)  # with open errors, up to LIST_LIMIT
    by_kind: list[Group] = field(default_factory=list)
    by_parent: list[Group] = field(default_factory=list)

    @property
    def past_deadline(self) -> bool:
        return self.today > self.deadline

    @property
    def overdue(self) -> list[SubmissionRow]:
        return self.missing if self.past_deadline else []

    @property
    def overdue_count(self) -> int:
        return self.missing_count if self.past_deadline else 0

    @property
    def wrong_count(self) -> int:
        return self.with_errors

    @property
    def days_to_deadline(self) -> int:
        return (self.deadline - self.today).days


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _cell_sums(rows, year: int) -> tuple[dict, dict, dict]:
    """Sum and number of filled cells of every 表三 row total and 表四 block total, by year, and the number of
    reports of each year (overview_sql.figures_and_changes)."""
    sums: dict[tuple[int, str], int | Decimal | None] = {}
    filled: dict[tuple[int, str], int] = {}
    counts: dict[int, int] = {}
    for table, this_year, row, total, n in rows:
        y = year if this_year else year - 1
        if table == "reports":
            counts[y] = total
            continue
        key = (y, t3(row, "total") if table == "applications" else t4(row, "total"))
        sums[key], filled[key] = total, n
    return sums, filled, counts


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


def _with_statuses(agencies, reports, statuses) -> object:
    """The agencies whose report of the year (among `reports`, none = 未建立) is in one of `statuses`."""
    if not statuses:
        return agencies
    of_agency = reports.filter(agency=OuterRef("pk"))
    wanted = Q(Exists(of_agency.filter(status__in=[s for s in statuses if s != MISSING])))
    if MISSING in statuses:
        wanted |= ~Q(Exists(of_agency))
    return agencies.filter(wanted)


def _rows(agencies, reports, *, deadline: date, today: date) -> list[SubmissionRow]:
    """Submission rows of a bounded agency queryset (a page, a list): two queries."""
    found = list(agencies.values(*AGENCY_FIELDS))
    by_agency = {
        r["agency_id"]: r for r in reports.filter(agency_id__in=[a["pk"] for a in found]).values(*REPORT_FIELDS)
    }
    return [submission_row(a, by_agency.get(a["pk"]), deadline=deadline, today=today) for a in found]


# Per (agency kind, parent group, status): the counts the page shows, gathered by one GROUP BY over the year's
# reports (status counts, error and warning totals, and the groups all come from it).
_REPORT_COUNTS = {
    "n": Count("pk"),
    "with_errors": Count("pk", filter=Q(error_count__gt=0)),
    "with_warnings": Count("pk", filter=Q(warning_count__gt=0)),
    "errors": Coalesce(Sum("error_count"), 0),
    "warnings": Coalesce(Sum("warning_count"), 0),
    "unchecked": Count("pk", filter=Q(validated_at__isnull=True)),
}


def _report_counts(reports) -> list[tuple[str, int, str, dict]]:
    """(agency kind, parent group, status, counts) for the reports: one query."""
    group_of = Coalesce("agency__parent_id", "agency_id")
    rows = reports.order_by().values_list("agency__kind", group_of, "status").annotate(**_REPORT_COUNTS)
    names = list(_REPORT_COUNTS)
    return [(kind, group, status, dict(zip(names, counts, strict=True))) for kind, group, status, *counts in rows]


def _groups(agencies, report_counts) -> tuple[list[Group], list[Group]]:
    """Status counts by agency kind and by parent agency (the parent itself counted in its own group)."""
    statuses = [key for key, _ in STATUS_CHOICES]
    group_of = Coalesce("parent_id", "pk")
    sizes, counts, errors = defaultdict(int), defaultdict(int), defaultdict(int)
    for kind, group, n in agencies.order_by().values_list("kind", group_of.copy()).annotate(n=Count("pk")):
        sizes[(kind, group)] += n
    for kind, group, status, c in report_counts:
        counts[(kind, group, status)] += c["n"]
        errors[(kind, group)] += c["with_errors"]

    def make(label, keys, query) -> Group:
        total = sum(sizes[k] for k in keys)
        by_status = {s: sum(counts[(*k, s)] for k in keys) for s in statuses[1:]}
        by_status[MISSING] = total - sum(by_status.values())
        return Group(label, total, tuple(by_status[s] for s in statuses), sum(errors[k] for k in keys), query)

    kinds = defaultdict(list)
    parents = defaultdict(list)
    for kind, group in sizes:
        kinds[kind].append((kind, group))
        parents[group].append((kind, group))
    by_kind = [make(label, kinds[key], {"kind": key}) for key, label in AgencyKind.choices if key in kinds]
    by_parent: list[Group] = []
    # A group of one agency with no parent is an agency alone at the top, not a region: shown only if there are
    # real groups, gathered in one line.
    real = {g for g, keys in parents.items() if sum(sizes[k] for k in keys) > 1}
    if real:
        names = dict(Agency.objects.filter(pk__in=real).values_list("pk", "name"))
        for group in sorted(real, key=lambda g: names.get(g, "")):
            by_parent.append(make(names.get(group, str(group)), parents[group], {"parent": group}))
        alone = [k for g, keys in parents.items() if g not in real for k in keys]
        if alone:
            by_parent.append(make("（无下级机关的机关）", alone, {}))
    return by_kind, by_parent


def overview_build(
    *,
    year: int,
    agencies,
    reports,
    figure_reports,
    previous_reports,
    row_statuses=(),
    today: date | None = None,
    page: int = 1,
    page_size: int | None = None,
    reports_match_agencies: bool = False,
) -> Overview:
    """Everything the overview page shows for `year`.

    `agencies`: the agencies to list; `reports`: their reports (any status) for the submission matrix;
    `figure_reports`: the reports whose figures count (the status filter applied); `previous_reports`: last
    year's reports to compare with; `row_statuses`: show only agencies in these statuses (empty: all);
    `page`: which page of the submission matrix (PAGE_SIZE agencies a page); `reports_match_agencies`: the
    caller built `reports` as exactly the reports of `agencies` (same scope, same filters — the page does), so they
    are not narrowed to them again (a semi-join costing a look-up per report of a province).
    """
    today = today or timezone.localdate()
    deadline = deadline_for(year)
    page_size = page_size or PAGE_SIZE
    # `of_year`: for look-ups per listed agency (already one of `agencies`); `reports`: the agencies' reports.
    of_year = reports.filter(year=year)
    reports = of_year if reports_match_agencies else of_year.filter(agency__in=agencies.order_by().values("pk"))
    agencies = agencies.order_by("kind", "name")

    # Status counts: every agency has at most one report a year (a database constraint), so 未建立 is the rest.
    agency_total = agencies.count()
    report_counts = _report_counts(reports)
    by_status: dict[str, int] = defaultdict(int)
    for _kind, _group, status, c in report_counts:
        by_status[status] += c["n"]
    by_status[MISSING] = agency_total - sum(by_status.values())
    ov = Overview(
        year=year,
        deadline=deadline,
        today=today,
        rows=[],
        status_counts=[(key, label, by_status.get(key, 0)) for key, label in STATUS_CHOICES],
    )
    row_statuses = set(row_statuses)
    shown = [key for key, _, _ in ov.status_counts if not row_statuses or key in row_statuses]
    ov.row_count = sum(n for key, _, n in ov.status_counts if key in shown)
    ov.pages = max(1, math.ceil(ov.row_count / page_size))
    ov.page = min(max(1, page), ov.pages)
    listed = _with_statuses(agencies, of_year, row_statuses)
    start = (ov.page - 1) * page_size
    ov.rows = _rows(listed[start : start + page_size], of_year, deadline=deadline, today=today)

    not_submitted = [s for s in shown if s in NOT_SUBMITTED]
    ov.missing_count = sum(by_status.get(s, 0) for s in not_submitted)
    if not_submitted:
        ov.missing = _rows(
            _with_statuses(agencies, of_year, not_submitted)[:LIST_LIMIT], of_year, deadline=deadline, today=today
        )
    shown_statuses = [s for s in shown if s != MISSING]
    totals = {name: 0 for name in _REPORT_COUNTS}
    for _kind, _group, status, c in report_counts:
        if status in shown_statuses:
            for name in totals:
                totals[name] += c[name]
    ov.error_total, ov.warning_total = totals["errors"], totals["warnings"]
    ov.with_errors, ov.with_warnings, ov.unchecked = totals["with_errors"], totals["with_warnings"], totals["unchecked"]
    if ov.with_errors:
        shown_reports = of_year.filter(status__in=shown_statuses)
        wrong = agencies.filter(Exists(shown_reports.filter(agency=OuterRef("pk"), error_count__gt=0)))
        ov.wrong = _rows(wrong[:LIST_LIMIT], of_year, deadline=deadline, today=today)
    ov.by_kind, ov.by_parent = _groups(agencies, report_counts)

    keys = [cells for _, _, cells in KEY_FIGURES]
    rows, changed, unchanged = overview_sql.figures_and_changes(
        figure_reports, previous_reports, year, keys, limit=TOP_CHANGES
    )
    sums, filled, report_counts = _cell_sums(rows, year)
    ov.reports, ov.previous_reports = report_counts.get(year, 0), report_counts.get(year - 1, 0)
    ov.figures = [_figure(label, keys, sums, filled, report_counts, year) for _, label, keys in KEY_FIGURES]
    ov.outcomes = [
        _figure(label, tuple(t3(row, "total") for row in rows_), sums, filled, report_counts, year)
        for label, rows_ in OUTCOME_GROUPS
    ]
    if ov.reports and ov.previous_reports:
        _changes(ov, changed, unchanged)
    return ov


def _changes(ov: Overview, changed: list, unchanged: dict) -> None:
    """The agencies whose key figures moved most, and those whose 200 cells are last year's exactly."""
    labels = [label for _, label, _ in KEY_FIGURES]
    ov.changed = [
        AgencyChange(
            name,
            report_id,
            int(score),
            tuple((label, b, a) for label, b, a in zip(labels, before, after, strict=True) if _moved(b, a)),
        )
        for report_id, name, score, after, before in changed
    ]
    ov.unchanged_count = len(unchanged)
    ov.unchanged = sorted((name, rid, zero) for rid, (name, zero) in unchanged.items())[:LIST_LIMIT]


def _moved(before, after) -> bool:
    return before is not None and after is not None and before != after
