"""The review notice (审核意见): the open problems of a report as text to send back to the agency."""

import pytest
from django.urls import reverse

from reports import canonical, services
from reports.roles import FILER
from tests.admin.test_access import login_as
from tests.factories import import_file

pytestmark = pytest.mark.django_db

HONGZE_2023 = "corpus/real/001_huaian_hongze_qu_2023.pdf"  # the source's 表四 totals are 0 under 10+1 and 5


def test_notice_lists_return_reason_errors_and_open_comments(admin_client, admin_user):
    report = import_file(HONGZE_2023).report
    key = canonical.t4("review", "total")
    services.cell_comment_add(report=report, key=key, text="总计应为 11，请核实", user=admin_user)
    resolved = services.cell_comment_add(
        report=report, key=canonical.t3("granted", "total"), text="已核实", user=admin_user
    )
    services.cell_comment_resolve(comment=resolved, user=admin_user)
    services.report_transition(report=report, action="return", reason="表四合计有误")
    report.refresh_from_db()

    page = admin_client.get(reverse("admin:reports_report_notice", args=[report.pk]))
    assert page.status_code == 200
    text = page.context["notice"]
    assert "洪泽区" in text and "2023年度" in text
    assert "退回原因：表四合计有误" in text
    errors = list(report.issues.filter(severity="error").values_list("rule", "message"))
    assert {rule for rule, _ in errors} >= {"R4", "R6"}
    for rule, message in errors:
        assert f"{message}（规则 {rule}）" in text
    assert f"{canonical.short_label(key)}：总计应为 11，请核实" in text and "已核实" not in text
    assert text.index("须改正的问题") < text.index("审核批注") and "请核实修改后重新报送" in text

    download = admin_client.get(reverse("admin:reports_report_notice", args=[report.pk]), {"format": "txt"})
    assert download.content.startswith(b"\xef\xbb\xbf") and download.content[3:].decode("utf-8") == text
    assert "attachment" in download["Content-Disposition"]


def test_accepted_warnings_leave_the_notice(admin_client):
    report = import_file("samples/004_0d8d98ed0f7285a4.txt").report
    warnings = list(report.issues.filter(severity="warning"))
    assert warnings
    for issue in warnings:
        services.issue_accept(report=report, fingerprint=issue.fingerprint, comment="电话核实无误")
    page = admin_client.get(reverse("admin:reports_report_notice", args=[report.pk]))
    text = page.context["notice"]
    assert all(issue.message not in text for issue in warnings)
    if not report.issues.filter(severity="error").exists():
        assert "未发现问题" in text


def test_filer_cannot_read_another_agencys_notice(client):
    mine = import_file("samples/002_cff4ace8f11033c3.txt").report
    theirs = import_file("samples/000_0644fa4e77b34486.txt").report
    login_as(client, FILER, "filer", mine.agency)
    assert client.get(reverse("admin:reports_report_notice", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:reports_report_notice", args=[theirs.pk])).status_code == 404


def _returned(path, reason):
    report = import_file(path).report
    services.report_transition(report=report, action="return", reason=reason)
    report.refresh_from_db()
    return report


def test_notices_for_all_returned_reports_at_once_text_and_word(admin_client):
    import io
    import zipfile

    from docx import Document

    hongze = _returned(HONGZE_2023, "表四合计有误")
    other = _returned("samples/002_cff4ace8f11033c3.txt", "请补充第五部分")
    url = reverse("admin:reports_report_changelist")
    form = {"action": "notices_selected", "_selected_action": [hongze.pk, other.pk]}
    page = admin_client.post(url, form)
    assert page.status_code == 200
    texts = [text for _, _, text in page.context["notices"]]
    assert len(texts) == 2
    assert any("表四合计有误" in t and "洪泽区" in t for t in texts) and any("请补充第五部分" in t for t in texts)

    download = admin_client.post(url, {**form, "nb_notice_format": "docx"})
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = archive.namelist()
    assert len(names) == 2 and all(n.endswith(".docx") for n in names)
    name = next(n for n in names if "洪泽区" in n)
    doc = Document(io.BytesIO(archive.read(name)))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert body.startswith("关于退回") and f"{hongze.agency.name}：" in body and "表四合计有误" in body
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    r4 = hongze.issues.get(rule="R4")
    assert r4.message in cells and canonical.short_label(canonical.t4("review", "total")) in " ".join(cells)

    single = admin_client.post(url, {**form, "_selected_action": [other.pk], "nb_notice_format": "docx"})
    assert single["Content-Type"].startswith("application/vnd.openxmlformats")
    assert Document(io.BytesIO(single.content)).paragraphs[0].text.startswith("关于退回")


def test_long_cell_lists_are_cut():
    from reports.rules import cells_text, key_label

    text = cells_text(canonical.TABLE3_KEYS)
    assert text.endswith(f"等 {len(canonical.TABLE3_KEYS)} 格")
    assert sum(key_label(k) in text for k in canonical.TABLE3_KEYS) == 8
