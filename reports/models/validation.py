from django.conf import settings
from django.db import models
from django.db.models import Q

from reports.choices import Severity


class ValidationIssue(models.Model):
    """One finding of the rules (reports/rules.py) on a stored report; recomputed whenever its values change."""

    report = models.ForeignKey("reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="issues")
    rule = models.CharField("规则", max_length=10)
    severity = models.CharField("级别", max_length=10, choices=Severity.choices)
    keys = models.JSONField("涉及单元格", default=list, blank=True)
    message = models.TextField("说明")
    expected = models.CharField("应为", max_length=40, blank=True)
    actual = models.CharField("实为", max_length=40, blank=True)
    # Stable hash of rule, cells and their values: a reviewer's 已核实 mark follows it across re-validation.
    fingerprint = models.CharField("指纹", max_length=40)
    position = models.PositiveIntegerField("顺序", default=0)
    accepted = models.BooleanField("已核实", default=False)

    class Meta:
        verbose_name = "校验问题"
        verbose_name_plural = "校验问题"
        ordering = ["report", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values),
                name="reports_issue_severity_valid",
                violation_error_message="级别无效。",
            ),
        ]
        indexes = [models.Index(fields=["report", "severity"], name="reports_issue_report_sev")]

    def __str__(self) -> str:
        return f"{self.rule} {self.message}"

    @property
    def first_key(self) -> str:
        return self.keys[0] if self.keys else ""


class IssueAcceptance(models.Model):
    """A reviewer's "已核实" on a warning: kept while the cells it concerned keep their values."""

    report = models.ForeignKey(
        "reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="acceptances"
    )
    rule = models.CharField("规则", max_length=10)
    fingerprint = models.CharField("指纹", max_length=40)
    message = models.TextField("问题说明", blank=True)
    comment = models.TextField("核实说明")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField("核实时间", auto_now_add=True)

    class Meta:
        verbose_name = "已核实标记"
        verbose_name_plural = "已核实标记"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "fingerprint"],
                name="reports_acceptance_unique",
                violation_error_message="该问题已标记为已核实。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} 已核实"
