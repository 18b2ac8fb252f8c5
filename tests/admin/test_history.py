"""Who changed which cell from what to what, when and why — with imports, status changes and cell notes."""

import pytest
from django.urls import reverse

from reports import canonical, services
from reports.history import report_timeline
from reports.models import CellComment
from tests.admin.test_admin_pages import _change_form_data
from tests.factories import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    return import_file("samples/002_cff4ace8f11033c3.txt").report


def test_grid_correction_with_reason_is_in_the_timeline(admin_client, admin_user, report):
    data = _change_form_data(admin_client, report)
    index = canonical.TABLE3_ROW_KEYS.index("carried_over")
    old = report.outcomes.get(row="carried_over").natural_person
    data[f"outcomes-{index}-natural_person"] = (old or 0) + 2
    data["nb_change_reason"] = "按电话核实更正"
    assert admin_client.post(reverse("admin:reports_report_change", args=[report.pk]), data).status_code == 302
    services.report_transition(report=report, action="start_review", user=admin_user)

    entries = report_timeline(report)
    kinds = [e.kind for e in entries]
    assert kinds[0] == "状态变更" and "导入" in kinds and "数值修改" in kinds
    edit = next(e for e in entries if e.kind == "数值修改" and e.reason == "按电话核实更正")
    assert edit.user == admin_user.username
    (change,) = edit.changes
    assert change.key == canonical.t3("carried_over", "natural_person")
    assert (change.old, change.new) == (old, (old or 0) + 2)

    page = admin_client.get(reverse("admin:reports_report_timeline", args=[report.pk])).content.decode()
    assert "按电话核实更正" in page and canonical.short_label(change.key) in page and "已提交 → 审核中" in page
    csv = admin_client.get(reverse("admin:reports_report_timeline", args=[report.pk]), {"format": "csv"})
    body = csv.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "时间,操作人,类型,内容,原值,新值,说明" in text and "按电话核实更正" in text


def test_cell_comment_is_listed_and_marked_on_its_cell(admin_client, report):
    key = canonical.t3("carried_over", "total")
    response = admin_client.post(
        reverse("admin:reports_report_comment_add", args=[report.pk]),
        {"nb_comment_key": key, "nb_comment_text": "与去年结转不符，请核实"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#cell-{key}")
    page = admin_client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert "与去年结转不符，请核实" in page
    cell = page[page.index(f'id="cell-{key}"') - 200 : page.index(f'id="cell-{key}"') + 600]
    assert "nb-has-comment" in cell and 'class="nb-comment-mark" title=' in cell
    comment = CellComment.objects.get(report=report)
    admin_client.post(reverse("admin:reports_report_comment_resolve", args=[report.pk]), {"nb_comment_id": comment.pk})
    comment.refresh_from_db()
    assert comment.resolved
    page = admin_client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert "nb-has-comment" not in page
    assert any(e.kind == "单元格批注" for e in report_timeline(report))


def test_empty_comment_is_refused(admin_client, report):
    admin_client.post(
        reverse("admin:reports_report_comment_add", args=[report.pk]),
        {"nb_comment_key": canonical.t3("carried_over", "total"), "nb_comment_text": " "},
    )
    assert not CellComment.objects.exists()


def test_workflow_buttons_on_the_change_page(admin_client, report):
    page = admin_client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert 'value="start_review"' in page and 'value="approve"' in page and 'value="return"' in page
    admin_client.post(reverse("admin:reports_report_transition", args=[report.pk]), {"nb_action": "return"})
    report.refresh_from_db()
    assert report.status == "submitted"  # no reason: refused
    admin_client.post(
        reverse("admin:reports_report_transition", args=[report.pk]),
        {"nb_action": "return", "nb_reason": "缺少联系方式"},
    )
    report.refresh_from_db()
    assert report.status == "returned"


def test_saving_a_number_records_no_text_change(admin_client, report):
    """Browsers send textarea line breaks as CRLF; the untouched texts must not count as edited."""
    texts = {f: getattr(report, f) for f in ("preamble", "overview", "problems", "other_matters")}
    assert any("\n" in t for t in texts.values())
    data = _change_form_data(admin_client, report)
    for field in texts:
        data[field] = data[field].replace("\n", "\r\n") + "\r\n"
    index = canonical.TABLE3_ROW_KEYS.index("carried_over")
    data[f"outcomes-{index}-natural_person"] = (report.outcomes.get(row="carried_over").natural_person or 0) + 1
    assert admin_client.post(reverse("admin:reports_report_change", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    assert {f: getattr(report, f) for f in texts} == texts
    kinds = [e.kind for e in report_timeline(report)]
    assert "数值修改" in kinds and "文字修改" not in kinds


def test_an_edited_text_is_stored_with_plain_line_breaks(admin_client, report):
    data = _change_form_data(admin_client, report)
    data["problems"] = "一是人员不足。\r\n二是培训不够。"
    assert admin_client.post(reverse("admin:reports_report_change", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    assert report.problems == "一是人员不足。\n二是培训不够。"
    assert "文字修改" in [e.kind for e in report_timeline(report)]
