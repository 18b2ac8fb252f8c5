"""Running the rules (reports/rules.py) on stored reports and keeping their findings with the report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
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
    values = _load_values(reports + [p for p in previous if p.pk not in {r.pk for r in reports}])
    prev_facts = {(p.agency_id, p.year): _facts(p, values[p.pk], None) for p in previous}
    return {r.pk: _facts(r, values[r.pk], prev_facts.get((r.agency_id, r.year - 1))) for r in reports}


def report_facts(report: Report) -> rules.ReportFacts:
    return facts_for_reports([report])[report.pk]


def _evaluate(reports: list[Report], config: rules.RuleConfig) -> tuple[dict[int, list], list[ValidationIssue]]:
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
    rows = []
    now = timezone.now()
    for report in reports:
        # the cells nobody has read yet (unread or inferred, not typed or confirmed): they gate the approval
        report.unconfirmed_count = len(pending_keys(report, facts[report.pk].values, confirmed[report.pk]))
        issues = rules.evaluate(facts[report.pk], config)
        found[report.pk] = issues
        counts = {"error": 0, "warning": 0, "info": 0}
        for position, issue in enumerate(issues):
            is_accepted = issue.fingerprint in accepted[report.pk]
            if not is_accepted:
                counts[issue.severity] += 1
            rows.append(
                ValidationIssue(
                    report=report,
                    rule=issue.rule,
                    severity=issue.severity,
                    keys=list(issue.keys),
                    message=issue.message,
                    expected=_text(issue.expected),
                    actual=_text(issue.actual),
                    fingerprint=issue.fingerprint,
                    position=position,
                    accepted=is_accepted,
                )
            )
        report.error_count, report.warning_count, report.info_count = counts["error"], counts["warning"], counts["info"]
        report.validated_at = now
    return found, rows


def _store(reports: list[Report], rows: list[ValidationIssue]) -> None:
    """Replace the stored issues and counts of these reports: one delete, one insert, one update."""
    ValidationIssue.objects.filter(report__in=reports).delete()
    ValidationIssue.objects.bulk_create(rows, batch_size=2000)
    Report.objects.bulk_update(
        reports,
        ["error_count", "warning_count", "info_count", "unconfirmed_count", "validated_at"],
        batch_size=1000,
    )


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
        _store(fresh, [row for row in rows if row.report_id in keep])
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
