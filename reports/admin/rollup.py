"""The 区划汇总 page: the roll-up of one node of the region tree for one year (reports/rollup.py), with a
drill-down to the child regions and to their reports, and the node's workbook to download.

Every query is scoped by the reader (access.scoped_agencies): a county reviewer opens their county and what is
beneath it; any other node is a 404.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, NodeStaff
from reports.access import agencies_visible_to, reports_visible_to, scoped_agencies
from reports.exports.rollup import reports_of_branch, write_rollup
from reports.models import Report
from reports.overview import KEY_FIGURES
from reports.rollup import rollup_build

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _figure(sums: dict, keys: tuple[str, ...]):
    values = [sums[k] for k in keys if sums.get(k) is not None]
    return sum(values) if values else None


def _year(request, user) -> tuple[int, list[int]]:
    years = sorted(
        reports_visible_to(user, Report.objects.all()).order_by().values_list("year", flat=True).distinct(),
        reverse=True,
    )
    default = years[0] if years else timezone.localdate().year - 1
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2008 <= int(raw) <= 2100 else default
    return year, sorted(set(years) | {year}, reverse=True)


def _roots(user):
    """The nodes a reader starts from: their posts, else the tops of the tree they see."""
    visible = agencies_visible_to(user, Agency.objects.all())
    posts = list(visible.filter(staff__user=user).distinct().order_by("path"))
    if posts:
        return posts
    tops = visible.filter(children__isnull=False).distinct().order_by("path")
    shallowest = tops.values_list("depth", flat=True).first()
    return list(tops.filter(depth=shallowest)) if shallowest is not None else []


def rollup_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    user = request.user
    year, years = _year(request, user)
    visible = agencies_visible_to(user, Agency.objects.all())
    raw = request.GET.get("node", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        node = get_object_or_404(visible, pk=int(raw))
    else:
        roots = _roots(user)
        if len(roots) != 1:
            return _chooser(model_admin, request, roots, year, years)
        node = roots[0]
    scope = scoped_agencies(user)
    ru = rollup_build(node, year, scope=scope)
    here = reverse("admin:reports_report_rollup")
    change_url = reverse("admin:reports_report_change", args=[0]).replace("/0/", "/{}/")
    visible_ids = set(visible.filter(pk__in=[int(p) for p in node.path.split(".") if p]).values_list("pk", flat=True))
    crumbs = [a for a in node.ancestors() if a.pk in visible_ids]
    rows = []
    for b in ru.branches:
        rows.append(
            {
                "b": b,
                "url": f"{here}?{urlencode({'node': b.agency_id, 'year': year})}" if b.has_children else "",
                "report_url": change_url.format(b.own_report_id) if b.own_report_id else "",
                "figures": [_figure(b.sums, keys) for _, _, keys in KEY_FIGURES],
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"{node.name} {year} 年度区划汇总",
        "ru": ru,
        "rows": rows,
        "figure_labels": [label for _, label, _ in KEY_FIGURES],
        "kinds": [(k, [_figure(k.sums, keys) for _, _, keys in KEY_FIGURES]) for k in ru.by_kind],
        "total_figures": [_figure(ru.total, keys) for _, _, keys in KEY_FIGURES],
        "crumbs": [(a, f"{here}?{urlencode({'node': a.pk, 'year': year})}") for a in crumbs],
        "own_url": change_url.format(ru.own_report.pk) if ru.own_report else "",
        "years": years,
        "year": year,
        "workbook_url": reverse("admin:reports_report_rollup_workbook")
        + f"?{urlencode({'node': node.pk, 'year': year})}",
        "overview_url": reverse("admin:reports_report_overview") + f"?year={year}",
        "posts": NodeStaff.objects.filter(user=user).select_related("node"),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/reports/rollup.html", context)


def _chooser(model_admin, request, roots, year, years):
    here = reverse("admin:reports_report_rollup")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"{year} 年度区划汇总",
        "choices": [(a, f"{here}?{urlencode({'node': a.pk, 'year': year})}") for a in roots],
        "years": years,
        "year": year,
        "ru": None,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/reports/rollup.html", context)


def rollup_workbook_view(model_admin, request):
    if not (model_admin.has_view_permission(request) and model_admin.has_export_permission(request)):
        raise PermissionDenied
    user = request.user
    raw = request.GET.get("node", "")
    if not raw.isdigit():
        raise Http404
    node = get_object_or_404(agencies_visible_to(user, Agency.objects.all()), pk=int(raw))
    year, _ = _year(request, user)
    scope = scoped_agencies(user)
    ru = rollup_build(node, year, scope=scope)
    buffer = io.BytesIO()
    write_rollup(
        ru,
        target=buffer,
        reports_of=lambda branch: reports_of_branch(branch, year, scope=scope),
        exported_at=timezone.localtime(),
        exported_by=user.get_username(),
    )
    buffer.seek(0)
    name = f"{node.short_name or node.name}{year}年度区划汇总.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=XLSX)
