"""Roll-up at any node of the region tree: the node's own report, the sums of the APPROVED reports beneath it —
by kind of agency and by child region — and completion per child region (报送率, 通过率, 逾期).

Read-only and aggregated in the database: one GROUP BY on (child of the node the agency lies under, kind of agency)
over the figures frozen at each approval (reports/models/rollup.py), where the child is a prefix of the agency's
materialised path (agencies.models.SEGMENT). So the cost does not grow with the number of child regions, and 30,000
agencies take one pass over 30,000 rows (benchmarks/rollup.py).

Only approved reports are summed: a draft or a report under review may still change. A cell that every approved
report beneath left blank stays blank (None) in the sum — blank is not 0; otherwise the sum is over the reports
that filled it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from agencies.models import SEGMENT, Agency, AgencyKind
from reports import canonical
from reports.choices import ReportStatus
from reports.models import ApprovedFigures, Report
from reports.models.rollup import COLUMN_OF
from reports.selectors import report_values_many
from reports.submission import deadline_for

Value = int | Decimal | None
APPROVED_ONLY = "汇总数字只计入已通过审核的年报；草稿、已提交、审核中和已退回的报告不计入。空白单元格不等于 0。"
SUBMITTED_STATUSES = frozenset({ReportStatus.SUBMITTED, ReportStatus.REVIEWING, ReportStatus.APPROVED})
# Kinds that publish no report of their own (plain administrative nodes): not expected to report.
NOT_EXPECTED_KINDS = (AgencyKind.REGION,)


def _add(a: Value, b: Value) -> Value:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def add_values(into: dict[str, Value], values: dict[str, Value]) -> None:
    for key, value in values.items():
        into[key] = _add(into.get(key), value)


@dataclass
class Completion:
    expected: int = 0  # active agencies that publish a report
    submitted: int = 0  # handed in: 已提交, 审核中, 已通过
    approved: int = 0
    overdue: int = 0  # not handed in, deadline passed

    @staticmethod
    def _rate(n: int, d: int) -> float | None:
        return n / d if d else None

    @property
    def submission_rate(self) -> float | None:
        return self._rate(self.submitted, self.expected)

    @property
    def approval_rate(self) -> float | None:
        return self._rate(self.approved, self.expected)

    def add(self, other: Completion) -> None:
        self.expected += other.expected
        self.submitted += other.submitted
        self.approved += other.approved
        self.overdue += other.overdue


@dataclass
class Branch:
    """A direct child of the node with everything beneath it."""

    agency_id: int
    name: str
    short_name: str
    kind: str
    path: str
    has_children: bool
    own_report_id: int | None = None  # the child's own report of the year
    own_status: str | None = None
    completion: Completion = field(default_factory=Completion)
    approved_reports: int = 0
    sums: dict[str, Value] = field(default_factory=canonical.empty_values)

    @property
    def kind_label(self) -> str:
        return dict(AgencyKind.choices).get(self.kind, self.kind)

    @property
    def own_status_label(self) -> str:
        return dict(ReportStatus.choices).get(self.own_status, "未建立") if self.own_status else "未建立"


@dataclass
class KindTotal:
    kind: str
    label: str
    approved_reports: int = 0
    sums: dict[str, Value] = field(default_factory=canonical.empty_values)


@dataclass
class Rollup:
    node: Agency
    year: int
    deadline: date
    own_report: Report | None
    branches: list[Branch]
    by_kind: list[KindTotal]
    total: dict[str, Value]
    approved_reports: int
    completion: Completion
    note: str = APPROVED_ONLY


def _approved_beneath(node: Agency, year: int, scope):
    reports = Report.objects.filter(year=year, status=ReportStatus.APPROVED, agency__path__startswith=node.path)
    reports = reports.exclude(agency_id=node.pk)
    return reports if scope is None else reports.filter(agency__in=scope)


def rollup_sums(node: Agency, year: int, *, scope=None) -> tuple[dict, dict]:
    """{(child path, kind): values} of the approved reports beneath `node`, and {(child, kind): report count}.

    Sums the figures frozen at approval (ApprovedFigures): one GROUP BY over one row per report. An approved
    report without them (approved before they existed and not yet migrated — none should be) is read from its cell
    tables instead, so the sums are right either way.
    """
    prefix_len = len(node.path) + SEGMENT
    reports = _approved_beneath(node, year, scope)
    sums: dict[tuple[str, str], dict[str, Value]] = defaultdict(dict)
    counts: dict[tuple[str, str], int] = {}
    columns = {column: key for key, column in COLUMN_OF.items()}
    frozen = ApprovedFigures.objects.filter(year=year, agency__path__startswith=node.path).exclude(agency_id=node.pk)
    if scope is not None:
        frozen = frozen.filter(agency__in=scope)
    rows = (
        frozen.annotate(child=Substr("agency__path", 1, prefix_len), kind=F("agency__kind"))
        .values("child", "kind")
        .annotate(_n=Count("pk"), **{f"s{column}": Sum(column) for column in columns})
        .order_by()
    )
    for row in _without_jit(rows):
        group = (row["child"], row["kind"])
        counts[group] = row["_n"]
        values = sums[group]
        for column, key in columns.items():
            values[key] = row[f"s{column}"]
    unfrozen = list(reports.filter(approved_figures__isnull=True).values_list("pk", "agency__path", "agency__kind"))
    if unfrozen:
        values_of = report_values_many(pk for pk, _, _ in unfrozen)
        for pk, path, kind in unfrozen:
            group = (path[:prefix_len], kind)
            counts[group] = counts.get(group, 0) + 1
            add_values(sums[group], values_of[pk])
    return sums, counts


def _without_jit(queryset) -> list[dict]:
    """Run a wide aggregate. On PostgreSQL for this one transaction: no JIT (compiling 200 sums costs more than it
    saves here) and room to hash the few groups in memory rather than sort 30,000 wide rows on disk."""
    if connection.vendor != "postgresql":
        return list(queryset)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        return list(queryset)


def _completion(node: Agency, year: int, today: date, scope) -> dict[str, Completion]:
    prefix_len = len(node.path) + SEGMENT
    expected = Agency.objects.filter(path__startswith=node.path, is_active=True).exclude(pk=node.pk)
    expected = expected.exclude(kind__in=NOT_EXPECTED_KINDS)
    if scope is not None:
        expected = expected.filter(pk__in=scope)
    out: dict[str, Completion] = defaultdict(Completion)
    for row in (
        expected.annotate(child=Substr("path", 1, prefix_len)).values("child").annotate(n=Count("pk")).order_by()
    ):
        out[row["child"]].expected = row["n"]
    reports = Report.objects.filter(year=year, agency__in=expected)
    for row in (
        reports.annotate(child=Substr("agency__path", 1, prefix_len))
        .values("child", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        c = out[row["child"]]
        if row["status"] in SUBMITTED_STATUSES:
            c.submitted += row["n"]
        if row["status"] == ReportStatus.APPROVED:
            c.approved += row["n"]
    if today > deadline_for(year):
        for c in out.values():
            c.overdue = c.expected - c.submitted
    return out


def rollup_build(node: Agency, year: int, *, scope=None, today: date | None = None) -> Rollup:
    """The roll-up of `year` at `node`. `scope`: agency ids the reader may see (access.scoped_agencies), or None."""
    today = today or timezone.localdate()
    sums, counts = rollup_sums(node, year, scope=scope)
    completion = _completion(node, year, today, scope)
    children = Agency.objects.filter(parent=node)
    if scope is not None:
        children = children.filter(pk__in=scope)
    with_children = set(Agency.objects.filter(parent__parent=node).values_list("parent_id", flat=True).distinct())
    own = {
        r["agency_id"]: r
        for r in Report.objects.filter(year=year, agency__parent=node).values("agency_id", "pk", "status")
    }
    branches: dict[str, Branch] = {}
    for a in children.order_by("kind", "name_pinyin", "name").values("pk", "name", "short_name", "kind", "path"):
        r = own.get(a["pk"])
        branches[a["path"]] = Branch(
            agency_id=a["pk"], name=a["name"], short_name=a["short_name"] or a["name"], kind=a["kind"],
            path=a["path"], has_children=a["pk"] in with_children,
            own_report_id=r["pk"] if r else None, own_status=r["status"] if r else None,
        )  # fmt: skip
    kinds = {k: KindTotal(k, label) for k, label in AgencyKind.choices}
    total: dict[str, Value] = canonical.empty_values()
    approved = 0
    for (child, kind), values in sums.items():
        branch = branches.get(child)
        if branch is not None:
            add_values(branch.sums, values)
        add_values(kinds[kind].sums, values)
        add_values(total, values)
    for (child, kind), n in counts.items():
        if child in branches:
            branches[child].approved_reports += n
        kinds[kind].approved_reports += n
        approved += n
    overall = Completion()
    for child, c in completion.items():
        if child in branches:
            branches[child].completion = c
        overall.add(c)
    own_report = Report.objects.filter(agency=node, year=year).first()
    if own_report is not None and scope is not None and not Agency.objects.filter(pk=node.pk, pk__in=scope).exists():
        own_report = None
    return Rollup(
        node=node,
        year=year,
        deadline=deadline_for(year),
        own_report=own_report,
        branches=list(branches.values()),
        by_kind=[k for k in kinds.values() if k.approved_reports],
        total=total,
        approved_reports=approved,
        completion=overall,
    )
