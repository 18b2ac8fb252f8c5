"""The numbers of a report: 表二 (DisclosureTable), 表三 (ApplicationOutcome, one row per template row) and
表四 (ReviewLitigation, one row per block). Field names follow the canonical keys of reports/canonical.py.

A cell is a non-negative integer or NULL: NULL means the source left it blank, which is not the same as 0.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from reports import canonical
from reports.models.report import ensure_unlocked

NON_NEGATIVE = "数值不能为负数。"
# The largest count a cell holds: PostgreSQL's integer, enforced the same on SQLite (whose integers are 64-bit,
# so a typo of 19 digits would otherwise be stored there and overflow the county's sums).
MAX_COUNT = 2_147_483_647


class LockedRowMixin:
    """Table rows of an approved report cannot be saved."""

    def save(self, *args, **kwargs):
        if self.pk is not None:
            ensure_unlocked(self.report_id)
        super().save(*args, **kwargs)


def _count(verbose_name: str) -> models.IntegerField:
    return models.IntegerField(
        verbose_name, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(MAX_COUNT)]
    )


def _non_negative(prefix: str, fields: list[str]) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{f}__gte": 0}), name=f"{prefix}_{f}_non_negative", violation_error_message=NON_NEGATIVE
        )
        for f in fields
    ]


def disclosure_field(key: str) -> str:
    """Model field of a 表二 key: "active_disclosure.regulations.issued" → "regulations_issued"."""
    return "_".join(key.split(".")[1:])


DISCLOSURE_FIELDS: dict[str, str] = {disclosure_field(c.key): c.key for c in canonical.TABLE2_CELLS}


class DisclosureTable(LockedRowMixin, models.Model):
    """表二 主动公开政府信息情况: ten cells."""

    report = models.OneToOneField(
        "reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="disclosure"
    )
    regulations_issued = _count("规章 本年制发件数")
    regulations_repealed = _count("规章 本年废止件数")
    regulations_in_force = _count("规章 现行有效件数")
    normative_documents_issued = _count("行政规范性文件 本年制发件数")
    normative_documents_repealed = _count("行政规范性文件 本年废止件数")
    normative_documents_in_force = _count("行政规范性文件 现行有效件数")
    licensing_decisions = _count("行政许可 本年处理决定数量")
    punishment_decisions = _count("行政处罚 本年处理决定数量")
    coercion_decisions = _count("行政强制 本年处理决定数量")
    fees_amount = models.DecimalField(
        "行政事业性收费 本年收费金额（万元）",
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "表二 主动公开"
        verbose_name_plural = "表二 主动公开"
        constraints = _non_negative("reports_disclosure", list(DISCLOSURE_FIELDS))

    def __str__(self) -> str:
        return f"{self.report} 表二"


TABLE3_ROW_CHOICES = [(r.key, r.full_label) for r in canonical.TABLE3_ROWS]
TABLE3_POSITION = {r.key: i for i, r in enumerate(canonical.TABLE3_ROWS, start=1)}


class ApplicationOutcome(LockedRowMixin, models.Model):
    """表三 收到和处理政府信息公开申请情况: one template row (of 25) with its seven columns."""

    report = models.ForeignKey("reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="outcomes")
    row = models.CharField("行", max_length=40, choices=TABLE3_ROW_CHOICES)
    position = models.PositiveSmallIntegerField("顺序", editable=False)
    natural_person = _count("自然人")
    commercial = _count("商业企业")
    research = _count("科研机构")
    social_welfare = _count("社会公益组织")
    legal_services = _count("法律服务机构")
    other = _count("其他")
    total = _count("总计")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "表三 申请办理情况"
        verbose_name_plural = "表三 申请办理情况"
        ordering = ["report", "position"]
        # The overview's key figures read a few rows of every report: by row, with the total in the index (index-only scans).
        indexes = [models.Index(fields=["row", "report", "total"], name="reports_outcome_row_total")]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "row"],
                name="reports_outcome_unique_row",
                violation_error_message="该报告的这一行已存在。",
            ),
            models.CheckConstraint(
                condition=Q(row__in=list(TABLE3_POSITION)),
                name="reports_outcome_row_valid",
                violation_error_message="表三行无效。",
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=len(TABLE3_POSITION)),
                name="reports_outcome_position_range",
                violation_error_message="表三行序无效。",
            ),
            *_non_negative("reports_outcome", list(canonical.TABLE3_COLUMN_KEYS)),
        ]

    def __str__(self) -> str:
        return self.get_row_display()

    def save(self, *args, **kwargs):
        self.position = TABLE3_POSITION.get(self.row, 0)
        super().save(*args, **kwargs)

    def keys(self) -> dict[str, str]:
        """Model field → canonical key for this row's seven cells."""
        return {c: canonical.t3(self.row, c) for c in canonical.TABLE3_COLUMN_KEYS}


TABLE4_BLOCK_CHOICES = list(canonical.TABLE4_BLOCKS)
TABLE4_POSITION = {b: i for i, b in enumerate(canonical.TABLE4_BLOCK_KEYS, start=1)}


class ReviewLitigation(LockedRowMixin, models.Model):
    """表四 政府信息公开行政复议、行政诉讼情况: one block (行政复议 / 直接起诉 / 复议后起诉) of five cells."""

    report = models.ForeignKey(
        "reports.Report", verbose_name="报告", on_delete=models.CASCADE, related_name="review_litigation"
    )
    block = models.CharField("类别", max_length=30, choices=TABLE4_BLOCK_CHOICES)
    position = models.PositiveSmallIntegerField("顺序", editable=False)
    upheld = _count("结果维持")
    corrected = _count("结果纠正")
    other = _count("其他结果")
    pending = _count("尚未审结")
    total = _count("总计")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "表四 复议诉讼"
        verbose_name_plural = "表四 复议诉讼"
        ordering = ["report", "position"]
        indexes = [models.Index(fields=["block", "report", "total"], name="reports_rl_block_total")]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "block"],
                name="reports_reviewlitigation_unique_block",
                violation_error_message="该报告的这一类别已存在。",
            ),
            models.CheckConstraint(
                condition=Q(block__in=list(TABLE4_POSITION)),
                name="reports_reviewlitigation_block_valid",
                violation_error_message="表四类别无效。",
            ),
            *_non_negative("reports_reviewlitigation", list(canonical.TABLE4_COLUMN_KEYS)),
        ]

    def __str__(self) -> str:
        return self.get_block_display()

    def save(self, *args, **kwargs):
        self.position = TABLE4_POSITION.get(self.block, 0)
        super().save(*args, **kwargs)

    def keys(self) -> dict[str, str]:
        return {c: canonical.t4(self.block, c) for c in canonical.TABLE4_COLUMN_KEYS}
