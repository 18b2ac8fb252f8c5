"""The source beside the numbers, in a real browser: the panel follows the cell the reviewer moves to — on a PDF
the page is shown with the cell's box outlined, on an HTML report the table as read with the cell highlighted."""

import pytest

from reports import canonical
from tests.browser.conftest import login, needs_chromium
from tests.factories import import_file

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

t3 = canonical.t3


def open_panel(page, live_server, report):
    login(page, live_server)
    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/change/")
    page.wait_for_function("window.NianbaoSourcePanel !== undefined")
    page.keyboard.press("Alt+o")
    page.wait_for_selector("#nb-source-panel:not([hidden])")


def go(page, key):
    page.locator(f'td[data-key="{key}"] input.nb-cell').focus()


def test_the_panel_follows_the_cell_on_a_pdf(live_server, browser_page):
    page = browser_page
    report = import_file("corpus/real/001_huaian_hongze_qu_2023.pdf").report
    open_panel(page, live_server, report)
    box = page.locator("#nb-src-box")

    go(page, t3("new_received", "natural_person"))
    page.wait_for_selector(f'#nb-src-box[data-key="{t3("new_received", "natural_person")}"]')
    assert page.get_attribute("#nb-src-body", "data-page") == "3"
    page.wait_for_function("document.getElementById('nb-src-img').naturalWidth > 0")
    assert "“21”" in page.inner_text("#nb-src-where")
    first = box.bounding_box()
    assert first["width"] > 5 and first["height"] > 5

    page.keyboard.press("ArrowDown")  # 上年结转, the row below: the box moves down
    page.wait_for_selector(f'#nb-src-box[data-key="{t3("carried_over", "natural_person")}"]')
    below = box.bounding_box()
    assert below["y"] > first["y"] + 3 and abs(below["x"] - first["x"]) < 3

    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f'#nb-src-box[data-key="{t3("carried_over", "commercial")}"]')
    assert box.bounding_box()["x"] > below["x"] + 3

    go(page, "active_disclosure.regulations.issued")  # 表二 is on another page
    page.wait_for_selector('#nb-src-box[data-key="active_disclosure.regulations.issued"]')
    assert page.get_attribute("#nb-src-body", "data-page") == "2"


def test_the_panel_follows_the_cell_on_an_html_report(live_server, browser_page):
    page = browser_page
    report = import_file("corpus/generated/r01_html.html").report
    open_panel(page, live_server, report)
    key = "review_litigation.review.total"
    go(page, key)
    hit = page.locator(".nb-src-hit")
    page.wait_for_selector(f'.nb-src-hit[data-key="{key}"]')
    value = page.locator(f'td[data-key="{key}"] input.nb-cell').input_value()
    assert hit.inner_text().strip() == value
    page.keyboard.press("ArrowLeft")
    left = "review_litigation.review.pending"
    page.wait_for_selector(f'.nb-src-hit[data-key="{left}"]')
    assert page.locator(".nb-src-hit").count() == 1
    assert hit.inner_text().strip() == page.locator(f'td[data-key="{left}"] input.nb-cell').input_value()
    # the panel stays open on the next report page, and Alt+O closes it
    page.reload()
    page.wait_for_selector("#nb-source-panel:not([hidden])")
    page.keyboard.press("Alt+o")
    page.wait_for_selector("#nb-source-panel", state="hidden")
