"""End to end in a real browser (Debian's Chromium driven by Playwright): a reviewer logs in, opens the overview,
opens the report with an error, corrects the cell in the 表三 grid (a workflow button clicked before saving is
stopped with a warning), sees the rule issue go, and downloads both workbooks, which are opened with openpyxl."""

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from agencies.models import Agency
from reports import canonical, services
from reports.models import Report
from reports.selectors import report_values
from tests.browser.conftest import needs_chromium
from tests.exports.conftest import sample_values, with_applications
from tests.exports.official_reader import read_values
from tests.factories import AgencyFactory, UserFactory, make_report

CELL = canonical.t3("new_received", "natural_person")

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    # The live server's database is flushed after the test; restore the migrated roles for whoever runs next.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def wrong_report():
    agency = AgencyFactory(name="示例县丁乡人民政府", short_name="丁乡", kind=Agency.Kind.TOWNSHIP)
    AgencyFactory(name="示例县戊镇人民政府", short_name="戊镇", kind=Agency.Kind.TOWNSHIP)  # has not reported
    report = make_report(agency=agency, year=2023)
    values = with_applications(sample_values(0), 2)
    values[CELL] += 3  # 一、本年新收 no longer adds up across its row: rule R2
    services.report_set_values(report=report, values=values)
    report.refresh_from_db()
    assert report.issues.filter(rule="R2").exists()
    return report


def test_reviewer_corrects_a_cell_and_exports(live_server, browser_page, wrong_report, tmp_path):
    page = browser_page
    reviewer = UserFactory(username="reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="审核员"))

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.click("a.nb-overview-link, #nb-index-overview a")

    # The overview answers "who is missing, who is wrong".
    page.wait_for_selector("#nb-matrix")
    assert "示例县戊镇人民政府" in page.inner_text("#nb-missing")
    wrong = page.locator("#nb-wrong a", has_text="示例县丁乡人民政府")
    assert wrong.count() == 1

    wrong.click()
    page.wait_for_selector("#nb-issues")
    assert page.locator('.nb-issue[data-rule="R2"]').count() >= 1
    cell = page.locator(f'td[data-key="{CELL}"] input')
    correct = report_values(wrong_report)[CELL] - 3
    cell.fill(str(correct))
    # A workflow button posts elsewhere and would drop the typed value: the page stops and says so.
    said = []
    page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.accept()))
    status = Report.objects.get(pk=wrong_report.pk).status
    page.locator(".nb-step").first.click()
    assert said and "未保存" in said[0]
    assert Report.objects.get(pk=wrong_report.pk).status == status
    page.locator('.submit-row input[name="_continue"]').click()
    page.wait_for_load_state()
    page.wait_for_selector("#nb-issues")
    assert page.locator('.nb-issue[data-rule="R2"]').count() == 0
    assert page.locator(f'td[data-key="{CELL}"] input').input_value() == str(correct)

    with page.expect_download() as download:
        page.click("#nb-export-official")
    path = tmp_path / "official.xlsx"
    download.value.save_as(path)
    assert read_values(load_workbook(path).active)[CELL] == correct

    page.goto(f"{live_server.url}/admin/reports/report/overview/?year=2023")
    assert page.locator("#nb-wrong a").count() == 0
    with page.expect_download() as download:
        page.click("#nb-export-summary")
    path = tmp_path / "summary.xlsx"
    download.value.save_as(path)
    ws = load_workbook(path)["汇总"]
    keys = {c.value: c.column for c in ws[2]}
    row = next(r for r in ws.iter_rows(min_row=6) if r[keys["agency"] - 1].value == "示例县丁乡人民政府")
    assert row[keys[CELL] - 1].value == correct
    assert row[keys["error_count"] - 1].value == 0
    assert Report.objects.get(pk=wrong_report.pk).error_count == 0
