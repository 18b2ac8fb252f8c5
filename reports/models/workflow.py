from django.conf import settings
from django.db import models
from django.db.models import Q

from reports import canonical
from reports.choices import ReportStatus


class ReportEvent(models.Model):
    """The report's timeline beside the cell history: status changes, imports, overrides, reopenings."""

    class Kind(models.TextChoices):
        STATUS = "status", "状态变更"
        IMPORT = "import", "导入"
        VALUES = "values", "数值修改"
        COMMENT = "comment", "单元格批注"
        CONFIRM = "confirm", "人工确认"

    report = models.ForeignKey("reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    from_status = models.CharField("原状态", max_length=20, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=ReportStatus.choices, blank=True)
    reason = models.TextField("说明", blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "报告日志"
        verbose_name_plural = "报告日志"
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["status", "import", "values", "comment", "confirm"]),
                name="reports_event_kind_valid",
                violation_error_message="日志类型无效。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class CellComment(models.Model):
    """A reviewer's note on one cell ("与去年结转不符，请核实"); open until resolved."""

    report = models.ForeignKey(
        "reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="cell_comments"
    )
    key = models.CharField("单元格", max_length=80, choices=[(k, canonical.LABELS[k]) for k in canonical.ALL_KEYS])
    text = models.TextField("批注")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批注人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("批注时间", auto_now_add=True)
    resolved = models.BooleanField("已解决", default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="解决人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)

    class Meta:
        verbose_name = "单元格批注"
        verbose_name_plural = "单元格批注"
        ordering = ["report", "resolved", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(key__in=list(canonical.ALL_KEYS)),
                name="reports_cellcomment_key_valid",
                violation_error_message="单元格无效。",
            ),
        ]

    def __str__(self) -> str:
        return f"{canonical.short_label(self.key)}：{self.text[:30]}"


class CellConfirmation(models.Model):
    """A person's reading of a cell the parser did not read (or filled by arithmetic): typed on the report page, or
    confirmed against the document. Holds while the cell keeps the value read; like 已核实 for issues."""

    report = models.ForeignKey(
        "reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="confirmations"
    )
    key = models.CharField("单元格", max_length=80, choices=[(k, canonical.LABELS[k]) for k in canonical.ALL_KEYS])
    # The value confirmed, as text ("" = blank): a later change of the cell (an import) makes it lapse.
    value = models.CharField("确认的数值", max_length=40, blank=True)
    typed = models.BooleanField("人工录入", default=False)
    comment = models.TextField("说明", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", auto_now=True)

    class Meta:
        verbose_name = "单元格人工确认"
        verbose_name_plural = "单元格人工确认"
        ordering = ["report", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "key"],
                name="reports_confirmation_unique",
                violation_error_message="该单元格已确认。",
            ),
            models.CheckConstraint(
                condition=Q(key__in=list(canonical.ALL_KEYS)),
                name="reports_confirmation_key_valid",
                violation_error_message="单元格无效。",
            ),
        ]

    def __str__(self) -> str:
        return f"{canonical.short_label(self.key)} 已确认"
