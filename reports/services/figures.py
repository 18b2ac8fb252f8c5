"""The frozen figures of approved reports (reports/models/rollup.py), written only by the workflow service."""

from __future__ import annotations

from reports.models import ApprovedFigures, Report
from reports.models.rollup import COLUMN_OF
from reports.selectors import report_values


def approved_figures_store(*, report: Report) -> ApprovedFigures:
    """Freeze the report's 200 cells as approved (called under the report's lock, in the approval's transaction)."""
    values = report_values(report)
    figures, _ = ApprovedFigures.objects.update_or_create(
        report=report,
        defaults={"agency_id": report.agency_id, "year": report.year, **{COLUMN_OF[k]: v for k, v in values.items()}},
    )
    return figures


def approved_figures_drop(*, report: Report) -> None:
    ApprovedFigures.objects.filter(report=report).delete()
