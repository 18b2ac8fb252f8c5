"""The report page's grid in a real browser: it moves like a spreadsheet and never changes a number by itself,
pastes blocks copied from Excel/WPS (tab-separated) into the right cells, refuses what is not a number, undoes a
paste, and checks the equation rules as the reviewer types."""

import pytest

from agencies.models import Agency
from reports import canonical, services
from reports.selectors import report_values
from tests.browser.conftest import login, needs_chromium
from tests.exports.conftest import sample_values, with_applications
from tests.factories import AgencyFactory, make_report

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

t3 = canonical.t3
COLUMNS = canonical.TABLE3_COLUMN_KEYS


@pytest.fixture
def report():
    agency = AgencyFactory(name="示例县丁乡人民政府", short_name="丁乡", kind=Agency.Kind.TOWNSHIP)
    report = make_report(agency=agency, year=2023)
    services.report_set_values(report=report, values=with_applications(sample_values(0), 2))
    return report


def open_report(page, live_server, report):
    login(page, live_server)
    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/change/")
    page.wait_for_selector("#nb-grid-data", state="attached")
    page.wait_for_function("window.NianbaoGrid !== undefined")


def cell(page, key):
    return page.locator(f'td[data-key="{key}"] input.nb-cell')


def grid_values(page) -> dict:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('td.nb-value[data-key] input.nb-cell')]"
        ".map(i => [i.closest('td').dataset.key, i.value]))"
    )


def focused_key(page) -> str:
    return page.evaluate("() => document.activeElement.closest('td[data-key]')?.dataset.key")


