"""A reviewer checks and corrects a batch of 30 reports without touching the mouse for the numbers: from the
filtered changelist, each report is checked (Alt+E jumps to a cell with a problem), corrected with the keyboard,
saved (Ctrl+S) and approved with 通过并打开下一份 (Alt+Shift+G)."""

import pytest

from agencies.models import Agency
from reports import canonical, services
from reports.models import Report
from reports.selectors import report_values
from tests.browser.conftest import login, needs_chromium
from tests.exports.conftest import sample_values, with_applications
from tests.factories import AgencyFactory, make_report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BATCH = 30
TOTAL = canonical.t3("new_received", "total")


@pytest.fixture
def batch():
    wrong = {}
    for n in range(BATCH):
        agency = AgencyFactory(name=f"示例县第{n:02d}乡人民政府", kind=Agency.Kind.TOWNSHIP)
        report = make_report(agency=agency, year=2023, status=Report.Status.SUBMITTED)
        values = with_applications(sample_values(n % 3), n % 4)
        if n % 3 == 0:  # every third report prints a wrong row total (R2)
            wrong[report.pk] = values[TOTAL]
            values[TOTAL] += 3
        services.report_set_values(report=report, values=values)
    return wrong


def wait_for_report(page, n):
    page.wait_for_function(
        f"(document.getElementById('nb-queue') || {{innerText: ''}}).innerText.includes('第 {n} / {BATCH}')"
    )


def test_a_batch_of_thirty_reports_is_checked_and_corrected_from_the_keyboard(live_server, browser_page, batch):
    page = browser_page
    login(page, live_server)
    page.goto(f"{live_server.url}/admin/reports/report/?status__exact=submitted&year=2023&o=1")
    page.locator("#result_list tbody th a").first.click()  # the one click: open the first report of the list
    for n in range(1, BATCH + 1):
        wait_for_report(page, n)
        page.wait_for_function("window.NianbaoGrid !== undefined")
        report_id = int(page.url.split("/")[-3])
        page.keyboard.press("Alt+e")
        if report_id in batch:
            # the first cell of the failing row: walk right to its 总计 and type the sum of the row
            assert page.evaluate("document.activeElement.closest('td').dataset.key").startswith(
                "applications.new_received."
            )
            for _ in range(8):
                page.keyboard.press("ArrowRight")
            assert page.evaluate("document.activeElement.closest('td').dataset.key") == TOTAL
            page.keyboard.type(str(batch[report_id]))
            assert page.locator("td.nb-live-error").count() == 0
            with page.expect_navigation():
                page.keyboard.press("Control+s")
            wait_for_report(page, n)
        else:
            assert page.locator("td.nb-live-error").count() == 0
        with page.expect_navigation():
            page.keyboard.press("Alt+Shift+G" if n < BATCH else "Alt+g")
    assert Report.objects.filter(status=Report.Status.APPROVED).count() == BATCH
    for report_id, total in batch.items():
        assert report_values(Report.objects.get(pk=report_id))[TOTAL] == total
