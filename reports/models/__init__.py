from reports.models.api import ApiToken
from reports.models.jobs import Job, JobItem
from reports.models.logins import LoginAttempt
from reports.models.report import Report
from reports.models.rollup import ApprovedFigures
from reports.models.sources import SourceDocument, UploadLog
from reports.models.tables import ApplicationOutcome, DisclosureTable, ReviewLitigation
from reports.models.totals import ReportTotals
from reports.models.validation import IssueAcceptance, ValidationIssue
from reports.models.workflow import CellComment, CellConfirmation, ReportEvent

__all__ = [
    "ApprovedFigures",
    "ApiToken",
    "ApplicationOutcome",
    "CellComment",
    "CellConfirmation",
    "DisclosureTable",
    "IssueAcceptance",
    "Job",
    "JobItem",
    "LoginAttempt",
    "Report",
    "ReportEvent",
    "ReportTotals",
    "ReviewLitigation",
    "SourceDocument",
    "UploadLog",
    "ValidationIssue",
]
