from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from reports.choices import ReportStatus, TemplateVersion

REPORT_LOCKED = "报告已通过审核并锁定：需由有权限的人员重新打开（并说明理由）后才能修改。"


class ReportLockedError(ValidationError):
    """Raised on any attempt to change an approved report's content."""

    def __init__(self, message: str = REPORT_LOCKED) -> None:
        super().__init__(message, code="locked")


# Content of a report that an approval freezes (besides its table cells).
LOCKED_FIELDS = (
    "agency_id", "year", "template_version", "title", "published_on", "preamble", "overview", "problems",
    "other_matters",
)  # fmt: skip


class Report(models.Model):
    """One agency's 政府信息公开工作年度报告 for one year."""

    Status = ReportStatus

    agency = models.ForeignKey("agencies.Agency", verbose_name="机关", on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField("年度", help_text="报告所统计的年度，例如 2023")
    template_version = models.CharField(
        "模板版本",
        max_length=4,
        choices=TemplateVersion.choices,
        default=TemplateVersion.V2021,
        help_text="2021 版：国办公开办函〔2021〕30号；2019 试行版：国办公开办函〔2019〕60号（2019、2020 年度报告）",
    )
    status = models.CharField("状态", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    title = models.CharField("标题", max_length=200, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    preamble = models.TextField("前言", blank=True, help_text="依据、统计期限、联系方式等")
    overview = models.TextField("一、总体情况", blank=True)
    problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    other_matters = models.TextField("六、其他需要报告的事项", blank=True)
    # Which of the six top-level sections the source document has (e.g. ["一", …, "六"]); null when the
    # report was typed in by hand and the structure is unknown (rule R15 then skips the check).
    sections_found = models.JSONField("原文包含的部分", null=True, blank=True, editable=False)
    # Group subtotals the document itself printed (rule R14), keyed by canonical subtotal key.
    printed_subtotals = models.JSONField("原文小计", default=dict, blank=True, editable=False)
    # Cells the latest source document has but the parser could not read (canonical keys). While such a cell
    # is still empty the rules report it as unread (R15), as they did on the import preview, not as a blank.
    unread_keys = models.JSONField("未能读出的单元格", default=list, blank=True, editable=False)
    # Cells the latest source document's reading filled by arithmetic, not by reading: {key: the identity the
    # value rests on}. Like unread cells, they need a person (typed or confirmed, see CellConfirmation).
    inferred_keys = models.JSONField("由勾稽关系推算的单元格", default=dict, blank=True, editable=False)
    # Printed numbers of the latest source document that break an identity however they are read (a run of
    # digits no split makes add up), their cells left unread: the rules report each as an error while those
    # cells stay empty (reports.parsing.types.PrintedBreak as JSON).
    printed_breaks = models.JSONField("原文不平的数字", default=list, blank=True, editable=False)
    # How many unread or inferred cells nobody has typed or confirmed yet (kept by services.reports_validate):
    # while above 0 the report cannot be approved, except by a 管理员 with a reason.
    unconfirmed_count = models.PositiveIntegerField("待人工确认", default=0, editable=False)
    # The agency the latest source document names itself as, when that is not this report's agency (a file
    # imported under another agency than it names): a warning (R26) until a reviewer marks it 已核实.
    named_as = models.CharField("来源文件自称", max_length=200, blank=True, editable=False)

    return_reason = models.TextField("退回原因", blank=True, editable=False)
    approval_note = models.TextField("通过说明", blank=True, editable=False)

    # Counts of open (not 已核实) rule issues, kept with the report for the changelist and the overview.
    error_count = models.PositiveIntegerField("错误数", default=0, editable=False)
    warning_count = models.PositiveIntegerField("警告数", default=0, editable=False)
    info_count = models.PositiveIntegerField("提示数", default=0, editable=False)
    validated_at = models.DateTimeField("校验时间", null=True, blank=True, editable=False)

    # Optimistic concurrency (reports/services/records.py::report_update): every change to the report — a cell, a
    # text, its status, an import — takes the row lock and raises the version by one. A page (or any client) sends
    # back the version it read; the cells it changed are written only if nobody changed those cells since.
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    # Per cell key or field, the last change: {"v": version, "by": user name, "at": ISO time, "why": reason}. Lets a
    # save merge with changes to other cells, and tells whoever is refused who changed their cell and when.
    edit_marks = models.JSONField("修改标记", default=dict, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "error_count",
            "warning_count",
            "info_count",
            "validated_at",
            "unread_keys",
            "inferred_keys",
            "printed_breaks",
            "unconfirmed_count",
            "named_as",
            "version",
            "edit_marks",
        ]  # fmt: skip
    )

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-year", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"],
                name="reports_report_unique_agency_year",
                violation_error_message="该机关这一年度的报告已存在。",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2008) & Q(year__lte=2100),
                name="reports_report_year_range",
                violation_error_message="年度应在 2008 至 2100 之间。",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="reports_report_status_valid",
                violation_error_message="报告状态无效。",
            ),
            models.CheckConstraint(
                condition=Q(template_version__in=TemplateVersion.values),
                name="reports_report_template_valid",
                violation_error_message="模板版本无效。",
            ),
        ]
        indexes = [
            # By status, with the agency (0015): the overview's lists of who has not handed in are index-only.
            models.Index(fields=["year", "status", "agency"], name="reports_report_year_status_ag"),
            # A year's report ids (and agencies) without reading the (wide) rows: the overview's and exports'
            # subqueries, the overview's pairs of a report with last year's.
            models.Index(fields=["year", "id", "agency"], name="reports_report_year_id_agency"),
        ]
        permissions = [
            ("view_all_reports", "可查看所有机关的年报"),
            ("review_report", "可审核、退回、通过年报"),
            ("reopen_report", "可重新打开已通过的年报"),
            ("import_report", "可导入年报文件"),
            ("approve_unconfirmed", "可在仍有待人工确认的单元格时通过年报（须说明理由）"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}年度报告"

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.APPROVED

    def save(self, *args, **kwargs):
        # The lock lives here, below every service and admin form: an approved report never changes silently.
        if self.pk is not None:
            old = Report.objects.filter(pk=self.pk).values("status", *LOCKED_FIELDS).first()
            if old is not None and old["status"] == ReportStatus.APPROVED:
                if self.status != ReportStatus.APPROVED and not getattr(self, "_reopening", False):
                    raise ReportLockedError()
                if any(getattr(self, f) != old[f] for f in LOCKED_FIELDS):
                    raise ReportLockedError()
        super().save(*args, **kwargs)


def ensure_unlocked(report_id: int) -> None:
    """Refuse a change to a cell of an approved report."""
    if Report.objects.filter(pk=report_id, status=ReportStatus.APPROVED).exists():
        raise ReportLockedError()
