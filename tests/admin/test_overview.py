"""The overview page (总览): who is missing, who is wrong, the county's key figures against last year, filters,
charts, and a number of queries that does not grow with the number of agencies."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db.models import Q
from django.urls import reverse

from agencies.models import Agency
from reports import canonical, services
from reports.choices import ReportStatus
from reports.models import Report
from reports.overview import overview_build
from reports.selectors import report_values
from reports.submission import STATUS_CHOICES
from tests.exports import conftest as shared
from tests.factories import AgencyFactory, UserFactory, make_report

# The small county of the export tests (built once for this module).
county_ids, county = shared.county_ids, shared.county

URL = "admin:reports_report_overview"
NR = canonical.t3("new_received", "total")


def page(client, **params):
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    return response, response.content.decode()


def matrix(html: str) -> dict[str, str]:
    """Agency id → status of each row of the submission matrix."""
    return dict(re.findall(r'<tr class="nb-ov-row[^"]*" data-agency="(\d+)" data-status="(\w+)">', html))


def test_counts_by_status_and_who_is_missing(admin_client, county):
    response, html = page(admin_client, year=2023)
    ov = response.context["ov"]
    counts = {key: n for key, _, n in ov.status_counts}
    assert counts == {"missing": 1, "draft": 3, "submitted": 0, "reviewing": 0, "returned": 0, "approved": 0}
    assert {r.agency_name for r in ov.missing} == {a.name for a in county["agencies"]}
    rows = matrix(html)
    assert len(rows) == 4 and rows[str(county["agencies"][3].pk)] == "missing"
    assert '<div class="nb-ov-card-value" id="nb-count-missing">4</div>' in html


def test_who_is_wrong(admin_client, county):
    report = county["reports"]["乙镇"]
    values = report_values(report)
    services.report_set_values(report=report, values={NR: values[NR] + 3})  # R2: the row no longer adds up
    report.refresh_from_db()
    assert report.error_count > 0
    response, html = page(admin_client, year=2023)
    ov = response.context["ov"]
    assert [r.agency_name for r in ov.wrong] == [report.agency.name]
    assert ov.error_total == sum(r.error_count for r in Report.objects.filter(year=2023))
    assert ov.with_errors == 1
    assert '<span id="nb-with-errors">1</span>' in html
    assert reverse("admin:reports_report_change", args=[report.pk]) in html


def test_overdue_is_marked_against_the_deadline_setting(county, settings):
    settings.NIANBAO_DEADLINE_MONTH, settings.NIANBAO_DEADLINE_DAY = 3, 15
    args = dict(
        year=2023,
        agencies=Agency.objects.all(),
        reports=Report.objects.filter(year=2023),
        figure_reports=Report.objects.filter(year=2023),
        previous_reports=Report.objects.filter(year=2022),
    )
    before = overview_build(today=date(2024, 3, 15), **args)
    assert before.deadline == date(2024, 3, 15) and not before.overdue
    assert {r.timing_text for r in before.missing} == {"距期限 0 天"}
    after = overview_build(today=date(2024, 3, 16), **args)
    assert len(after.overdue) == 4 and {r.timing_text for r in after.overdue} == {"已逾期 1 天"}
    Report.objects.filter(pk=county["reports"]["甲乡"].pk).update(status=ReportStatus.SUBMITTED)
    after = overview_build(today=date(2024, 3, 16), **args)
    assert "示例县甲乡人民政府" not in {r.agency_name for r in after.overdue}


def test_overdue_rows_are_highlighted(admin_client, county, settings):
    settings.NIANBAO_DEADLINE_MONTH, settings.NIANBAO_DEADLINE_DAY = 1, 31
    _, html = page(admin_client, year=2023)  # 2024-01-31 has passed
    assert html.count('class="nb-ov-row nb-overdue') == 4


def test_key_figures_and_change_from_last_year(admin_client, county):
    response, html = page(admin_client, year=2023)
    ov = response.context["ov"]
    received = ov.figures[0]
    assert received.label == "本年新收申请"
    assert received.current == sum(report_values(r)[NR] for r in Report.objects.filter(year=2023)) == 15
    assert received.previous == report_values(county["reports"]["old"])[NR]
    assert received.change == received.current - received.previous
    review = next(f for f in ov.figures if f.label == "行政复议")
    assert review.current == 1 + 2 + 3
    granted = next(f for f in ov.outcomes if f.label == "予以公开")
    assert granted.current == sum(
        report_values(r)[canonical.t3("granted", "total")] for r in Report.objects.filter(year=2023)
    )
    assert "本年新收申请" in html and '<svg xmlns="http://www.w3.org/2000/svg" class="nb-chart"' in html
    assert 'aria-label="申请办理结果（总计列）"' in html and 'aria-label="各机关报送状态"' in html


def test_blank_cells_are_counted_not_taken_for_zero(admin_client, county):
    services.report_set_values(report=county["reports"]["乙镇"], values={NR: None})
    response, html = page(admin_client, year=2023)
    received = response.context["ov"].figures[0]
    assert received.current == 15 - 5 and received.blank == 1
    assert "（1 空白）" in html


def test_changed_most_and_not_at_all(admin_client, county):
    old = county["reports"]["old"]
    ding = make_report(agency=county["agencies"][3], year=2022)
    services.report_set_values(report=ding, values={NR: 1, canonical.t3("new_received", "natural_person"): 1})
    new = make_report(agency=county["agencies"][3], year=2023)
    services.report_set_values(report=new, values=report_values(ding))
    response, html = page(admin_client, year=2023)
    ov = response.context["ov"]
    assert [name for name, _, _ in ov.unchanged] == ["示例县丙乡人民政府"]
    changed = {c.agency_name: c for c in ov.changed}
    assert "示例县甲乡人民政府" in changed and "示例县丙乡人民政府" not in changed
    details = dict((label, (a, b)) for label, a, b in changed["示例县甲乡人民政府"].details)
    assert details["本年新收申请"] == (report_values(old)[NR], 4)
    assert "数字与上年完全相同（1）" in html


def test_filters_by_kind_and_status(admin_client, county):
    _, html = page(admin_client, year=2023, kind="department")
    assert list(matrix(html)) == [str(county["agencies"][2].pk)]
    response, html = page(admin_client, year=2023, status="missing")
    assert list(matrix(html).values()) == ["missing"]
    assert response.context["ov"].reports == 0  # no report is 未建立: no figures
    _, html = page(admin_client, year=2022)
    assert "2022 年度总览" in html and len(matrix(html)) == 4


def test_bad_filter_falls_back_to_the_default_year(admin_client, county):
    response = admin_client.get(reverse(URL), {"year": "abc"}, follow=True)
    assert response.status_code == 200
    assert "2023 年度总览" in response.content.decode()
    assert "筛选条件无效" in response.content.decode()


def test_filer_sees_only_own_agency(client, county):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="填报员"))
    county["agencies"][1].members.add(user)
    client.force_login(user)
    response, html = page(client, year=2023)
    assert list(matrix(html)) == [str(county["agencies"][1].pk)]
    assert response.context["ov"].figures[0].current == 5


def test_linked_from_index_and_changelist(admin_client, county):
    url = reverse(URL)
    assert url in admin_client.get(reverse("admin:index")).content.decode()
    assert url in admin_client.get(reverse("admin:reports_report_changelist")).content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and "/login/" in response["Location"]


def _county_of(size: int) -> None:
    agencies = AgencyFactory.create_batch(size, kind=Agency.Kind.TOWNSHIP)
    for i, agency in enumerate(agencies):
        if i % 3:
            make_report(agency=agency, year=2023, status=ReportStatus.SUBMITTED if i % 2 else ReportStatus.DRAFT)
        if i % 4:
            make_report(agency=agency, year=2022)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [6, 60])
def test_query_count_does_not_grow_with_agencies(admin_client, django_assert_max_num_queries, size):
    existing = Agency.objects.count()
    _county_of(size)
    admin_client.get(reverse(URL), {"year": 2023})  # warm the session and content types
    # A fixed number whatever the size: the page's aggregates, one page of the matrix, the capped lists, the groups
    # and one statement for the comparisons with last year (on PostgreSQL in a transaction without JIT: +3).
    with django_assert_max_num_queries(24):
        response = admin_client.get(reverse(URL), {"year": 2023})
    assert len(response.context["ov"].rows) == existing + size


# --- a province: the matrix a page at a time, groups by kind and parent, capped lists with full counts -------------


def _region(name: str, size: int, *, reported: int) -> Agency:
    """A county government with `size` agencies under it; the first `reported` have a 2023 report (submitted)."""
    head = AgencyFactory(name=f"{name}人民政府", kind=Agency.Kind.COUNTY_GOVERNMENT)
    for i, agency in enumerate(AgencyFactory.create_batch(size, parent=head)):
        if i < reported:
            make_report(agency=agency, year=2023, status=ReportStatus.SUBMITTED)
    return head


@pytest.mark.django_db
def test_matrix_pages_and_groups_by_parent():
    north = _region("北县", 5, reported=2)
    south = _region("南县", 3, reported=3)
    heads = [north.pk, south.pk]
    mine = Agency.objects.filter(Q(parent__in=heads) | Q(pk__in=heads))
    ours = Report.objects.filter(agency__in=mine)
    args = dict(
        year=2023,
        agencies=mine,
        reports=ours.filter(year=2023),
        figure_reports=ours.filter(year=2023),
        previous_reports=ours.filter(year=2022),
    )
    ov = overview_build(page_size=4, page=2, **args)
    assert (ov.row_count, ov.pages, ov.page) == (10, 3, 2)
    everyone = mine.order_by("kind", "name").values_list("pk", flat=True)
    assert [r.agency_id for r in ov.rows] == list(everyone[4:8])
    assert overview_build(page_size=4, page=99, **args).page == 3  # past the end: the last page
    counts = {key: n for key, _, n in ov.status_counts}
    assert counts["submitted"] == 5 and counts["missing"] == 5 and ov.missing_count == 5
    groups = {g.label: g for g in ov.by_parent}
    assert set(groups) == {north.name, south.name}
    north_counts = dict(zip([k for k, _ in STATUS_CHOICES], groups[north.name].counts, strict=True))
    assert groups[north.name].agencies == 6 and north_counts["submitted"] == 2 and north_counts["missing"] == 4
    assert groups[south.name].submitted == 3 and groups[south.name].query == {"parent": south.pk}
    kinds = {g.label: g.agencies for g in ov.by_kind}
    assert kinds == {"乡镇/街道": 8, "县政府": 2}


@pytest.mark.django_db
def test_lists_are_capped_but_counted(monkeypatch):
    from reports import overview

    head = _region("北县", 6, reported=0)
    monkeypatch.setattr(overview, "LIST_LIMIT", 3)
    ov = overview_build(
        year=2023,
        agencies=Agency.objects.filter(Q(parent=head) | Q(pk=head.pk)),
        reports=Report.objects.filter(year=2023),
        figure_reports=Report.objects.filter(year=2023),
        previous_reports=Report.objects.filter(year=2022),
        today=date(2024, 6, 1),
    )
    assert ov.missing_count == 7 and len(ov.missing) == 3 and ov.overdue_count == 7


def test_parent_filter_shows_one_region(admin_client):
    north = _region("北县", 3, reported=1)
    _region("南县", 2, reported=2)
    response, html = page(admin_client, year=2023, parent=north.pk)
    ov = response.context["ov"]
    assert set(matrix(html)) == {str(a.pk) for a in Agency.objects.filter(Q(parent=north) | Q(pk=north.pk))}
    assert ov.reports == 1 and "上级机关：北县人民政府" in html
    _, html = page(admin_client, year=2023)
    assert 'id="nb-groups"' in html and f"parent={north.pk}" in html


def test_matrix_page_links(admin_client, monkeypatch):
    from reports import overview

    head = _region("北县", 5, reported=1)
    monkeypatch.setattr(overview, "PAGE_SIZE", 2)
    response, html = page(admin_client, year=2023, parent=head.pk, page=2)
    assert response.context["ov"].page == 2 and len(matrix(html)) == 2
    assert "第 2/3 页" in html and "page=3" in html
