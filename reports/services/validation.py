"""Running the rules (reports/rules.py) on stored reports and keeping their findings with the report."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from reports import rules
from reports.access import require_perm
from reports.models import (
    IssueAcceptance,
    Report,
    ValidationIssue,
)
from reports.models.report import ReportLockedError
from reports.selectors import report_values_many
from reports.services.confirmations import confirmed_values, pending_keys
from reports.services.locking import report_lock

# Rules whose outcome depends on the previous year's report: a change there re-validates this one.
CROSS_YEAR_RULES = frozenset({"R8", "R9", "R20", "R22"})


def rule_config() -> rules.RuleConfig:
    return rules.RuleConfig(
        deadline_month=settings.NIANBAO_DEADLINE_MONTH,
        deadline_day=settings.NIANBAO_DEADLINE_DAY,
        fee_statement_severity=getattr(settings, "NIANBAO_FEE_STATEMENT_SEVERITY", "warning"),
    )


def _facts(report: Report, values, previous: rules.ReportFacts | None) -> rules.ReportFacts:
    agency = report.agency
    return rules.ReportFacts(
        values=values,
        year=report.year,
        template=report.template_version,
        agency_name=agency.name,
        agency_kind=agency.kind,
        has_rulemaking_power=True if agency.has_rulemaking_power else None,
        title=report.title or None,
        sections={
            "preamble": report.preamble,
            "overview": report.overview,
            "problems": report.problems,
            "other": report.other_matters,
        },
        sections_found=tuple(report.sections_found) if report.sections_found else None,
        published_on=report.published_on,
        printed_subtotals={k: _number(v) for k, v in (report.printed_subtotals or {}).items()},
        previous=previous,
        is_government=rules.government_from_kind(agency.kind),
        source_kind="stored",
        # still empty since the document was read: unread, as on the import preview (R15), not a blank
        missing_keys=frozenset(k for k in report.unread_keys or () if values.get(k) is None) or None,
        named_as=report.named_as or None,
        printed_breaks=tuple(report.printed_breaks or ()),
    )


def _number(v):
    if isinstance(v, float):
        return Decimal(repr(v))
    return v


def _load_values(reports: Sequence[Report]) -> dict[int, dict]:
    """The 200 cells of many reports in three queries (plain values, no model instances)."""
    return report_values_many(r.pk for r in reports)


def facts_for_reports(reports: Sequence[Report]) -> dict[int, rules.ReportFacts]:
    """ReportFacts of each report, with the same agency's previous-year report attached (bulk loaded)."""
    reports = list(reports)
    wanted = {(r.agency_id, r.year - 1) for r in reports}
    previous = [
        p
        for p in Report.objects.filter(
            agency_id__in={a for a, _ in wanted}, year__in={y for _, y in wanted}
        ).select_related("agency")
        if (p.agency_id, p.year) in wanted
    ]
    checked = {r.pk for r in reports}
    values = _load_values(reports + [p for p in previous if p.pk not in checked])
    prev_facts = {(p.agency_id, p.year): _facts(p, values[p.pk], None) for p in previous}
    return {r.pk: _facts(r, values[r.pk], prev_facts.get((r.agency_id, r.year - 1))) for r in reports}


def report_facts(report: Report) -> rules.ReportFacts:
    return facts_for_reports([report])[report.pk]


# A stored issue row as this module handles it, without model instances (a chunk of 500 reports has ~10,000):
# (report id, rule, severity, keys, message, expected, actual, fingerprint, position, accepted). The first eight
# are the issue itself; position and the 已核实 flag may change on a stored row without replacing it.
IssueRow = tuple
_CONTENT = 8
_ISSUE_COLUMNS = ("report_id", "rule", "severity", "keys", "message", "expected", "actual", "fingerprint",
                  "position", "accepted")  # fmt: skip


