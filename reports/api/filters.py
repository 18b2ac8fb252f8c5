"""The API's filters (django-filter). The agency filter takes an id and simply matches nothing for an agency the user
cannot see — never an "invalid choice" that would tell another agency's id exists."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from agencies.models import Agency, AgencyKind
from reports.choices import ReportStatus
from reports.models import Report


def _search(queryset, prefix: str, value: str):
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}name__icontains": value})
        | Q(**{f"{prefix}short_name__icontains": value})
        | Q(**{f"{prefix}aliases__name__icontains": value})
    ).distinct()


class ReportApiFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label="年度")
    agency = django_filters.NumberFilter(field_name="agency_id", label="机关编号")
    status = django_filters.MultipleChoiceFilter(choices=ReportStatus.choices, label="状态（可多选）")
    kind = django_filters.MultipleChoiceFilter(field_name="agency__kind", choices=AgencyKind.choices, label="机关类别")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="此时间之后有改动的（ISO 8601）"
    )
    q = django_filters.CharFilter(method="search", label="机关名称")

    class Meta:
        model = Report
        fields = ["year", "agency", "status", "kind", "template_version"]

    def search(self, queryset, name, value):
        return _search(queryset, "agency__", value)


class AgencyApiFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=AgencyKind.choices, label="机关类别")
    parent = django_filters.NumberFilter(field_name="parent_id", label="上级机关编号")
    is_active = django_filters.BooleanFilter(label="在用")
    division_code = django_filters.CharFilter(label="行政区划代码")
    q = django_filters.CharFilter(method="search", label="名称")

    class Meta:
        model = Agency
        fields = ["kind", "parent", "is_active", "division_code"]

    def search(self, queryset, name, value):
        return _search(queryset, "", value)
