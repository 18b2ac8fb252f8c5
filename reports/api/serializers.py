"""What the API reads and writes. Cells are the 200 canonical keys (reports/canonical.py), one flat object."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from reports import canonical
from reports.access import agencies_visible_to
from reports.choices import ReportStatus, TemplateVersion
from reports.models import Report, ValidationIssue
from reports.services.records import clean_cell
from reports.services.workflow import TRANSITIONS

UNKNOWN_KEYS = "未知的单元格：{keys}（单元格名称见 GET /api/cells/）。"
NO_AGENCY = "机关不存在，或您无权为该机关报送。"


@extend_schema_field({"type": "number", "nullable": True, "minimum": 0})
class CellValueField(serializers.Field):
    """A cell's value: a non-negative integer (行政事业性收费: a decimal amount in 万元) or null for blank."""

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        return data


def cells_field(**kwargs) -> serializers.DictField:
    return serializers.DictField(
        child=CellValueField(allow_null=True),
        help_text="单元格名称 → 数值（null 为空白）；名称见 GET /api/cells/。",
        **kwargs,
    )


def validate_cells(cells: dict) -> dict:
    """Check every cell as the service will (clean_cell): all errors at once, keyed by cell."""
    unknown = sorted(set(cells) - set(canonical.ALL_KEYS))
    if unknown:
        shown = "、".join(unknown[:5]) + (f" 等 {len(unknown)} 个" if len(unknown) > 5 else "")
        raise serializers.ValidationError(UNKNOWN_KEYS.format(keys=shown))
    errors, cleaned = {}, {}
    for key, value in cells.items():
        try:
            cleaned[key] = clean_cell(key, value)
        except DjangoValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise serializers.ValidationError(errors)
    return cleaned


class AgencySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Agency
        fields = [
            "id", "name", "short_name", "kind", "kind_display", "parent", "division_code", "credit_code",
            "has_rulemaking_power", "is_active",
        ]  # fmt: skip
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id", "agency", "agency_name", "year", "template_version", "status", "status_display", "title",
            "published_on", "version", "error_count", "warning_count", "info_count", "validated_at", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ReportDetailSerializer(ReportSerializer):
    actions = serializers.SerializerMethodField(help_text="当前用户现在可以执行的流程操作")

    class Meta(ReportSerializer.Meta):
        fields = [
            *ReportSerializer.Meta.fields, "preamble", "overview", "problems", "other_matters", "return_reason",
            "approval_note", "unread_keys", "actions",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, report) -> list[str]:
        from reports.services.workflow import transitions_for

        request = self.context.get("request")
        return [t.action for t in transitions_for(report, request.user)] if request else []


class CellsSerializer(serializers.Serializer):
    report = serializers.IntegerField(help_text="年报编号")
    version = serializers.IntegerField(help_text="读取时的版本号：修改时原样带回")
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    cells = cells_field()


TEXT_FIELDS = ("template_version", "title", "published_on", "preamble", "overview", "problems", "other_matters")


class _TextFields(serializers.Serializer):
    template_version = serializers.ChoiceField(choices=TemplateVersion.choices, required=False)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    published_on = serializers.DateField(required=False, allow_null=True)
    preamble = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    overview = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    problems = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    other_matters = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    reason = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="修改说明（记入修改记录），例如“系统报送”"
    )

    def validate_cells(self, cells):
        return validate_cells(cells)

    def fields_given(self) -> dict:
        return {name: self.validated_data[name] for name in TEXT_FIELDS if name in self.validated_data}


class ReportWriteSerializer(_TextFields):
    """PATCH /api/reports/{id}/: the cells and texts to change, with the version they were read at."""

    version = serializers.IntegerField(
        min_value=1, help_text="修改所依据的版本号（读取时得到的 version）；此后他人改过的同一单元格会被拒绝（409）"
    )
    cells = cells_field(required=False)


class ReportCreateSerializer(_TextFields):
    """POST /api/reports/: a new report of one of the user's agencies, with its cells."""

    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.none(), error_messages={"does_not_exist": NO_AGENCY, "incorrect_type": NO_AGENCY}
    )
    year = serializers.IntegerField(min_value=2008, max_value=2100)
    cells = cells_field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request is not None else None
        # Only the agencies this user may report for: another agency's id reads exactly like one that does not exist.
        self.fields["agency"].queryset = (
            agencies_visible_to(user).filter(is_active=True) if user else Agency.objects.none()
        )


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[(t.action, t.label) for t in TRANSITIONS.values()],
        help_text="submit 提交；start_review 开始审核；return 退回；approve 通过；reopen 重新打开",
    )
    version = serializers.IntegerField(min_value=1, help_text="操作所依据的版本号：通过时，此后有改动则拒绝（409）")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    override = serializers.BooleanField(required=False, default=False, help_text="有错误级问题时仍通过（须说明理由）")


class WriteResultSerializer(serializers.Serializer):
    report = serializers.IntegerField()
    version = serializers.IntegerField(help_text="保存后的版本号：下一次修改时带回")
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    changed = serializers.ListField(child=serializers.CharField(), help_text="本次写入的单元格")
    changed_fields = serializers.ListField(child=serializers.CharField(), help_text="本次写入的文字字段")
    merged = serializers.ListField(
        child=serializers.CharField(), help_text="读取之后他人改过、与本次修改不冲突而保留的单元格或字段"
    )
    error_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()


class IssueSerializer(serializers.ModelSerializer):
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    labels = serializers.SerializerMethodField()

    class Meta:
        model = ValidationIssue
        fields = [
            "id", "rule", "severity", "severity_display", "keys", "labels", "message", "expected", "actual",
            "accepted",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_labels(self, issue) -> list[str]:
        return [canonical.short_label(k) for k in issue.keys or () if k in canonical.LABELS]


class ChangeSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="单元格或字段的中文名称")
    key = serializers.CharField(help_text="单元格名称（文字字段为空）")
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField()
    kind = serializers.CharField(help_text="数值修改、文字修改、状态变更、导入、单元格批注、创建")
    summary = serializers.CharField()
    reason = serializers.CharField()
    changes = ChangeSerializer(many=True)


class CellKeySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField(help_text="FIELDS.md 中的全称")
    short_label = serializers.CharField()
    decimal = serializers.BooleanField(help_text="是否为金额（万元，可有小数）")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="给用户看的中文说明")
    code = serializers.CharField(help_text="给程序看的代码：conflict、locked、bad_version、exists、not_found …")


class ConflictItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    by = serializers.CharField()
    at = serializers.CharField()
    reason = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    conflicts = ConflictItemSerializer(many=True, required=False)
