"""The review queue in a real browser: from a filtered changelist, 下一份 / 上一份 (Alt+N / Alt+P) walk exactly the
filtered reports in the list's order, and the workflow steps have keys (Alt+K 开始审核, Alt+Shift+G 通过并下一份)."""

import pytest

from agencies.models import Agency
from reports import services
from reports.models import Report
from tests.browser.conftest import login, needs_chromium
from tests.exports.conftest import sample_values, with_applications
from tests.factories import AgencyFactory, make_report

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def county():
    reports = {}
    for n, (name, kind) in enumerate(
        [("甲乡", Agency.Kind.TOWNSHIP), ("乙镇", Agency.Kind.TOWNSHIP), ("县财政局", Agency.Kind.DEPARTMENT),
         ("丙乡", Agency.Kind.TOWNSHIP)]
    ):  # fmt: skip
        agency = AgencyFactory(name=f"示例县{name}", short_name=name, kind=kind)
        report = make_report(agency=agency, year=2023, status=Report.Status.SUBMITTED)
        services.report_set_values(report=report, values=with_applications(sample_values(n % 3), n))
        reports[name] = report
    return reports


def queue_text(page):
    return page.inner_text("#nb-queue")


def wait_for_place(page, place):
    page.wait_for_function(f"(document.getElementById('nb-queue') || {{innerText: ''}}).innerText.includes('{place}')")


def test_next_walks_a_filtered_list(live_server, browser_page, county):
    page = browser_page
    login(page, live_server)
    page.goto(f"{live_server.url}/admin/reports/report/?agency__kind__exact=township&o=1")
    names = page.locator("#result_list tbody th a").all_inner_texts()
    assert len(names) == 3 and "示例县县财政局" not in names
    page.locator("#result_list tbody th a").first.click()
    page.wait_for_selector("#nb-queue")
    seen = [Report.objects.get(pk=int(page.url.split("/")[-3])).agency.name]
    assert "第 1 / 3 份" in queue_text(page).replace("\n", " ")
    for n in (2, 3):
        page.keyboard.press("Alt+n")
        wait_for_place(page, f"第 {n} / 3")
        seen.append(Report.objects.get(pk=int(page.url.split("/")[-3])).agency.name)
    assert seen == names  # the changelist's order, the department never visited
    assert "已是最后一份" in queue_text(page)
    page.keyboard.press("Alt+p")
    wait_for_place(page, "第 2 / 3")

    # keys for the workflow: 开始审核 keeps the place in the queue; 通过并打开下一份 moves on
    current = int(page.url.split("/")[-3])
    with page.expect_navigation():
        page.keyboard.press("Alt+k")
    assert Report.objects.get(pk=current).status == Report.Status.REVIEWING
    assert "第 2 / 3" in queue_text(page)
    page.keyboard.press("Alt+Shift+G")
    wait_for_place(page, "第 3 / 3")
    assert Report.objects.get(pk=current).status == Report.Status.APPROVED
