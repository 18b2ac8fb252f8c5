"""待人工确认 in the admin: the import preview, the changelist and the report page show how many cells still need a
person; the page confirms them; the approve button and 批量通过 refuse until then; a defect read as printed shows
in the preview as an error on its cells."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import services
from reports.models import CellConfirmation, Report
from reports.parsing import parse_document
from tests.admin.test_admin_pages import _change_form_data
from tests.factories import FIXTURES, AgencyFactory, make_user
from tests.services.test_unconfirmed_gate import LICENSING, blotted_document, needing

pytestmark = pytest.mark.django_db

CHANGE = "admin:reports_report_change"


@pytest.fixture
def blotted():
    data, name = blotted_document()
    parsed = parse_document(data, name)
    report = services.report_import(parsed=parsed, data=data, agency=AgencyFactory(name=parsed.agency)).report
    report.refresh_from_db()
    return report, sorted(needing(parsed))


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_changelist_column_and_filter(admin_client, blotted):
    report, pending = blotted
    clean = services.report_create(agency=AgencyFactory(), year=2023)
    url = reverse("admin:reports_report_changelist")
    page = admin_client.get(url).content.decode()
    assert "待人工确认" in page and f"{len(pending)} 格" in page
    only = admin_client.get(url, {"unconfirmed": "pending"}).context["cl"].result_list
    assert [r.pk for r in only] == [report.pk]
    done = admin_client.get(url, {"unconfirmed": "done"}).context["cl"].result_list
    assert clean.pk in [r.pk for r in done] and report.pk not in [r.pk for r in done]


def test_report_page_lists_marks_and_confirms_the_cells(admin_client, blotted):
    report, pending = blotted
    page = admin_client.get(reverse(CHANGE, args=[report.pk])).content.decode()
    assert f"待人工确认 {len(pending)} 格" in page
    listed = re.findall(r'name="nb_confirm_key" value="([^"]+)"', page)
    assert listed == [k for k in listed if k in pending] and set(listed) == set(pending)
    marked = re.findall(r'class="nb-value[^"]*nb-unconfirmed[^"]*"[^>]*data-key="([^"]+)"', page)
    assert set(marked) == set(pending)
    response = admin_client.post(
        reverse("admin:reports_report_confirm", args=[report.pk]),
        {"nb_confirm_key": [LICENSING], "nb_confirm_comment": "原文空白", "nb_version": report.version},
        follow=True,
    )
    assert "已确认 1 个单元格" in messages_of(response)
    report.refresh_from_db()
    assert report.unconfirmed_count == len(pending) - 1
    page = admin_client.get(reverse(CHANGE, args=[report.pk])).content.decode()
    assert "已人工确认 1 格" in page and "原文空白" in page


def test_typing_in_an_unread_cell_on_the_page_is_a_reading(admin_client, blotted):
    report, pending = blotted
    data = _change_form_data(admin_client, report)
    data["disclosure-0-licensing_decisions"] = 4
    response = admin_client.post(reverse(CHANGE, args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:300]
    typed = CellConfirmation.objects.get(report=report, key=LICENSING)
    assert typed.typed and typed.value == "4"
    report.refresh_from_db()
    assert report.unconfirmed_count == len(pending) - 1


def test_approve_button_refuses_then_admin_override(client, blotted):
    report, pending = blotted
    reviewer = make_user("reviewer")
    client.force_login(reviewer)
    page = client.get(reverse(CHANGE, args=[report.pk])).content.decode()
    assert "nb_override_unconfirmed" not in page  # a reviewer is not offered the override
    url = reverse("admin:reports_report_transition", args=[report.pk])
    said = messages_of(
        client.post(url, {"nb_action": "approve", "nb_version": report.version, "nb_reason": "x"}, follow=True)
    )
    assert f"还有 {len(pending)} 个单元格待人工确认" in said
    said = messages_of(
        client.post(
            url,
            {
                "nb_action": "approve",
                "nb_override_unconfirmed": "on",
                "nb_reason": "已核",
                "nb_version": report.version,
            },
            follow=True,
        )
    )
    assert "只有管理员" in said
    assert Report.objects.get(pk=report.pk).status == "submitted"
    boss = make_user("boss", "管理员")
    client.force_login(boss)
    assert "nb_override_unconfirmed" in client.get(reverse(CHANGE, args=[report.pk])).content.decode()
    client.post(
        url,
        {
            "nb_action": "approve",
            "nb_override_unconfirmed": "on",
            "nb_reason": "电话核实",
            "nb_version": report.version,
        },
    )
    assert Report.objects.get(pk=report.pk).status == "approved"


def test_bulk_approve_skips_unconfirmed_reports_until_confirmed(admin_client, blotted):
    report, pending = blotted
    url = reverse("admin:reports_report_changelist")
    response = admin_client.post(url, {"action": "approve_selected", "_selected_action": [report.pk]}, follow=True)
    assert f"待人工确认 {len(pending)} 格" in messages_of(response)
    assert Report.objects.get(pk=report.pk).status == "submitted"
    services.cells_confirm(report=report, keys=pending, user=None)
    admin_client.post(url, {"action": "approve_selected", "_selected_action": [report.pk]})
    assert Report.objects.get(pk=report.pk).status == "approved"


def upload_bytes(client, name: str, data: bytes) -> str:
    response = client.post(reverse("admin:reports_report_import"), {"files": [SimpleUploadedFile(name, data)]})
    assert response.status_code == 302, response.content.decode()[:300]
    return response["Location"]


def test_preview_counts_cells_needing_a_person(admin_client):
    data, name = blotted_document()
    expected = needing(parse_document(data, name))
    page = admin_client.get(upload_bytes(admin_client, name, data)).content.decode()
    assert f"待人工确认 {len(expected)} 格" in page


def test_a_defect_read_as_printed_is_an_error_on_its_cells_in_the_preview(admin_client):
    text = (FIXTURES / "samples" / "002_cff4ace8f11033c3.txt").read_text(encoding="utf-8")
    # 表四 行政复议 printed as 维持 1 … 总计 0: the document's own mistake
    row = "\t".join(["0"] * 15)
    assert row in text
    data = text.replace(row, "1\t" + "\t".join(["0"] * 14), 1).encode("utf-8")
    page = admin_client.get(upload_bytes(admin_client, "defect.txt", data)).content.decode()
    cell = re.search(r'<td class="nb-read([^"]*)" title="([^"]*)" data-key="review_litigation.review.upheld"', page)
    assert cell is not None and "nb-error" in cell.group(1) and "R4" in cell.group(2)
    assert re.search(r"<td[^>]*>1</td>", page[cell.start() :])  # read as printed, not replaced
    assert "请退回报送单位更正" in page
    unrelated = re.search(r'<td class="nb-read([^"]*)"[^>]*data-key="active_disclosure.licensing.decisions"', page)
    assert "nb-error" not in unrelated.group(1)
