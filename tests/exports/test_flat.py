"""The flat sheet on the report changelist (django-import-export): export in xlsx / csv (UTF-8 with BOM) / json with
Chinese headers and the admin's filters, and the same sheet imported back through the preview and validation."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reports import canonical
from reports.choices import ReportStatus
from reports.models import Report
from reports.resources import FLAT_FORMATS, FLAT_LABELS, ReportResource
from reports.selectors import report_values
from tests.factories import UserFactory

EXPORT_URL = "admin:reports_report_export"
IMPORT_URL = "admin:reports_report_flat_import"
XLSX, CSV, JSON = range(3)
HEADERS = ["机关", "年度", "状态", "模板版本", "错误数", "警告数", *(FLAT_LABELS[k] for k in canonical.ALL_KEYS)]


def export(client, fmt, query=""):
    return client.post(reverse(EXPORT_URL) + query, {"format": str(fmt), "resource": "0"})


def sheet_rows(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_formats_offered_are_xlsx_csv_json():
    assert [f().get_extension() for f in FLAT_FORMATS] == ["xlsx", "csv", "json"]


def test_xlsx_export_has_chinese_headers_one_row_per_report_and_the_values(admin_client, county):
    response = export(admin_client, XLSX, "?year=2023")
    assert response.status_code == 200, response.content[:500]
    rows = sheet_rows(response.content)
    assert rows[0] == HEADERS and len(set(rows[0])) == len(rows[0])
    assert len(rows) == 1 + 3  # the 2022 report is filtered out by the changelist's year filter
    by_name = {r[0]: dict(zip(HEADERS, r, strict=True)) for r in rows[1:]}
    report = county["reports"]["乙镇"]
    row = by_name[report.agency.name]
    assert row["年度"] == 2023 and row["状态"] == "草稿" and row["模板版本"] == "2021"
    values = report_values(report)
    for key in canonical.ALL_KEYS:
        expected = values[key]
        got = row[FLAT_LABELS[key]]
        if expected is None:
            assert got in (None, ""), key
        else:
            assert Decimal(str(got)) == Decimal(expected), key


def test_export_respects_the_search(admin_client, county):
    rows = sheet_rows(export(admin_client, XLSX, "?q=甲乡政府").content)
    assert sorted(r[1] for r in rows[1:]) == [2022, 2023]
    assert {r[0] for r in rows[1:]} == {"示例县甲乡人民政府"}


def test_csv_export_is_utf8_with_bom_and_opens_in_excel(admin_client, county):
    response = export(admin_client, CSV)
    assert response.status_code == 200
    assert response.content[:3] == b"\xef\xbb\xbf"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADERS
    assert {r[0] for r in rows[1:]} == {a.name for a in county["agencies"][:3]}
    blank = [r for r in rows[1:] if r[0] == "示例县甲乡人民政府" and r[1] == "2022"][0]
    # sample 003 leaves applicant cells blank: blank stays blank, not 0
    assert blank[HEADERS.index(FLAT_LABELS[canonical.t3("new_received", "natural_person")])] == ""


def test_json_export(admin_client, county):
    data = json.loads(export(admin_client, JSON, "?year=2023").content)
    assert len(data) == 3 and set(data[0]) == set(HEADERS)


def test_empty_export_gives_a_message_not_a_file(admin_client, county):
    response = export(admin_client, XLSX, "?year=2031")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["没有符合条件的报告，未生成文件。"]


def test_filer_exports_only_own_agency(client, county):
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="填报员"))
    county["agencies"][1].members.add(user)
    client.force_login(user)
    rows = sheet_rows(export(client, XLSX).content)
    assert [r[0] for r in rows[1:]] == ["示例县乙镇人民政府"]


# --- import -------------------------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def preview(client, content: bytes, name="flat.xlsx", fmt=XLSX):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse(IMPORT_URL), {"import_file": upload, "format": str(fmt), "resource": "0"})


def confirm(client, response):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(reverse("admin:reports_report_process_import"), data)


def col(key: str) -> int:
    return HEADERS.index(FLAT_LABELS[key])


NP = canonical.t3("new_received", "natural_person")
NT = canonical.t3("new_received", "total")


def test_flat_sheet_round_trips(admin_client, county):
    before = {r.pk: report_values(r) for r in Report.objects.all()}
    rows = sheet_rows(export(admin_client, XLSX).content)
    result = preview(admin_client, xlsx_bytes(rows))
    assert result.status_code == 200
    totals = result.context["result"].totals
    assert totals["skip"] == 4 and totals["update"] == 0 and totals["new"] == 0 and totals["error"] == 0
    response = confirm(admin_client, result)
    assert response.status_code == 302
    assert {r.pk: report_values(r) for r in Report.objects.all()} == before


def test_changed_cell_is_imported_and_revalidated(admin_client, county):
    report = county["reports"]["乙镇"]
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    row = next(r for r in rows if r[0] == report.agency.name)
    row[col(NP)] += 5  # the row total no longer adds up: rule R2
    result = preview(admin_client, xlsx_bytes([rows[0], row]))
    assert result.context["result"].totals["update"] == 1
    assert report_values(report)[NP] == 4  # the preview is a dry run
    html = result.content.decode()
    assert "错误数" in html
    confirm(admin_client, result)
    report.refresh_from_db()
    assert report_values(report)[NP] == 4 + 5
    assert report.error_count >= 1
    assert any(NT in issue.keys for issue in report.issues.filter(rule="R2"))
    assert report.outcomes.get(row="new_received").history.first().history_change_reason == "表格导入"


def test_import_never_overwrites_an_approved_report(admin_client, county):
    report = county["reports"]["县财政局"]
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.APPROVED)
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    row = next(r for r in rows if r[0] == report.agency.name)
    row[col(NP)] += 1
    row[col(NT)] += 1
    result = preview(admin_client, xlsx_bytes([rows[0], row]))
    assert "confirm_form" not in result.context
    html = result.content.decode()
    assert "已通过审核并锁定" in html and report.agency.name in html
    assert report_values(report)[NP] == 5


def test_unchanged_row_of_approved_report_is_skipped(admin_client, county):
    report = county["reports"]["县财政局"]
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.APPROVED)
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    result = preview(admin_client, xlsx_bytes(rows))
    assert result.context["result"].totals["skip"] == 3 and "confirm_form" in result.context


def test_new_row_creates_the_report(admin_client, county):
    agency = county["agencies"][3]
    row = ["丙乡", 2023, "", "2021", "", "", *([None] * len(canonical.ALL_KEYS))]
    row[col(NP)], row[col(NT)] = 2, 2
    result = preview(admin_client, xlsx_bytes([HEADERS, row]))
    assert result.context["result"].totals["new"] == 1
    assert not Report.objects.filter(agency=agency).exists()
    confirm(admin_client, result)
    report = Report.objects.get(agency=agency, year=2023)
    values = report_values(report)
    assert values[NP] == 2 and values[NT] == 2
    assert values[canonical.t3("carried_over", "total")] is None  # blank stays blank
    assert report.outcomes.count() == 25 and report.validated_at is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [(-3, "不是非负整数"), ("abc", "不是非负整数"), (2.5, "不是非负整数"), (10**12, "超出了可保存的范围")],
)
def test_bad_cell_is_a_row_error_with_its_label(admin_client, county, value, message):
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    rows[1][col(NP)] = value
    result = preview(admin_client, xlsx_bytes(rows[:2]))
    html = result.content.decode()
    assert "confirm_form" not in result.context
    assert message in html and canonical.short_label(NP) in html
    # in Chinese: the heading and the column named as in the sheet (not the canonical key)
    assert "部分行未通过校验" in html and f'<span class="nb-error-column">{FLAT_LABELS[NP]}' in html


def test_unknown_agency_is_a_row_error(admin_client, county):
    row = ["不存在的乡", 2023, "", "2021", "", "", *([0] * len(canonical.ALL_KEYS))]
    result = preview(admin_client, xlsx_bytes([HEADERS, row]))
    assert "confirm_form" not in result.context
    assert "找不到机关“不存在的乡”" in result.content.decode()
    assert "没有指定的字段" not in result.content.decode()


def test_csv_with_bom_imports(admin_client, county):
    content = export(admin_client, CSV, "?year=2023").content
    text = content.decode("utf-8-sig").replace("示例县乙镇人民政府", "乙镇")  # short names are accepted too
    result = preview(admin_client, ("\ufeff" + text).encode("utf-8"), name="flat.csv", fmt=CSV)
    assert result.context["result"].totals["skip"] == 3


def test_filer_cannot_import_into_another_agency(client, county):
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="填报员"))
    county["agencies"][1].members.add(user)
    client.force_login(user)
    report = county["reports"]["甲乡"]
    row = [report.agency.name, 2023, "", "2021", "", "", *([None] * len(canonical.ALL_KEYS))]
    row[col(NP)] = 1
    result = preview(client, xlsx_bytes([HEADERS, row]))
    assert "confirm_form" not in result.context
    assert "您只能处理本机关的年报" in result.content.decode()


def test_resource_exports_cells_in_canonical_order(county):
    dataset = ReportResource().export(Report.objects.filter(year=2023))
    assert dataset.headers == HEADERS and len(dataset) == 3


def test_the_sheet_is_named_and_no_two_tables_headers_start_alike(county, admin_client):
    response = export(admin_client, XLSX, "?year=2023")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.title == "年报数字"
    headers = [c.value for c in sheet[1]]
    starts = {}
    for key in canonical.ALL_KEYS:
        starts.setdefault(FLAT_LABELS[key].split(" ")[1][:2], set()).add(key.split(".")[0])
    assert all(len(tables) == 1 for prefix, tables in starts.items() if prefix.endswith("、"))
    assert FLAT_LABELS[canonical.t4("review", "upheld")] in headers


def test_a_sheet_with_the_old_headers_still_imports():
    import tablib

    from reports.resources import _OLD_HEADERS

    dataset = tablib.Dataset(headers=["机关", "年度", canonical.LABELS[canonical.t4("review", "upheld")]])
    ReportResource().before_import(dataset)
    assert dataset.headers[2] == FLAT_LABELS[canonical.t4("review", "upheld")] and len(_OLD_HEADERS) == 200
