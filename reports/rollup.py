"""Roll-up at any node of the region tree: the node's own report, the sums of the APPROVED reports beneath it —
by kind of agency and by child region — and completion per child region (报送率, 通过率, 逾期).

Read-only and aggregated in the database: per table one GROUP BY on (child of the node the agency lies under, kind
of agency[, table row]), where the child is a prefix of the agency's materialised path (agencies.models.SEGMENT).
So the cost does not grow with the number of child regions, and 30,000 agencies take one pass over the approved
reports' rows (benchmarks/rollup.py).

Only approved reports are summed: a draft or a report under review may still change. A cell that every approved
report beneath left blank stays blank (None) in the sum — blank is not 0; otherwise the sum is over the reports
that filled it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from agencies.models import SEGMENT, Agency, AgencyKind, NodeStaff  # noqa: F401
from reports import canonical
from reports.choices import ReportStatus
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS
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


def _child_expr(node_path: str):
    return Substr("report__agency__path", 1, len(node_path) + SEGMENT)


def _beneath(queryset, node: Agency, prefix: str, scope):
    """Rows of `queryset` (a table of cells) of approved reports of agencies strictly beneath `node`."""
    qs = queryset.filter(report__status=ReportStatus.APPROVED, report__agency__path__startswith=node.path).exclude(
        report__agency_id=node.pk
    )
    if scope is not None:
        qs = qs.filter(report__agency__in=scope)
    return qs


def rollup_sums(node: Agency, year: int, *, scope=None) -> tuple[dict, dict]:
    """{(child path, kind): values} of the approved reports beneath `node`, and {(child, kind): report count}."""
    child = _child_expr(node.path)
    sums: dict[tuple[str, str], dict[str, Value]] = defaultdict(dict)
    counts: dict[tuple[str, str], int] = {}
    fields = list(DISCLOSURE_FIELDS)
    t2 = (
        _beneath(DisclosureTable.objects.filter(report__year=year), node, child, scope)
        .annotate(child=child, kind=F("report__agency__kind"))
        .values("child", "kind")
        .annotate(_n=Count("pk"), **{f"s_{f}": Sum(f) for f in fields})
        .order_by()
    )
    for row in t2:
        group = (row["child"], row["kind"])
        counts[group] = row["_n"]
        for f in fields:
            sums[group][DISCLOSURE_FIELDS[f]] = row[f"s_{f}"]
    cols3 = canonical.TABLE3_COLUMN_KEYS
    t3 = (
        _beneath(ApplicationOutcome.objects.filter(report__year=year), node, child, scope)
        .annotate(child=child, kind=F("report__agency__kind"))
        .values("child", "kind", "row")
        .annotate(**{f"s_{c}": Sum(c) for c in cols3})
        .order_by()
    )
    for row in t3:
        values = sums[(row["child"], row["kind"])]
        for c in cols3:
            values[canonical.t3(row["row"], c)] = row[f"s_{c}"]
    cols4 = canonical.TABLE4_COLUMN_KEYS
    t4 = (
        _beneath(ReviewLitigation.objects.filter(report__year=year), node, child, scope)
        .annotate(child=child, kind=F("report__agency__kind"))
        .values("child", "kind", "block")
        .annotate(**{f"s_{c}": Sum(c) for c in cols4})
        .order_by()
    )
    for row in t4:
        values = sums[(row["child"], row["kind"])]
        for c in cols4:
            values[canonical.t4(row["block"], c)] = row[f"s_{c}"]
    # Approved reports without a 表二 row (none are created that way, but count them all the same).
    reports = Report.objects.filter(year=year, status=ReportStatus.APPROVED, agency__path__startswith=node.path)
    reports = reports.exclude(agency_id=node.pk)
    if scope is not None:
        reports = reports.filter(agency__in=scope)
    for row in (
        reports.annotate(child=Substr("agency__path", 1, len(node.path) + SEGMENT), kind=F("agency__kind"))
        .values("child", "kind")
        .annotate(_n=Count("pk"))
        .order_by()
    ):
        counts[(row["child"], row["kind"])] = row["_n"]
    return sums, counts


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
        children = children.filter(Q(pk__in=scope) | Q(children__isnull=False)).distinct()
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