def _evaluate(reports: list[Report], config: rules.RuleConfig) -> tuple[dict[int, list], list[IssueRow]]:
    """Run the rules on stored reports (reading only): issues by report id, the issue rows to store, and each
    report's counts of open issues set on the instance (not saved)."""
    facts = facts_for_reports(reports)
    accepted: dict[int, set[str]] = defaultdict(set)
    for report_id, fingerprint in IssueAcceptance.objects.filter(report__in=reports).values_list(
        "report_id", "fingerprint"
    ):
        accepted[report_id].add(fingerprint)
    confirmed = confirmed_values(r.pk for r in reports)
    found: dict[int, list] = {}
    rows: list[IssueRow] = []
    now = timezone.now()
    for report in reports:
        pk = report.pk
        # the cells nobody has read yet (unread or inferred, not typed or confirmed): they gate the approval
        report.unconfirmed_count = (
            len(pending_keys(report, facts[pk].values, confirmed[pk]))
            if (report.unread_keys or report.inferred_keys)
            else 0
        )
        issues = rules.evaluate(facts[pk], config)
        found[pk] = issues
        counts = {"error": 0, "warning": 0, "info": 0}
        accepted_here = accepted.get(pk, ())
        for position, issue in enumerate(issues):
            is_accepted = issue.fingerprint in accepted_here
            if not is_accepted:
                counts[issue.severity] += 1
            rows.append(
                (pk, issue.rule, issue.severity, tuple(issue.keys), issue.message, _text(issue.expected),
                 _text(issue.actual), issue.fingerprint, position, is_accepted)
            )  # fmt: skip
        report.error_count, report.warning_count, report.info_count = counts["error"], counts["warning"], counts["info"]
        report.validated_at = now
    return found, rows


@dataclass
class StoreCounts:
    """What one store wrote: issue rows inserted, deleted, and kept with a new position or 已核实 flag."""

    inserted: int = 0
    deleted: int = 0
    moved: int = 0


def _store(reports: list[Report], rows: list[IssueRow]) -> StoreCounts:
    """Make the stored issues of these reports the given rows, writing only the difference, and store their counts.

    A stored row whose issue (rule, severity, cells, message, expected, actual, fingerprint) is found again is
    kept — its position or 已核实 flag updated if they moved —, the others are deleted and the new issues
    inserted: a re-check of unchanged reports writes no issue row, a changed cell replaces exactly its issues.
    """
    done = StoreCounts()
    if not reports:
        return done
    ids = [r.pk for r in reports]
    stored: dict[tuple, list[tuple[int, int, bool]]] = defaultdict(list)
    for pk, *content, position, accepted in _stored_rows(ids):
        stored[tuple(content)].append((pk, position, accepted))
    inserts: list[IssueRow] = []
    moves: list[tuple[int, int, bool]] = []
    for row in rows:
        same = stored.get(row[:_CONTENT])
        if same:
            pk, position, accepted = same.pop()
            if position != row[8] or accepted != row[9]:
                moves.append((pk, row[8], row[9]))
        else:
            inserts.append(row)
    deletes = [pk for left in stored.values() for pk, _, _ in left]
    if connection.vendor == "postgresql":
        _store_pg(reports, deletes, moves, inserts)
    else:
        _store_orm(reports, deletes, moves, inserts)
    done.inserted, done.deleted, done.moved = len(inserts), len(deletes), len(moves)
    return done


_KEYS_CACHE: dict[str, tuple[str, ...]] = {}


def _keys(text: str) -> tuple[str, ...]:
    """An issue's stored cells (JSON text) as a tuple; the same few hundred lists recur in every report."""
    keys = _KEYS_CACHE.get(text)
    if keys is None:
        keys = tuple(json.loads(text))
        if len(_KEYS_CACHE) < 100_000:
            _KEYS_CACHE[text] = keys
    return keys


