from reports.models.report import Report
from reports.models.sources import SourceDocument
from reports.models.tables import ApplicationOutcome, DisclosureTable, ReviewLitigation

__all__ = ["ApplicationOutcome", "DisclosureTable", "Report", "ReviewLitigation", "SourceDocument"]
