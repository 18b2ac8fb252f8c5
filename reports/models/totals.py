"""Per report, the 总计 cell of every 表三 row and 表四 block, kept beside the cells: what the overview (总览) sums
and compares with last year, read from one narrow row per report instead of the 28 table rows.

Derived data, written only by the service layer (reports/services/totals.py) in the same transaction and under the
same report lock as the cells it copies: report_create (report_ensure_rows) and report_update, which every write
path uses (the report page, imports, the flat sheet, the API, federation packages). `manage.py report_totals`
checks every report's row against its cells and rebuilds any that differ; the test suite checks it after every
test (tests/conftest.py).

Unlike ApprovedFigures (frozen at approval, approved reports only, all 200 cells for the roll-up), this row exists
for every report in every status and changes with its cells.
"""

from django.db import models

from reports import canonical

# Canonical total key → column: "applications.new_received.total" → "t3_new_received",
# "review_litigation.review.total" → "t4_review". Ordered as the template.
TOTAL_COLUMNS: dict[str, str] = {
    **{canonical.t3(row, "total"): f"t3_{row}" for row in canonical.TABLE3_ROW_KEYS},
    **{canonical.t4(block, "total"): f"t4_{block}" for block in canonical.TABLE4_BLOCK_KEYS},
}


class ReportTotals(models.Model):
    report = models.OneToOneField(
        "reports.Report",
        verbose_name="报告",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="totals",
    )

    class Meta:
        verbose_name = "报告总计"
        verbose_name_plural = "报告总计"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.report_id}"


for _key, _column in TOTAL_COLUMNS.items():
    ReportTotals.add_to_class(_column, models.IntegerField(canonical.short_label(_key), null=True))
