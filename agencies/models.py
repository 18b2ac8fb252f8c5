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
    CITY_GOVERNMENT = "city_government", "市政府"
    PROVINCE_GOVERNMENT = "province_government", "省政府"
    REGION = "region", "行政区划"
    OTHER = "other", "其他"


# Kinds that stand for a region of the tree (province → city → county): the region's own government publishes
# a report; a plain 行政区划 node only groups the bodies beneath it and publishes none.
REGION_KINDS = frozenset(
    {AgencyKind.PROVINCE_GOVERNMENT, AgencyKind.CITY_GOVERNMENT, AgencyKind.COUNTY_GOVERNMENT, AgencyKind.REGION}
)
NON_PUBLISHING_KINDS = frozenset({AgencyKind.REGION})

# The tree is kept as a materialised path: each agency's path is its ancestors' ids and its own, each written as
# eight digits and a dot ("00000001.00000007."). A subtree is a path prefix (one indexed LIKE 'p%' on PostgreSQL,
# a range scan on SQLite); the child of a node an agency lies under is the first len(node.path) + SEGMENT
# characters of its path, so roll-ups group by a substring in SQL.
SEGMENT = 9
MAX_DEPTH = 12
TREE_CYCLE = "上级机关不能是本机关或其下级机关。"
TREE_TOO_DEEP = f"机关层级不能超过 {MAX_DEPTH} 级。"


def path_segment(pk: int) -> str:
    return f"{pk:08d}."


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
    # Materialised path of the tree (see SEGMENT above), kept by save(); never edited by hand.
    path = models.CharField("路径", max_length=SEGMENT * MAX_DEPTH, blank=True, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    # The name in pinyin ("er tang xiang ren min zheng fu"): lists sort by it, as a Chinese reader expects.
    name_pinyin = models.CharField("拼音", max_length=600, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "name_pinyin", "path", "depth"])

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
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="agencies_agency_not_own_parent",
                violation_error_message=TREE_CYCLE,
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

    def clean(self):
        super().clean()
        self._check_parent()

    def _check_parent(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id is None:
            return
        parent_path = Agency.objects.filter(pk=self.parent_id).values_list("path", flat=True).first() or ""
        if self.pk is not None and (self.parent_id == self.pk or f"{self.pk:08d}" in parent_path.split(".")):
            raise ValidationError({"parent": TREE_CYCLE})
        if len(parent_path) // SEGMENT + 1 > MAX_DEPTH:
            raise ValidationError({"parent": TREE_TOO_DEEP})

    def save(self, *args, **kwargs):
        from django.db import transaction

        self.name_pinyin = pinyin_of(self.name)
        with transaction.atomic():
            self._check_parent()
            super().save(*args, **kwargs)
            self._update_path()

    def _update_path(self) -> None:
        """Recompute this agency's path from its parent's and carry the change to its whole subtree."""
        from django.db.models import F, Value
        from django.db.models.functions import Concat, Substr

        parent_path = ""
        if self.parent_id is not None:
            parent_path = Agency.objects.filter(pk=self.parent_id).values_list("path", flat=True).get()
        new = parent_path + path_segment(self.pk)
        old = Agency.objects.filter(pk=self.pk).values_list("path", flat=True).get()
        if old == new:
            self.path, self.depth = new, len(new) // SEGMENT - 1
            return
        if old:
            if new.startswith(old):
                from django.core.exceptions import ValidationError

                raise ValidationError({"parent": TREE_CYCLE})
            Agency.objects.filter(path__startswith=old).update(
                path=Concat(Value(new), Substr("path", len(old) + 1)),
                depth=F("depth") + (len(new) - len(old)) // SEGMENT,
            )
        else:
            Agency.objects.filter(pk=self.pk).update(path=new, depth=len(new) // SEGMENT - 1)
        self.path, self.depth = new, len(new) // SEGMENT - 1

    # --- The tree ------------------------------------------------------------------------------------------

    @property
    def is_region(self) -> bool:
        return self.kind in REGION_KINDS

    def subtree(self, *, include_self: bool = True):
        """This agency and every agency beneath it (one indexed prefix query)."""
        qs = Agency.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestors(self):
        """The agencies above this one, from the root down."""
        ids = [int(p) for p in self.path.split(".") if p][:-1]
        return Agency.objects.filter(pk__in=ids).order_by("depth")

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


class NodeStaff(models.Model):
    """A 审核员 or 管理员 working at a node of the tree: they see and review every report beneath it.

    A reviewer bound to no node works for the whole deployment, as before the tree; a 填报员 stays bound to the
    agencies they are a member of (Agency.members). With ``reviews_below`` off, the person reviews the node's own
    report and those of the bodies directly under it (a city office: its counties' own reports) and sees everything
    further down read-only.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="node_posts"
    )
    node = models.ForeignKey(Agency, verbose_name="所在区划/机关", on_delete=models.CASCADE, related_name="staff")
    reviews_below = models.BooleanField(
        "可审核所有下级",
        default=True,
        help_text="勾选：可审核本级以下所有机关的年报；不勾选：只审核本级和直属下级机关的年报，更下级的只读。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "区划工作人员"
        verbose_name_plural = "区划工作人员"
        ordering = ["node__path", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "node"],
                name="agencies_nodestaff_unique",
                violation_error_message="该用户已在此区划任职。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.node}"
