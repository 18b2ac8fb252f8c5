"""The figures of an approved report, frozen at approval in one wide row: what the roll-up sums.

An approved report's cells cannot change (the approval lock, reports/models/report.py); the workflow service writes
this row in the same transaction as the approval and deletes it when the report is reopened (services/workflow.py).
Rolling up 30,000 reports is then one GROUP BY over 30,000 rows of 200 columns instead of a join over the three cell
tables' 900,000 rows (benchmarks/rollup.py). Columns are c000…c199 in canonical.ALL_KEYS order (COLUMN_OF).
"""

from django.db import models

from reports import canonical

COLUMN_OF: dict[str, str] = {key: f"c{i:03d}" for i, key in enumerate(canonical.ALL_KEYS)}


class ApprovedFigures(models.Model):
    report = models.OneToOneField(
        "reports.Report",
        verbose_name="报告",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="approved_figures",
    )
    # The report's agency and year, copied (both are frozen by the approval too): the roll-up then joins only the
    # narrow agency table to group by the tree, not the report table.
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name="机关", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField("年度")
    approved_at = models.DateTimeField("通过时间", auto_now_add=True)

    class Meta:
        verbose_name = "已通过报告的数字"
        verbose_name_plural = "已通过报告的数字"
        default_permissions = ("view",)
        indexes = [models.Index(fields=["year", "agency"], name="reports_figures_year_agency")]

    def __str__(self) -> str:
        return f"{self.report_id}"


for _key, _column in COLUMN_OF.items():
    if _key == canonical.FEES_KEY:
        _field = models.DecimalField(_column, max_digits=14, decimal_places=4, null=True)
    else:
        _field = models.IntegerField(_column, null=True)
    ApprovedFigures.add_to_class(_column, _field)