def _stored_rows(report_ids: list[int]) -> list[tuple]:
    """The stored issue rows of these reports: (id, *IssueRow), in one query without model instances."""
    table = ValidationIssue._meta.db_table
    columns = ", ".join("CAST(keys AS text)" if c == "keys" else c for c in _ISSUE_COLUMNS)
    out = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT id, {columns} FROM {table} WHERE report_id = ANY(%s)", [report_ids])
            fetched = cursor.fetchall()
        else:
            fetched = []
            for start in range(0, len(report_ids), 500):
                part = report_ids[start : start + 500]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"SELECT id, {columns} FROM {table} WHERE report_id IN ({marks})", part)
                fetched.extend(cursor.fetchall())
    for pk, report_id, rule, severity, keys, message, expected, actual, fingerprint, position, accepted in fetched:
        out.append(
            (pk, report_id, rule, severity, _keys(keys), message, expected, actual, fingerprint, position,
             bool(accepted))
        )  # fmt: skip
    return out


_COUNT_FIELDS = ["error_count", "warning_count", "info_count", "unconfirmed_count", "validated_at"]


def _store_pg(reports: list[Report], deletes: list[int], moves: list[tuple], inserts: list[IssueRow]) -> None:
    """PostgreSQL: each change in one statement, the ids and values passed as arrays; new rows by COPY."""
    table = ValidationIssue._meta.db_table
    with connection.cursor() as cursor:
        if deletes:
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [deletes])
        if moves:
            pks, positions, flags = (list(x) for x in zip(*moves, strict=True))
            cursor.execute(
                f"UPDATE {table} AS i SET position = u.position, accepted = u.accepted "
                "FROM unnest(%s::bigint[], %s::integer[], %s::boolean[]) AS u(id, position, accepted) "
                "WHERE i.id = u.id",
                [pks, positions, flags],
            )
        if inserts:
            dumps = json.dumps
            with cursor.cursor.copy(f"COPY {table} ({', '.join(_ISSUE_COLUMNS)}) FROM STDIN") as copy:
                for row in inserts:
                    copy.write_row((*row[:3], dumps(row[3]), *row[4:]))
        cursor.execute(
            f"UPDATE {Report._meta.db_table} AS r SET error_count = u.e, warning_count = u.w, info_count = u.i, "
            "unconfirmed_count = u.c, validated_at = u.at "
            "FROM unnest(%s::bigint[], %s::integer[], %s::integer[], %s::integer[], %s::integer[], "
            "%s::timestamptz[]) AS u(id, e, w, i, c, at) WHERE r.id = u.id",
            [[getattr(r, f) for r in reports] for f in ("pk", *_COUNT_FIELDS)],
        )


def _store_orm(reports: list[Report], deletes: list[int], moves: list[tuple], inserts: list[IssueRow]) -> None:
    """Other databases (SQLite in development and tests): the same changes through the ORM."""
    for start in range(0, len(deletes), 500):
        ValidationIssue.objects.filter(pk__in=deletes[start : start + 500])._raw_delete(connection.alias)
    if moves:
        ValidationIssue.objects.bulk_update(
            [ValidationIssue(pk=pk, position=position, accepted=flag) for pk, position, flag in moves],
            ["position", "accepted"],
            batch_size=500,
        )
    ValidationIssue.objects.bulk_create(
        [
            ValidationIssue(**dict(zip(_ISSUE_COLUMNS, (*row[:3], list(row[3]), *row[4:]), strict=True)))
            for row in inserts
        ],
        batch_size=2000,
    )
    Report.objects.bulk_update(reports, _COUNT_FIELDS, batch_size=1000)


@transaction.atomic
def reports_validate(reports: Iterable[Report], *, config: rules.RuleConfig | None = None) -> dict[int, list]:
    """Evaluate the rules on stored reports and replace their stored issues; returns issues by report id."""
    reports = list(reports)
    if not reports:
        return {}
    found, rows = _evaluate(reports, config or rule_config())
    _store(reports, rows)
    return found