def paste(page, key, text):
    """Paste `text` into the cell as the clipboard of a spreadsheet would deliver it."""
    cell(page, key).focus()
    page.evaluate(
        """([key, text]) => {
            const input = document.querySelector(`td[data-key="${key}"] input.nb-cell`);
            const data = new DataTransfer();
            data.setData("text/plain", text);
            input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [key, text],
    )


def test_arrow_keys_move_and_never_change_a_value(live_server, browser_page, report):
    page = browser_page
    open_report(page, live_server, report)
    before = grid_values(page)
    assert before[t3("new_received", "natural_person")] == "5"
    # plain text cells with a numeric keyboard, no spinners
    assert cell(page, t3("new_received", "natural_person")).get_attribute("type") == "text"
    assert cell(page, t3("new_received", "natural_person")).get_attribute("inputmode") == "numeric"

    cell(page, t3("new_received", "natural_person")).focus()
    page.keyboard.press("ArrowDown")
    assert focused_key(page) == t3("carried_over", "natural_person")
    page.keyboard.press("ArrowRight")
    assert focused_key(page) == t3("carried_over", "commercial")
    page.keyboard.press("ArrowUp")
    assert focused_key(page) == t3("new_received", "commercial")
    page.keyboard.press("ArrowLeft")
    assert focused_key(page) == t3("new_received", "natural_person")
    page.keyboard.press("Enter")  # moves down like a spreadsheet, does not submit
    assert focused_key(page) == t3("carried_over", "natural_person")
    page.keyboard.press("Tab")
    assert focused_key(page) == t3("carried_over", "commercial")
    for key in ["ArrowUp", "ArrowDown"] * 10 + ["ArrowLeft", "ArrowRight"] * 5:
        page.keyboard.press(key)
    # from the first row of 表三, up goes to the last row of 表二 and back
    cell(page, t3("new_received", "total")).focus()
    page.keyboard.press("ArrowUp")
    assert focused_key(page) == canonical.FEES_KEY
    page.keyboard.press("ArrowDown")
    assert focused_key(page).startswith("applications.new_received.")
    assert grid_values(page) == before
    assert page.url.endswith(f"/{report.pk}/change/")  # nothing was submitted

    # typing replaces the cell it moved to
    cell(page, t3("granted", "natural_person")).focus()
    page.keyboard.type("7")
    assert cell(page, t3("granted", "natural_person")).input_value() == "7"
    page.keyboard.press("Escape")  # puts back what the cell had
    assert cell(page, t3("granted", "natural_person")).input_value() == before[t3("granted", "natural_person")]


def test_the_wheel_never_changes_a_value(live_server, browser_page, report):
    page = browser_page
    open_report(page, live_server, report)
    before = grid_values(page)
    target = cell(page, t3("granted", "natural_person"))
    target.focus()
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for delta in (-100, 100, -300, 300):
        page.mouse.wheel(0, delta)
    page.keyboard.press("ArrowDown")
    page.mouse.wheel(0, -200)
    assert grid_values(page) == before


def test_pasting_a_row_and_a_block_fills_the_right_cells(live_server, browser_page, report):
    page = browser_page
    open_report(page, live_server, report)
    before = grid_values(page)

    # a 7-cell row as Excel/WPS copy it: tab-separated with a line break at the end
    paste(page, t3("new_received", "natural_person"), "5\t1\t0\t0\t0\t0\t6\r\n")
    after = grid_values(page)
    assert [after[t3("new_received", c)] for c in COLUMNS] == ["5", "1", "0", "0", "0", "0", "6"]
    assert focused_key(page) == t3("new_received", "natural_person")
    assert "已粘贴 7 格" in page.inner_text("#nb-grid-toast")

    # a 3×7 block from the 予以公开 row down: 予以公开, 部分公开, then the first 不予公开 row
    block = "1\t0\t0\t0\t0\t0\t1\n2\t1\t0\t0\t0\t0\t3\n0\t0\t0\t0\t0\t0\t0\n"
    paste(page, t3("granted", "natural_person"), block)
    after = grid_values(page)
    rows = [canonical.TABLE3_ROW_KEYS[i] for i in (2, 3, 4)]
    assert rows[:2] == ["granted", "partially_granted"]
    expected = [line.split("\t") for line in block.strip().split("\n")]
    assert [[after[t3(r, c)] for c in COLUMNS] for r in rows] == expected
    untouched = [k for k in before if not any(k.startswith(f"applications.{r}.") for r in ["new_received", *rows])]
    assert all(after[k] == before[k] for k in untouched)

    # Ctrl+Z undoes the last paste (the block), not the row before it
    page.keyboard.press("Control+z")
    after_undo = grid_values(page)
    assert all(after_undo[t3(r, c)] == before[t3(r, c)] for r in rows for c in COLUMNS)
    assert [after_undo[t3("new_received", c)] for c in COLUMNS] == ["5", "1", "0", "0", "0", "0", "6"]

    # what is not a number refuses the whole paste, with a message, and changes nothing
    paste(page, t3("granted", "natural_person"), "1\t2\tabc\t0\n")
    assert "未粘贴" in page.inner_text("#nb-grid-toast") and "abc" in page.inner_text("#nb-grid-toast")
    assert grid_values(page) == after_undo
    # a block wider than the table is refused too (never cut short)
    paste(page, t3("granted", "total"), "1\t2\n")
    assert "未粘贴" in page.inner_text("#nb-grid-toast")
    assert grid_values(page) == after_undo

    # the server stores what the grid shows
    page.keyboard.press("Control+s")
    page.wait_for_selector(".messagelist")
    stored = report_values(report)
    assert [stored[t3("new_received", c)] for c in COLUMNS] == [5, 1, 0, 0, 0, 0, 6]


def test_a_live_rule_message_appears_beside_the_cell_and_goes_when_fixed(live_server, browser_page, report):
    page = browser_page
    open_report(page, live_server, report)
    bubble = page.locator("#nb-live-bubble")
    target = t3("new_received", "natural_person")
    original = cell(page, target).input_value()
    cell(page, target).focus()
    assert bubble.is_hidden()
    page.keyboard.type(str(int(original) + 3))
    bubble.wait_for(state="visible")
    # R2: the row no longer adds up; R1: the column no longer balances
    assert "R2" in bubble.inner_text() and "总计=" in bubble.inner_text()
    box, cell_box = bubble.bounding_box(), cell(page, target).bounding_box()
    assert abs(box["y"] - cell_box["y"]) < 40 and box["x"] >= cell_box["x"] + cell_box["width"] - 2  # beside it
    # the equation's other cells are outlined
    assert page.locator(f'td.nb-eq-peer[data-key="{t3("new_received", "total")}"]').count() == 1
    assert page.locator(f'td.nb-live-error[data-key="{target}"]').count() == 1

    page.keyboard.press("Control+a")
    page.keyboard.type(original)
    bubble.wait_for(state="hidden")
    assert page.locator("td.nb-live-error").count() == 0
    assert page.locator("td.nb-eq-peer").count() == 0

    # a value that is not a number is named beside the cell too; the server still refuses it on save
    page.keyboard.press("Control+a")
    page.keyboard.type("12a")
    bubble.wait_for(state="visible")
    assert "不是有效的数值" in bubble.inner_text()
