from reports.models.report import Report
from reports.models.sources import SourceDocument
from reports.models.tables import ApplicationOutcome, DisclosureTable, ReviewLitigation
from reports.models.validation import IssueAcceptance, ValidationIssue

__all__ = [
    "ApplicationOutcome",
    "DisclosureTable",
    "IssueAcceptance",
    "Report",
    "ReviewLitigation",
    "SourceDocument",
    "ValidationIssue",
]
