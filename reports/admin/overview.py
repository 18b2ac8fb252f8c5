"""The overview page (总览) of the report admin: for one year, who is missing and who is wrong, at a glance.

Served under the report admin (ReportExportsMixin.get_urls → admin:reports_report_overview), so it has the admin's
login, permissions and look; filtered with django-filter (reports/filtersets.py); charts drawn server-side.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from agencies.models import Agency, AgencyKind
from reports import charts
from reports.access import agencies_visible_to, reports_visible_to
from reports.filtersets import OverviewFilterSet
from reports.models import Report
from reports.overview import Overview, overview_build
from reports.submission import MISSING, STATUS_CHOICES, SubmissionRow

STATUS_COLORS = {
    MISSING: "#b5533c",
    "draft": "#c8a040",
    "submitted": "#2f6f9f",
    "reviewing": "#6b5b95",
    "returned": "#d9822b",
    "approved": "#2f7d32",
}
BAD_FILTER = "筛选条件无效，已显示默认年度。"


def _charts(ov: Overview) -> dict[str, str]:
    this, last = f"{ov.year}年", f"{ov.year - 1}年"
    status = charts.stacked_bar(
        [(label, n, STATUS_COLORS[key]) for key, label, n in ov.status_counts], title="各机关报送状态"
    )
    outcomes = charts.grouped_bars(
        [f.label for f in ov.outcomes],
        [(this, [f.current for f in ov.outcomes], "#2f6f9f"), (last, [f.previous for f in ov.outcomes], "#bbbbbb")],
        title="申请办理结果（总计列）",
    )
    figures = charts.grouped_bars(
        [f.label for f in ov.figures],
        [(this, [f.current for f in ov.figures], "#2f6f9f"), (last, [f.previous for f in ov.figures], "#bbbbbb")],
        title="关键数字与上年比较",
    )
    return {"status": mark_safe(status), "outcomes": mark_safe(outcomes), "figures": mark_safe(figures)}


def _status_cells(status: str) -> str:
    dot = '<span class="nb-dot" style="background:{}" title="{}"></span>'
    return "".join(
        f'<td class="nb-ov-st">{dot.format(STATUS_COLORS[key], label) if key == status else ""}</td>'
        for key, label in STATUS_CHOICES
    )


# The status cells of a row depend on its status only: six strings, built once.
STATUS_CELLS = {key: _status_cells(key) for key, _ in STATUS_CHOICES}


def _matrix_row(r: SubmissionRow, url: str) -> str:
    checked = []
    if r.error_count:
        checked.append(f'<span class="nb-err">✖ {r.error_count}</span>')
    if r.warning_count:
        checked.append(f'<span class="nb-warn">⚠ {r.warning_count}</span>')
    if r.report_id and r.validated and not checked:
        checked.append('<span class="nb-ok">✔</span>')
    timing = escape(r.timing_text)
    if r.overdue:
        timing = f'<span class="nb-err">{timing}</span>'
    classes = "nb-ov-row" + (" nb-overdue" if r.overdue else "") + (" nb-has-errors" if r.error_count else "")
    published = r.published_on.isoformat() if r.published_on else ""
    return (
        f'<tr class="{classes}" data-agency="{r.agency_id}" data-status="{escape(r.status)}">'
        f'<td><a href="{escape(url)}">{escape(r.agency_name)}</a></td><td>{escape(r.kind_label)}</td>'
        f"{STATUS_CELLS[r.status]}<td>{' '.join(checked)}</td><td>{published}</td><td>{timing}</td></tr>"
    )


def matrix_rows(rows: list[SubmissionRow], *, change_url: str, add_url: str, year: int) -> str:
    """The submission matrix's rows as HTML. Built here, not in the template: for 3,000 agencies the template
    engine's loop over the statuses alone took most of a second. Every text from the database is escaped."""
    out = []
    for r in rows:
        if r.report_id:
            url = change_url.format(r.report_id)
        else:
            url = f"{add_url}?{urlencode({'agency': r.agency_id, 'year': year})}"
        out.append(_matrix_row(r, url))
    return mark_safe("\n".join(out))  # noqa: S308 - built from escaped parts above


def overview_page(model_admin, request):
    user = request.user
    visible = reports_visible_to(user, Report.objects.all())
    years = sorted(visible.order_by().values_list("year", flat=True).distinct(), reverse=True)
    default_year = years[0] if years else timezone.localdate().year - 1
    data = request.GET.copy()
    data.setdefault("year", str(default_year))
    filterset = OverviewFilterSet(data, queryset=visible)
    if not filterset.is_valid() or not filterset.form.cleaned_data.get("year"):
        messages.warning(request, BAD_FILTER)
        filterset = OverviewFilterSet({"year": str(default_year)}, queryset=visible)
        filterset.is_valid()
    year = int(filterset.form.cleaned_data["year"])
    kinds = filterset.chosen_kinds
    statuses = filterset.chosen_statuses

    of_kind = Q(agency__kind__in=kinds) if kinds else Q()
    agencies = agencies_visible_to(user, Agency.objects.filter(Q(is_active=True) | Q(reports__year=year)).distinct())
    if kinds:
        agencies = agencies.filter(kind__in=kinds)
    ov = overview_build(
        year=year,
        agencies=agencies,
        reports=visible.filter(of_kind, year=year),
        figure_reports=filterset.qs.filter(year=year),
        previous_reports=visible.filter(of_kind, year=year - 1),
        row_statuses=statuses,
    )
    change_url = reverse("admin:reports_report_change", args=[0]).replace("/0/", "/{}/")
    add_url = reverse("admin:reports_report_add")
    report_statuses = [s for s in sorted(statuses) if s != MISSING]
    query = urlencode([("year", year), *(("kind", k) for k in kinds), *(("status", s) for s in report_statuses)])
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"{year} 年度总览",
        "ov": ov,
        "matrix": matrix_rows(ov.rows, change_url=change_url, add_url=add_url, year=year),
        "change_url": change_url,
        "charts": _charts(ov),
        "years": sorted(set(years) | {year}, reverse=True),
        "kind_choices": AgencyKind.choices,
        "status_choices": STATUS_CHOICES,
        "status_colors": STATUS_COLORS,
        "chosen_kinds": set(kinds),
        "chosen_statuses": statuses,
        "summary_url": f"{reverse('admin:reports_report_summary')}?{query}",
        "filterset": filterset,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/reports/overview.html", context)
