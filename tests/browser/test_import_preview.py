"""The import preview in a real browser: 确认导入 cannot be used while a ticked file has no agency; the picker finds
an agency by its pinyin initials; choosing one settles the file and the import goes through."""

import pytest

from agencies.models import Agency
from reports.models import Report
from tests.browser.conftest import login, needs_chromium
from tests.factories import FIXTURES, AgencyFactory

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_preview_cannot_confirm_an_unresolved_file(live_server, browser_page):
    page = browser_page
    AgencyFactory(name="二塘乡人民政府", short_name="二塘乡", kind=Agency.Kind.TOWNSHIP)
    AgencyFactory(name="三合乡人民政府", short_name="三合乡", kind=Agency.Kind.TOWNSHIP)
    login(page, live_server)
    page.goto(f"{live_server.url}/admin/reports/report/import/")
    page.set_input_files('input[type="file"]', [str(FIXTURES / "samples/002_cff4ace8f11033c3.txt")])
    page.click('input[type="submit"]')
    page.wait_for_selector("#nb-confirm")
    # the file names 卫辉市上乐村镇人民政府, which is no agency here: ticked, unresolved, nothing preselected
    assert page.locator(".nb-include").first.is_checked()
    assert page.locator("select.nb-agency").first.input_value() == ""
    assert page.locator("#nb-confirm").is_disabled()
    assert "未确定机关" in page.inner_text("#nb-confirm-why")
    page.locator("#nb-confirm").click(force=True)  # even forced, nothing is posted
    assert Report.objects.count() == 0

    page.locator(".nb-agency-search").first.fill("etx")  # 二塘乡 by its pinyin initials
    assert page.locator("select.nb-agency").first.evaluate("s => s.options[s.selectedIndex].text") == "二塘乡人民政府"
    assert page.locator("#nb-confirm").is_enabled()
    page.locator("select.nb-agency").first.select_option(label="新建机关…（明确选择后才会新建）")
    page.locator('input[name="new_name_0"]').fill("")
    assert page.locator("#nb-confirm").is_disabled()  # a new agency needs its name
    page.locator(".nb-agency-search").first.fill("erta")
    assert page.locator("#nb-confirm").is_enabled()
    with page.expect_navigation():
        page.click("#nb-confirm")
    report = Report.objects.get()
    assert report.agency.name == "二塘乡人民政府"
    assert report.issues.filter(rule="R26").exists()  # the file names another agency: flagged on the report
