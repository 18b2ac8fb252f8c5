"""People work at a node of the region tree: a county reviewer sees and reviews their county and what lies beneath
it, nothing of the other county — on every admin URL — and a city post without reviews_below reads below but
reviews only the counties' own reports."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, AgencyKind, NodeStaff
from reports import services
from reports.access import agencies_visible_to, reports_visible_to
from reports.choices import ReportStatus
from reports.models import Report
from reports.roles import FILER, REVIEWER
from tests.admin.test_access_walk import admin_patterns, fill, snapshot, world  # noqa: F401  (fixture)
from tests.factories import make_user
from tests.tree import YEAR, build_tree

pytestmark = pytest.mark.django_db


def _post(user, node, reviews_below=True):
    NodeStaff.objects.create(user=user, node=node, reviews_below=reviews_below)
    return user


def test_a_county_reviewer_sees_only_their_county(client):
    tree = build_tree()
    mine, theirs = tree["counties"]
    reviewer = _post(make_user("jia_reviewer", role=REVIEWER), mine)
    seen = set(reports_visible_to(reviewer).values_list("agency__name", flat=True))
    expected = set(
        Report.objects.filter(agency__in=[mine, *Agency.objects.filter(parent=mine)]).values_list(
            "agency__name", flat=True
        )
    )
    assert seen == expected and seen
    assert not agencies_visible_to(reviewer).filter(pk__in=[theirs.pk, tree["city"].pk]).exists()
    client.force_login(reviewer)
    changelist = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert mine.name in changelist and theirs.name not in changelist
    other = Report.objects.filter(agency__parent=theirs).first()
    assert client.get(reverse("admin:reports_report_change", args=[other.pk])).status_code in (302, 404)
    # the roll-up page opens at their county; the city is out of reach
    page = client.get(reverse("admin:reports_report_rollup"), {"year": YEAR})
    assert page.status_code == 200 and page.context["ru"].node == mine
    assert theirs.name not in page.content.decode() and tree["city"].name not in page.content.decode()
    assert client.get(reverse("admin:reports_report_rollup"), {"node": tree["city"].pk}).status_code == 404
    assert client.get(reverse("admin:reports_report_rollup_workbook"), {"node": theirs.pk}).status_code == 404
    overview = client.get(reverse("admin:reports_report_overview"), {"year": YEAR}).content.decode()
    assert theirs.name not in overview
    # they review a township of their county, not one of the other
    township = (
        Report.objects.filter(agency__parent=mine, status=ReportStatus.SUBMITTED).first()
        or Report.objects.filter(agency__parent=mine).exclude(status=ReportStatus.APPROVED).first()
    )
    if township.status != ReportStatus.SUBMITTED:
        township = services.report_transition(report=township, action="submit") if township.status in (
            "draft", "returned") else township  # fmt: skip
    services.report_transition(report=township, action="return", reason="请更正", user=reviewer)
    target = Report.objects.filter(agency__parent=theirs).exclude(status=ReportStatus.APPROVED).first()
    with pytest.raises(PermissionDenied):
        services.report_transition(report=target, action="return", reason="越权", user=reviewer)


def test_a_city_post_without_reviews_below_reads_the_townships_and_reviews_the_counties():
    tree = build_tree()
    city = tree["city"]
    officer = _post(make_user("city_officer", role=REVIEWER), city, reviews_below=False)
    assert reports_visible_to(officer).count() == Report.objects.filter(agency__path__startswith=city.path).count()
    county_report = Report.objects.get(agency=tree["counties"][0], year=YEAR)
    township = Report.objects.filter(agency__parent=tree["counties"][0]).exclude(status=ReportStatus.APPROVED).first()
    if township.status in ("draft", "returned"):
        township = services.report_transition(report=township, action="submit")
    with pytest.raises(PermissionDenied, match="只能查看"):
        services.report_transition(report=township, action="return", reason="越级", user=officer)
    if county_report.status == ReportStatus.APPROVED:
        services.report_transition(report=county_report, action="reopen", reason="复核", user=None)
        county_report.refresh_from_db()
    if county_report.status in ("draft", "returned"):
        county_report = services.report_transition(report=county_report, action="submit")
    services.report_transition(report=county_report, action="return", reason="请补充", user=officer)
    # the admin shows the township's report read-only to them
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("admin:reports_report_change", args=[township.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    page = client.get(reverse("admin:reports_report_rollup"), {"year": YEAR})
    assert page.context["ru"].node == city and len(page.context["rows"]) == 2


def test_a_filer_gains_nothing_from_a_node_post():
    tree = build_tree()
    town = Agency.objects.filter(parent=tree["counties"][0], kind=AgencyKind.TOWNSHIP).first()
    filer = _post(make_user("town_filer", role=FILER, agency=town), tree["city"])
    assert set(reports_visible_to(filer).values_list("agency_id", flat=True)) <= {town.pk}


def test_a_county_reviewer_walks_every_admin_url_of_the_other_county(client, world):  # noqa: F811
    city = Agency.objects.create(name="走查市人民政府", kind=AgencyKind.CITY_GOVERNMENT)
    mine_county = Agency.objects.create(name="走查甲县人民政府", kind=AgencyKind.COUNTY_GOVERNMENT, parent=city)
    their_county = Agency.objects.create(name="走查乙县人民政府", kind=AgencyKind.COUNTY_GOVERNMENT, parent=city)
    for agency, parent in ((world["mine"].agency, mine_county), (world["theirs"].agency, their_county)):
        agency.parent = parent
        agency.save()
    me = _post(make_user("jia_walker", role=REVIEWER), mine_county)
    client.force_login(me)
    client.raise_request_exception = True
    theirs = world["theirs"]
    secrets = (theirs.agency.name, their_county.name)
    before = snapshot(world)
    walked = 0
    for route, pattern in admin_patterns():
        url = fill(route, pattern, world)
        if url is None or "logout" in url:
            continue
        walked += 1
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404, 405), (url, response.status_code)
        if response.status_code == 200 and "octet" not in response.get("Content-Type", ""):
            body = response.content.decode(errors="replace")
            assert not any(s in body for s in secrets), f"{url} shows the other county"
        for data in ({}, {"nb_action": "approve", "action": "delete_selected", "post": "yes",
                          "_selected_action": [theirs.pk], "include_0": "on", "agency_0": str(theirs.agency_id),
                          "year_0": "2023", "take_all": "1", "title": "改", "year": 2023,
                          "agency": theirs.agency_id, "parent": their_county.pk, "node": their_county.pk,
                          "user": me.pk, "template_version": "2021"}):  # fmt: skip
            response = client.post(url, data)
            assert response.status_code in (200, 302, 400, 403, 404, 405, 409), (url, response.status_code)
            if response.status_code == 200 and "octet" not in response.get("Content-Type", ""):
                body = response.content.decode(errors="replace")
                assert not any(s in body for s in secrets), f"POST {url} shows the other county"
    assert walked > 40
    assert snapshot(world) == before
    assert list(NodeStaff.objects.filter(user=me).values_list("node_id", flat=True)) == [mine_county.pk]
    assert Agency.objects.get(pk=theirs.agency_id).parent_id == their_county.pk
