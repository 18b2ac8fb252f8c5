"""Agencies: the bodies that publish annual reports (乡镇/街道, 县直部门, 县政府 …)."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


def pinyin_of(name: str) -> str:
    """A name spelled in pinyin, for sorting ("二塘乡" → "er tang xiang"); characters without pinyin kept."""
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(name or ""))[:600]


class AgencyKind(models.TextChoices):
    TOWNSHIP = "township", "乡镇/街道"
    DEPARTMENT = "department", "县直部门"
    COUNTY_GOVERNMENT = "county_government", "县政府"
    OTHER = "other", "其他"


class Agency(models.Model):
    """An administrative body that publishes a 政府信息公开工作年度报告."""

    Kind = AgencyKind

    name = models.CharField("全称", max_length=100, unique=True, help_text="例如：二塘乡人民政府")
    short_name = models.CharField("简称", max_length=50, blank=True, help_text="例如：二塘乡")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.TOWNSHIP)
    parent = models.ForeignKey(
        "self", verbose_name="上级机关", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    division_code = models.CharField(
        "行政区划代码",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d{6}(\d{3}(\d{3})?)?$", "行政区划代码应为 6、9 或 12 位数字。")],
    )
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        blank=True,
        validators=[RegexValidator(r"^[0-9A-HJ-NPQRTUWXY]{18}$", "统一社会信用代码应为 18 位数字或大写字母。")],
    )
    has_rulemaking_power = models.BooleanField(
        "有规章制定权",
        default=False,
        help_text="设区的市、自治州人民政府等有规章制定权的机关；乡镇和县直部门不勾选（规则 R11）。",
    )
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    is_active = models.BooleanField("在用", default=True, help_text="撤并的机关取消勾选，不再计入应报名单。")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="填报员",
        blank=True,
        related_name="agencies",
        help_text="可查看和上传本机关年报的用户。",
    )
    # The name in pinyin ("er tang xiang ren min zheng fu"): lists sort by it, as a Chinese reader expects.
    name_pinyin = models.CharField("拼音", max_length=600, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "name_pinyin"])

    class Meta:
        verbose_name = "机关单位"
        verbose_name_plural = "机关单位"
        ordering = ["kind", "name_pinyin", "name"]
        # The overview's submission matrix is paged in (kind, name) order.
        indexes = [models.Index(fields=["kind", "name"], name="agencies_agency_kind_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AgencyKind.values),
                name="agencies_agency_kind_valid",
                violation_error_message="机关类别无效。",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="agencies_agency_unique_credit_code",
                violation_error_message="该统一社会信用代码已属于另一机关。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_of(self.name)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def all_names(self) -> list[str]:
        """Every name this agency is known by: full name, short name and aliases."""
        names = [self.name, self.short_name, *(a.name for a in self.aliases.all())]
        return [n for n in dict.fromkeys(names) if n]


class AgencyAlias(models.Model):
    """Another name a report uses for the agency (e.g. "二塘乡" for "二塘乡人民政府")."""

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("别名", max_length=100, unique=True)

    class Meta:
        verbose_name = "别名"
        verbose_name_plural = "别名"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
