"""The county workbook: 汇总 (one row per agency, every cell a column, SUM totals), 未报送, 问题清单, 说明 and the
per-agency official sheets."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from agencies.models import Agency
from reports import canonical
from reports.choices import ReportStatus
from reports.exports.summary import (
    COLUMN_ROW,
    FIRST_DATA_ROW,
    KEY_ROW,
    LEAD_COLUMNS,
    ROW_ROW,
    TABLE_ROW,
    EmptyExport,
    write_summary,
)
from reports.models import CellComment, Report, ValidationIssue
from reports.selectors import report_values
from tests.exports.official_reader import read_values

LEAD_KEYS = [k for k, _, _ in LEAD_COLUMNS]


def summary(year=2023, reports=None, **kwargs):
    out = io.BytesIO()
    reports = reports if reports is not None else Report.objects.filter(year=year)
    write_summary(year=year, reports=reports, agencies=Agency.objects.filter(is_active=True), target=out, **kwargs)
    return load_workbook(io.BytesIO(out.getvalue()))


@pytest.fixture
def wb(county):
    return summary()


def key_columns(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[KEY_ROW]}


def test_sheets_in_order(wb):
    assert wb.sheetnames == ["汇总", "未报送", "问题清单", "说明", "县财政局", "乙镇", "甲乡"]


def test_hidden_key_row_and_three_header_levels(wb):
    ws = wb["汇总"]
    assert [c.value for c in ws[KEY_ROW]] == LEAD_KEYS + list(canonical.ALL_KEYS)
    assert ws.row_dimensions[KEY_ROW].hidden
    cols = key_columns(ws)
    key = canonical.t3("withheld_state_secret", "commercial")
    first_t3 = cols[canonical.TABLE3_KEYS[0]]
    assert ws.cell(TABLE_ROW, first_t3).value == "表三 收到和处理政府信息公开申请情况"
    merged = {str(r) for r in ws.merged_cells.ranges}
    last_t3 = get_column_letter(cols[canonical.TABLE3_KEYS[-1]])
    assert f"{get_column_letter(first_t3)}{TABLE_ROW}:{last_t3}{TABLE_ROW}" in merged
    row_start = cols[canonical.t3("withheld_state_secret", "natural_person")]
    assert ws.cell(ROW_ROW, row_start).value == "三、（三）不予公开 1.属于国家秘密"
    assert f"{get_column_letter(row_start)}{ROW_ROW}:{get_column_letter(row_start + 6)}{ROW_ROW}" in merged
    assert ws.cell(COLUMN_ROW, cols[key]).value == "商业企业"
    assert ws.cell(COLUMN_ROW, cols[canonical.FEES_KEY]).value == "本年收费金额（单位：万元）"
    assert ws.cell(ROW_ROW, cols[canonical.t4("litigation_direct", "upheld")]).value == "行政诉讼 未经复议直接起诉"
    assert ws.cell(TABLE_ROW, 2).value == "机关"


def test_one_row_per_agency_with_its_values(county, wb):
    ws = wb["汇总"]
    cols = key_columns(ws)
    reports = Report.objects.filter(year=2023).select_related("agency")
    rows = list(ws.iter_rows(min_row=FIRST_DATA_ROW, max_row=FIRST_DATA_ROW + reports.count() - 1))
    names = [r[cols["agency"] - 1].value for r in rows]
    assert sorted(names) == sorted(r.agency.name for r in reports) and len(set(names)) == len(names)
    for report in reports:
        row = rows[names.index(report.agency.name)]
        assert row[cols["status"] - 1].value == report.get_status_display()
        assert row[cols["error_count"] - 1].value == report.error_count
        for key, value in report_values(report).items():
            got = row[cols[key] - 1].value
            assert (got is None) if value is None else Decimal(str(got)) == value, (report, key)


def test_totals_row_has_real_sum_formulas(county, wb):
    ws = wb["汇总"]
    cols = key_columns(ws)
    total_row = FIRST_DATA_ROW + 3
    assert ws.cell(total_row, 1).value == "合计"
    reports = list(Report.objects.filter(year=2023))
    for key in canonical.ALL_KEYS + ("error_count", "warning_count"):
        letter = get_column_letter(cols[key])
        assert ws.cell(total_row, cols[key]).value == f"=SUM({letter}{FIRST_DATA_ROW}:{letter}{total_row - 1})"
    # what the formula adds up is what the reports hold
    key = canonical.t3("new_received", "total")
    column = [ws.cell(r, cols[key]).value for r in range(FIRST_DATA_ROW, total_row)]
    assert sum(column) == sum(report_values(r)[key] for r in reports) == 4 + 5 + 6


def test_frozen_panes_filter_and_print_titles(wb):
    ws = wb["汇总"]
    assert ws.freeze_panes == f"C{FIRST_DATA_ROW}"
    assert ws.print_title_cols == "$A:$B" and ws.print_title_rows == f"${TABLE_ROW}:${COLUMN_ROW}"
    last = get_column_letter(len(LEAD_COLUMNS) + len(canonical.ALL_KEYS))
    assert ws.auto_filter.ref == f"A{COLUMN_ROW}:{last}{FIRST_DATA_ROW + 2}"


def test_per_agency_sheets_in_official_layout(county, wb):
    for short, key in (("甲乡", "甲乡"), ("县财政局", "县财政局")):
        report = county["reports"][key]
        expected = {k: (None if v is None else Decimal(v)) for k, v in report_values(report).items()}
        got = {k: (None if v is None else Decimal(str(v))) for k, v in read_values(wb[short]).items()}
        assert got == expected
        assert wb[short]["A1"].value == report.title


def test_issue_sheet_lists_open_issues_and_comments(county):
    report = county["reports"]["乙镇"]
    CellComment.objects.create(report=report, key=canonical.FEES_KEY, text="请核实收费金额")
    CellComment.objects.create(report=report, key=canonical.FEES_KEY, text="已解决的批注", resolved=True)
    accepted = ValidationIssue.objects.filter(report__year=2023).first()
    ValidationIssue.objects.filter(pk=accepted.pk).update(accepted=True)
    rows = list(summary()["问题清单"].iter_rows(min_row=3, values_only=True))
    open_issues = ValidationIssue.objects.filter(report__year=2023, accepted=False)
    assert len(rows) == open_issues.count() + 1
    comment = [r for r in rows if r[3] == "单元格批注"]
    assert len(comment) == 1 and comment[0][1] == report.agency.name and comment[0][7] == "请核实收费金额"
    assert comment[0][6] == canonical.short_label(canonical.FEES_KEY)
    messages = {r[7] for r in rows if r[3] == "校验问题"}
    assert messages == set(open_issues.values_list("message", flat=True))
    assert accepted.message not in messages or open_issues.filter(message=accepted.message).exists()
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)  # grouped by agency


def test_missing_sheet_lists_who_has_not_handed_in(county):
    Report.objects.filter(pk=county["reports"]["乙镇"].pk).update(status=ReportStatus.SUBMITTED)
    rows = list(summary()["未报送"].iter_rows(min_row=3, values_only=True))
    by_name = {r[1]: r for r in rows}
    assert set(by_name) == {"示例县甲乡人民政府", "示例县财政局", "示例县丙乡人民政府"}
    assert by_name["示例县丙乡人民政府"][3] == "未建立报告"
    assert by_name["示例县财政局"][3] == "草稿，尚未提交"
    assert by_name["示例县丙乡人民政府"][4].date().isoformat() == "2024-01-31"


def test_status_filter_does_not_make_drafts_look_missing(county):
    Report.objects.filter(pk=county["reports"]["乙镇"].pk).update(status=ReportStatus.APPROVED)
    wb = summary(
        reports=Report.objects.filter(year=2023, status=ReportStatus.APPROVED),
        submissions=Report.objects.filter(year=2023),
    )
    names = [r[1] for r in wb["汇总"].iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[0] != "合计"]
    assert names == ["示例县乙镇人民政府"]
    missing = {r[1]: r[3] for r in wb["未报送"].iter_rows(min_row=3, values_only=True)}
    assert missing["示例县甲乡人民政府"] == "草稿，尚未提交"
    assert "示例县乙镇人民政府" not in missing


def test_many_agencies_leave_out_the_per_agency_sheets_and_say_so(county):
    wb = summary(max_agency_sheets=2)
    assert wb.sheetnames == ["汇总", "未报送", "问题清单", "说明"]
    notes = " ".join(str(r[0]) for r in wb["说明"].iter_rows(values_only=True))
    assert "超过 2" in notes and "export_report" in notes


def test_nothing_to_export_is_refused(county):
    with pytest.raises(EmptyExport, match="没有符合条件的报告"):
        summary(year=2031)
    with pytest.raises(EmptyExport, match="多个年度"):
        summary(year=2023, reports=Report.objects.all())


def test_admin_action_exports_the_selected_reports(admin_client, county):
    ids = [county["reports"]["甲乡"].pk, county["reports"]["乙镇"].pk]
    response = admin_client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "export_summary_action", "_selected_action": ids},
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {r[1] for r in wb["汇总"].iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[0] != "合计"}
    assert names == {"示例县甲乡人民政府", "示例县乙镇人民政府"}


def test_admin_action_refuses_mixed_years(admin_client, county):
    ids = [county["reports"]["甲乡"].pk, county["reports"]["old"].pk]
    response = admin_client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "export_summary_action", "_selected_action": ids},
        follow=True,
    )
    assert "所选报告属于多个年度（2022、2023）" in response.content.decode()


def test_overview_button_exports_the_filtered_year(admin_client, county):
    response = admin_client.get(reverse("admin:reports_report_summary"), {"year": 2023, "kind": "township"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {r[1] for r in wb["汇总"].iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[0] != "合计"}
    assert names == {"示例县甲乡人民政府", "示例县乙镇人民政府"}
    assert "类别：乡镇/街道" in wb["汇总"]["A1"].value


def test_overview_button_for_an_empty_year_gives_a_message(admin_client, county):
    response = admin_client.get(reverse("admin:reports_report_summary"), {"year": 2031}, follow=True)
    assert "2031 年度：没有符合条件的报告，未生成文件。" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("admin:reports_report_overview"))


def test_issue_sheet_prints_one_page_wide_and_cuts_long_cell_lists(county):
    report = county["reports"]["乙镇"]
    ValidationIssue.objects.create(
        report=report,
        rule="R21",
        severity="info",
        keys=list(canonical.TABLE3_KEYS),
        message="表三 全部空白",
        position=99,
    )
    ws = summary()["问题清单"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    r21 = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[5] == "R21")
    assert r21[6].endswith(f"等 {len(canonical.TABLE3_KEYS)} 格") and len(r21[6]) < 200


def test_official_sheet_carries_no_review_state(county):
    from reports.exports.official import report_workbook

    report = county["reports"]["乙镇"]
    ws = report_workbook(report, report_values(report)).active
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert report.agency.name in texts and "状态：" not in texts and "校验：" not in texts


def test_a_big_county_workbook_is_written_by_a_job_and_downloaded_by_its_user_only(
    admin_client, client, county, settings, django_user_model
):
    settings.NIANBAO_EXPORT_IN_REQUEST_MAX = 1  # "big": more reports than the request may write itself
    query = {"year": 2023, "kind": "township"}
    response = admin_client.get(reverse("admin:reports_report_summary"), query)
    assert response.status_code == 302 and "/exports/" in response["Location"]
    job_url = response["Location"]
    page = admin_client.get(job_url).content.decode()  # the tests' worker ran in place: the file is ready
    assert "汇总表已生成" in page and "?download=1" in page
    response = admin_client.get(job_url, {"download": "1"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {r[1] for r in wb["汇总"].iter_rows(min_row=FIRST_DATA_ROW, values_only=True) if r[0] != "合计"}
    assert names == {"示例县甲乡人民政府", "示例县乙镇人民政府"}  # the same workbook as written in the request
    other = django_user_model.objects.create_superuser("other", "", "pw")
    client.force_login(other)
    assert client.get(job_url, {"download": "1"}).status_code == 403
