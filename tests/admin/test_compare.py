"""对比上年 on the report page: last year's values come with the page (for the cells), and when R22 finds 五 copied
from last year the two texts are shown side by side with the shared sentences marked."""

import json
import re

import pytest
from django.urls import reverse

from reports import canonical, services
from reports.models import Report
from reports.roles import FILER
from tests.admin.test_access import login_as
from tests.factories import AgencyFactory, make_report

pytestmark = pytest.mark.django_db

PROBLEMS = (
    "一是政策解读形式不够丰富，群众获取信息的渠道仍需拓展。二是基层政务公开标准化规范化水平有待提高。"
    "下一步，我们将丰富解读形式，推动基层政务公开标准化规范化建设，加强业务培训，全面提升政务公开工作队伍水平。"
)


def grid_data(html):
    return json.loads(re.search(r'<script id="nb-grid-data" type="application/json">(.*?)</script>', html, re.S)[1])


def test_last_years_values_and_the_copied_texts(admin_client):
    agency = AgencyFactory()
    before = make_report(agency=agency, year=2022, problems=PROBLEMS.replace("2023", "2022"))
    now = make_report(agency=agency, year=2023, problems=PROBLEMS + "另有2023年整改。")
    key = canonical.t3("new_received", "total")
    services.report_set_values(report=before, values={key: 4})
    services.report_set_values(report=now, values={key: 9})
    assert any(not i.keys for i in Report.objects.get(pk=now.pk).issues.filter(rule="R22"))
    html = admin_client.get(reverse("admin:reports_report_change", args=[now.pk])).content.decode()
    data = grid_data(html)
    assert data["previous"]["year"] == 2022 and data["previous"]["values"][key] == 4
    assert 'id="nb-r22"' in html
    panel = html[html.index('id="nb-r22"') :]
    assert panel.count('class="nb-same"') >= 4  # the shared sentences, in both columns
    assert '<span class="">另有2023年整改。</span>' in panel  # only this year has it


def test_last_year_is_not_shown_to_who_cannot_see_it(client):
    agency = AgencyFactory()
    make_report(agency=agency, year=2022)
    now = make_report(agency=agency, year=2023)
    login_as(client, FILER, "filer", agency)
    assert grid_data(client.get(reverse("admin:reports_report_change", args=[now.pk])).content.decode())["previous"]
    other = AgencyFactory()
    theirs_before = make_report(agency=other, year=2022)
    assert theirs_before.pk  # another agency's 2022 report is never offered for this agency's page
    assert grid_data(client.get(reverse("admin:reports_report_change", args=[now.pk])).content.decode())["previous"][
        "url"
    ].endswith(f"/{Report.objects.get(agency=agency, year=2022).pk}/change/")