@dataclass
class CheckResult:
    """What reports_check did with one chunk of reports."""

    found: dict[int, list] = field(default_factory=dict)  # issues by report id, of the reports checked
    reports: list[Report] = field(default_factory=list)  # the reports checked, with their new counts
    skipped: list[int] = field(default_factory=list)  # ids being changed meanwhile: their writer re-validates them
    stored: StoreCounts = field(default_factory=StoreCounts)  # the issue rows written


def reports_check(report_ids: Sequence[int], *, config: rules.RuleConfig | None = None) -> CheckResult:
    """Check one chunk of stored reports in bulk and store their issues — the core of `check_reports` and of a
    background job that splits a year over several workers (each calls this on its own chunks of ids).

    The rules run outside any lock (reads only). The results are then written in one short transaction for the
    reports whose rows could be locked at once (SKIP LOCKED) and whose version has not moved since they were
    read: a report being saved right now is left to its writer, which re-validates it — this job never waits on
    a reviewer and never overwrites newer issues with older ones.
    """
    result = CheckResult()
    reports = list(Report.objects.filter(pk__in=list(report_ids)).select_related("agency").order_by("pk"))
    if not reports:
        return result
    found, rows = _evaluate(reports, config or rule_config())
    with transaction.atomic():
        versions = dict(
            Report.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(pk__in=[r.pk for r in reports])
            .order_by("pk")
            .values_list("pk", "version")
        )
        fresh = [r for r in reports if versions.get(r.pk) == r.version]
        keep = {r.pk for r in fresh}
        result.stored = _store(fresh, [row for row in rows if row[0] in keep])
    result.reports = fresh
    result.found = {pk: found[pk] for pk in keep}
    result.skipped = [r.pk for r in reports if r.pk not in keep]
    return result


def report_validate(*, report: Report, cascade: bool = True) -> list:
    """Re-validate one report, and the same agency's next-year report whose cross-year rules read this one."""
    issues = reports_validate([report])[report.pk]
    if cascade:
        following = Report.objects.filter(agency_id=report.agency_id, year=report.year + 1).first()
        if following is not None:
            reports_validate([following])
    return issues


def _text(v) -> str:
    return "" if v is None else str(v)


ONLY_REVIEWERS_ACCEPT = "只有审核员可以标记或取消“已核实”。"


@transaction.atomic
def issue_accept(*, report: Report, fingerprint: str, comment: str, user=None) -> IssueAcceptance:
    """Mark a warning as 已核实 with the reviewer's comment; errors cannot be waved through this way."""
    report = report_lock(report.pk)  # serialised with approval and edits, like every write
    if report.is_locked:  # an approved report's review is closed with it
        raise ReportLockedError()
    require_perm(user, "reports.add_issueacceptance", ONLY_REVIEWERS_ACCEPT)
    issue = report.issues.filter(fingerprint=fingerprint).first()
    if issue is None:
        raise ValueError("该问题已不存在（数值可能已修改），请刷新页面。")
    if issue.severity == "error":
        raise ValueError("错误级问题不能标记为已核实，请修正数值或在审核通过时说明理由。")
    if not comment.strip():
        raise ValueError("请填写核实说明。")
    acceptance, _ = IssueAcceptance.objects.update_or_create(
        report=report,
        fingerprint=fingerprint,
        defaults={"rule": issue.rule, "message": issue.message, "comment": comment.strip(), "accepted_by": user},
    )
    reports_validate([report])
    return acceptance


@transaction.atomic
def issue_unaccept(*, report: Report, fingerprint: str, user=None) -> None:
    report = report_lock(report.pk)
    if report.is_locked:
        raise ReportLockedError()
    require_perm(user, "reports.add_issueacceptance", ONLY_REVIEWERS_ACCEPT)
    IssueAcceptance.objects.filter(report=report, fingerprint=fingerprint).delete()
    reports_validate([report])
