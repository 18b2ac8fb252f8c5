"""One report in the official layout: merged headers, verbatim labels, values in their cells, blanks blank, A4."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports import canonical, layout
from reports.exports.official import ReportInfo, official_sheet, place_spans, report_workbook
from reports.exports.sheet import SheetModel, sheet_title
from reports.selectors import report_values
from tests.exports.official_reader import cells_with, merged_size, one_cell, read_values

pytestmark = pytest.mark.django_db


def workbook_of(report):
    out = io.BytesIO()
    report_workbook(report, report_values(report)).save(out)
    return load_workbook(io.BytesIO(out.getvalue()))


@pytest.fixture
def sheet(county):
    return workbook_of(county["reports"]["乙镇"]).active


def test_values_of_the_sample_are_in_their_cells(county, sheet):
    assert read_values(sheet) == {k: _excel(v) for k, v in report_values(county["reports"]["乙镇"]).items()}


def _excel(value):
    """What openpyxl reads back for a stored value."""
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    return value


def test_blank_cells_stay_blank(county):
    report = county["reports"]["old"]  # sample 003 leaves the applicant columns blank
    values = report_values(report)
    read = read_values(workbook_of(report).active)
    blanks = [k for k, v in values.items() if v is None]
    assert blanks and all(read[k] is None for k in blanks)
    assert read[canonical.t3("new_received", "total")] == 0  # zero stays zero


def test_table3_header_and_row_spans_follow_the_template(sheet):
    note = one_cell(sheet, layout.T3_NOTE)
    rows, cols = merged_size(sheet, *note)
    assert rows == 3
    applicants = one_cell(sheet, "申请人情况")
    assert applicants[0] == note[0] and merged_size(sheet, *applicants) == (1, 7)
    assert applicants[1] == note[1] + cols  # the note takes the whole label area
    assert merged_size(sheet, *one_cell(sheet, "自然人")) == (2, 1)
    assert merged_size(sheet, *one_cell(sheet, "法人或其他组织")) == (1, 5)
    assert merged_size(sheet, *one_cell(sheet, "三、本年度办理结果"))[0] == 22
    for group, size in (("（三）不予公开", 8), ("（四）无法提供", 3), ("（五）不予处理", 5), ("（六）其他处理", 3)):
        assert merged_size(sheet, *one_cell(sheet, group))[0] == size, group


def test_every_label_is_verbatim_and_in_template_order(sheet):
    t3_rows = [one_cell(sheet, r.label, below=one_cell(sheet, layout.TABLE_TITLES["table3"])[0])[0]
               for r in canonical.TABLE3_ROWS]  # fmt: skip
    assert t3_rows == sorted(t3_rows) and len(set(t3_rows)) == 25
    for title in layout.TABLE_TITLES.values():
        assert len(cells_with(sheet, title)) == 1
    for caption, _headers, rows in layout.TABLE2_BLOCKS:
        assert len(cells_with(sheet, caption)) == 1
        for label, _ in rows:
            assert len(cells_with(sheet, label)) == 1


def test_table4_header_spans(sheet):
    review = one_cell(sheet, "行政复议", below=one_cell(sheet, layout.TABLE_TITLES["table4"])[0])
    assert merged_size(sheet, *review) == (1, 5)
    assert merged_size(sheet, *one_cell(sheet, "行政诉讼")) == (1, 10)
    assert merged_size(sheet, *one_cell(sheet, "未经复议直接起诉")) == (1, 5)
    upheld = one_cell(sheet, "结果维持", below=review[0])
    assert merged_size(sheet, *upheld) == (2, 1)


def test_title_agency_and_year_on_top(county, sheet):
    report = county["reports"]["乙镇"]
    assert sheet["A1"].value == report.title
    assert report.agency.name in sheet["A2"].value and "2023年" in sheet["A2"].value


def test_printable_on_a4(sheet):
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert all(sheet.column_dimensions[c].width > 0 for c in "ABCDEFGHIJKLMNO")
    value = one_cell(sheet, "（七）总计")
    cell = sheet.cell(value[0], sheet.max_column)
    assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"


def test_place_spans_skips_columns_taken_from_above():
    placed = place_spans(layout.TABLE3_HEADER, 10)
    assert [(c, s.text) for c, s in placed[2]] == [(4, "商业企业"), (5, "科研机构"), (6, "社会公益组织"),
                                                   (7, "法律服务机构"), (8, "其他")]  # fmt: skip
    with pytest.raises(ValueError):
        place_spans(layout.TABLE4_HEADER, 14)


def test_a_name_starting_with_equals_stays_text():
    model = official_sheet(ReportInfo(agency_name="=HYPERLINK(1)", year=2023), canonical.empty_values())
    from openpyxl import Workbook

    from reports.exports.sheet import write_sheet

    wb = Workbook()
    write_sheet(model, wb.active)
    assert wb.active["A1"].data_type == "s"


def test_sheet_titles_are_valid_and_unique():
    used: set[str] = set()
    names = [sheet_title(n, used) for n in ["甲乡", "甲乡", "a/b:c*?[d]", "x" * 40, ""]]
    assert names[0] == "甲乡" and names[1] != "甲乡"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") and n for n in names)
    assert len({n.lower() for n in names}) == len(names)


def test_sheet_model_merge_keeps_borders_on_covered_cells():
    model = SheetModel()
    model.merge(1, 1, 2, 3, "x", "header")
    assert model.cells[(1, 1)] == ("x", "header") and model.cells[(2, 3)] == (None, "header")
    assert model.merges == [(1, 1, 2, 3)]


def test_admin_page_downloads_the_official_sheet(admin_client, county):
    report = county["reports"]["乙镇"]
    html = admin_client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    url = reverse("admin:reports_report_official", args=[report.pk])
    assert url in html
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert read_values(ws)[canonical.t3("new_received", "total")] == 5


def test_filer_cannot_download_another_agencys_report(client, county):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="填报员"))
    county["agencies"][1].members.add(user)
    client.force_login(user)
    assert client.get(reverse("admin:reports_report_official", args=[county["reports"]["甲乡"].pk])).status_code == 404
    assert client.get(reverse("admin:reports_report_official", args=[county["reports"]["乙镇"].pk])).status_code == 200
