"""The overview page (总览) of the report admin: for one year, who is missing and who is wrong, at a glance.

Served under the report admin (ReportExportsMixin.get_urls → admin:reports_report_overview), so it has the admin's
login, permissions and look; filtered with django-filter (reports/filtersets.py); charts drawn server-side.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
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


def _page_links(ov: Overview, filters: list) -> list[tuple[int, str]]:
    """(page number, link) for the matrix's pages; 0 stands for a gap. Empty when it fits on one page."""
    if ov.pages <= 1:
        return []
    wanted = sorted({1, 2, ov.pages - 1, ov.pages, *range(ov.page - 2, ov.page + 3)} & set(range(1, ov.pages + 1)))
    links, last = [], 0
    for n in wanted:
        if n > last + 1:
            links.append((0, ""))
        links.append((n, "?" + urlencode([*filters, ("page", n)]) + "#nb-matrix"))
        last = n
    return links


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

    parent = filterset.form.cleaned_data.get("parent")
    of_kind = Q(agency__kind__in=kinds) if kinds else Q()
    if parent:
        of_kind &= Q(agency__parent_id=parent) | Q(agency_id=parent)
    # Expected: the agencies in use, and any that has a report of the year (a merged-away one that still reported).
    reported = Report.objects.filter(agency=OuterRef("pk"), year=year)
    agencies = agencies_visible_to(user, Agency.objects.filter(Q(is_active=True) | Q(Exists(reported))))
    if kinds:
        agencies = agencies.filter(kind__in=kinds)
    if parent:
        agencies = agencies.filter(Q(parent_id=parent) | Q(pk=parent))
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    ov = overview_build(
        year=year,
        agencies=agencies,
        reports=visible.filter(of_kind, year=year),
        figure_reports=filterset.qs.filter(year=year),
        previous_reports=visible.filter(of_kind, year=year - 1),
        row_statuses=statuses,
        page=page,
        # The reports of exactly these agencies: the same user scope (access.py), kinds and parent; an agency of
        # the year's report is expected (Exists above) whether or not it is still in use.
        reports_match_agencies=True,
    )
    change_url = reverse("admin:reports_report_change", args=[0]).replace("/0/", "/{}/")
    add_url = reverse("admin:reports_report_add")
    report_statuses = [s for s in sorted(statuses) if s != MISSING]
    filters = [("year", year), *(("kind", k) for k in kinds), *(("status", s) for s in report_statuses)]
    if parent:
        filters.append(("parent", parent))
    query = urlencode(filters)
    # The matrix's own filters (未建立 included), for its page links and the group links.
    matrix_filters = [
        ("year", year), *(("kind", k) for k in kinds), *(("status", s) for s in sorted(statuses))
    ]  # fmt: skip
    if parent:
        matrix_filters.append(("parent", parent))
    parent_name = Agency.objects.filter(pk=parent).values_list("name", flat=True).first() if parent else ""
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
        "page_links": _page_links(ov, matrix_filters),
        "by_kind": [(g, "?" + urlencode([("year", year), *g.query.items()])) for g in ov.by_kind],
        "by_parent": [
            (g, "?" + urlencode([("year", year), *g.query.items()]) if g.query else "") for g in ov.by_parent
        ],
        "parent": parent,
        "parent_name": parent_name,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/reports/overview.html", context)
