"""django-filter FilterSets: the filters of the overview page and of the county workbook (year, kind, status)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from agencies.models import AgencyKind
from reports.choices import ReportStatus
from reports.models import Report
from reports.submission import MISSING, STATUS_CHOICES


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ReportFilterSet(django_filters.FilterSet):
    """Reports by year, agency kind and status (several kinds/statuses may be chosen), with a name search."""

    year = YearFilter(label="年度", min_value=2008, max_value=2100)
    kind = django_filters.MultipleChoiceFilter(
        field_name="agency__kind", choices=AgencyKind.choices, label="机关类别", widget=forms.CheckboxSelectMultiple
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ReportStatus.choices, label="状态", widget=forms.CheckboxSelectMultiple
    )
    q = django_filters.CharFilter(method="search", label="机关名称")

    class Meta:
        model = Report
        fields = ["year", "kind", "status", "template_version"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(agency__name__icontains=value)
            | Q(agency__short_name__icontains=value)
            | Q(agency__aliases__name__icontains=value)
        ).distinct()


class OverviewFilterSet(ReportFilterSet):
    """The overview's filters: the status filter also offers 未建立 (an agency without a report for the year)."""

    status = django_filters.MultipleChoiceFilter(
        choices=STATUS_CHOICES, label="状态", method="filter_status", widget=forms.CheckboxSelectMultiple
    )

    parent = IdFilter(method="filter_parent", label="上级机关", min_value=1)

    class Meta(ReportFilterSet.Meta):
        fields = ["year", "kind", "status", "parent"]

    def filter_parent(self, queryset, name, value):
        # A region: the agencies under this parent agency, and the parent itself.
        return queryset.filter(Q(agency__parent_id=value) | Q(agency_id=value))

    def filter_status(self, queryset, name, value):
        # 未建立 has no report to filter on: it narrows the agency rows of the page, not the reports.
        statuses = [v for v in value if v != MISSING]
        return queryset.filter(status__in=statuses)

    @property
    def chosen_statuses(self) -> set[str]:
        return set(self.form.cleaned_data.get("status") or []) if self.is_bound and self.form.is_valid() else set()

    @property
    def chosen_kinds(self) -> list[str]:
        return list(self.form.cleaned_data.get("kind") or []) if self.is_bound and self.form.is_valid() else []
