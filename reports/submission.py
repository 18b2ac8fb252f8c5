"""Who has submitted what for a year: one row per expected agency, with its report's status and the deadline.

Shared by the overview page and the county workbook's 未报送 sheet. Read-only; two queries for any number of
agencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from agencies.models import AgencyKind
from reports.choices import ReportStatus

MISSING = "missing"
MISSING_LABEL = "未建立"
# Statuses in the order the overview shows them: nothing yet → … → approved.
STATUS_CHOICES: tuple[tuple[str, str], ...] = ((MISSING, MISSING_LABEL), *ReportStatus.choices)
STATUS_LABELS = dict(STATUS_CHOICES)
# Not (or no longer) in the county's hands: the agency still has to act.
NOT_SUBMITTED = frozenset({MISSING, ReportStatus.DRAFT, ReportStatus.RETURNED})
NOT_SUBMITTED_TEXT = {
    MISSING: "未建立报告",
    ReportStatus.DRAFT: "草稿，尚未提交",
    ReportStatus.RETURNED: "已退回，待重新提交",
}


def deadline_for(year: int) -> date:
    """The publication deadline of a year's report (R18): NIANBAO_DEADLINE_MONTH/DAY of the following year."""
    return date(year + 1, settings.NIANBAO_DEADLINE_MONTH, settings.NIANBAO_DEADLINE_DAY)


@dataclass(frozen=True)
class SubmissionRow:
    agency_id: int
    agency_name: str
    short_name: str
    kind: str
    kind_label: str
    contact_person: str
    contact_phone: str
    report_id: int | None
    status: str
    error_count: int
    warning_count: int
    validated: bool
    published_on: date | None
    deadline: date
    today: date

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def submitted(self) -> bool:
        return self.status not in NOT_SUBMITTED

    @property
    def overdue(self) -> bool:
        """The deadline has passed and the agency has still not handed a report in."""
        return not self.submitted and self.today > self.deadline

    @property
    def published_late(self) -> bool:
        return self.published_on is not None and self.published_on > self.deadline

    @property
    def timing_text(self) -> str:
        days = (self.deadline - self.today).days
        if self.submitted:
            return "逾期发布" if self.published_late else ""
        if days < 0:
            return f"已逾期 {-days} 天"
        return f"距期限 {days} 天"


AGENCY_FIELDS = ("pk", "name", "short_name", "kind", "contact_person", "contact_phone")
REPORT_FIELDS = ("pk", "agency_id", "status", "error_count", "warning_count", "validated_at", "published_on")
_KIND_LABELS = dict(AgencyKind.choices)


def submission_row(agency: dict, report: dict | None, *, deadline: date, today: date) -> SubmissionRow:
    """One row from an agency's AGENCY_FIELDS values and its report's REPORT_FIELDS values (or None)."""
    r = report
    return SubmissionRow(
        agency_id=agency["pk"],
        agency_name=agency["name"],
        short_name=agency["short_name"] or agency["name"],
        kind=agency["kind"],
        kind_label=_KIND_LABELS.get(agency["kind"], agency["kind"]),
        contact_person=agency["contact_person"],
        contact_phone=agency["contact_phone"],
        report_id=r["pk"] if r else None,
        status=r["status"] if r else MISSING,
        error_count=r["error_count"] if r else 0,
        warning_count=r["warning_count"] if r else 0,
        validated=bool(r and r["validated_at"]),
        published_on=r["published_on"] if r else None,
        deadline=deadline,
        today=today,
    )


def submission_rows(*, year: int, agencies, reports, today: date | None = None) -> list[SubmissionRow]:
    """Every agency of `agencies` with its report of `year` among `reports` (or none), in kind/name order."""
    today = today or timezone.localdate()
    deadline = deadline_for(year)
    by_agency = {r["agency_id"]: r for r in reports.filter(year=year).values(*REPORT_FIELDS)}
    return [
        submission_row(a, by_agency.get(a["pk"]), deadline=deadline, today=today)
        for a in agencies.order_by("kind", "name").values(*AGENCY_FIELDS)
    ]
