"""The 区划汇总 page: from the city to a township's report in two clicks, the approved-only note, the workbook."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Report
from tests.factories import make_user
from tests.tree import YEAR, build_tree

pytestmark = pytest.mark.django_db


def links(html: str, cls: str) -> list[str]:
    return [u.replace("&amp;", "&") for u in re.findall(rf'href="([^"]+)" class="{cls}"', html)]


def test_drill_down_from_the_city_to_a_township_report_in_two_clicks(client):
    tree = build_tree()
    boss = make_user("boss", role="管理员", is_superuser=True)
    client.force_login(boss)
    overview = client.get(reverse("admin:reports_report_overview"), {"year": YEAR}).content.decode()
    start = re.search(r'href="([^"]+)" class="button" id="nb-rollup-link"', overview).group(1).replace("&amp;", "&")
    city_page = client.get(start)
    assert city_page.context["ru"].node == tree["city"]
    html = city_page.content.decode()
    assert "只计入已通过审核的年报" in html
    county_url = next(u for u in links(html, "nb-drill") if f"node={tree['counties'][0].pk}" in u)  # click 1
    county_html = client.get(county_url).content.decode()
    report_urls = links(county_html, "nb-report")
    assert report_urls
    page = client.get(report_urls[0])  # click 2: a township's (or department's) report
    assert page.status_code == 200
    report = page.context["original"]
    assert isinstance(report, Report) and report.agency.parent == tree["counties"][0]


def test_the_workbook_of_a_node_downloads(client):
    tree = build_tree()
    client.force_login(make_user("boss", role="管理员", is_superuser=True))
    response = client.get(reverse("admin:reports_report_rollup_workbook"), {"node": tree["city"].pk, "year": YEAR})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames[0] == "区划汇总" and "甲县" in wb.sheetnames
