"""Two people on one report page. A save writes only what this page changed (each cell carries the value the page
showed): changes to other cells made since the page was opened are kept (merged), and a change to a cell someone
else changed meanwhile refuses the whole save with a message naming the cell and who changed it (409)."""

import pytest
from django.urls import reverse

from reports import canonical, services
from reports.history import report_timeline
from reports.models import Report
from reports.selectors import report_values
from tests.admin.test_admin_pages import _accept_issue, _change_form_data
from tests.factories import FIXTURES, import_file, make_report, make_user

pytestmark = pytest.mark.django_db

NEW_NP = canonical.t3("new_received", "natural_person")
NEW_OTHER = canonical.t3("new_received", "other")
NEW_TOTAL = canonical.t3("new_received", "total")
ROW = canonical.TABLE3_ROW_KEYS.index("new_received")


@pytest.fixture
def report():
    report = make_report()
    services.report_set_values(report=report, values={NEW_NP: 3, NEW_TOTAL: 3})
    return report


@pytest.fixture
def colleague():
    return make_user("colleague")


def _post(client, report, data, **kwargs):
    return client.post(reverse("admin:reports_report_change", args=[report.pk]), data, **kwargs)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_stale_page_changing_other_cells_is_merged_and_history_stays_true(admin_client, report, colleague):
    data = _change_form_data(admin_client, report)  # the page as it was opened
    services.report_set_values(report=report, values={NEW_NP: 5, NEW_TOTAL: 5}, user=colleague, reason="电话核实")

    data[f"outcomes-{ROW}-other"] = 1  # the same row the colleague changed, another cell
    data["title"] = "改过的标题"
    response = _post(admin_client, report, data, follow=True)

    assert response.redirect_chain and response.status_code == 200
    assert any("他人修改" in m and "已一并保留" in m for m in _messages(response))
    values = report_values(report)
    assert (values[NEW_NP], values[NEW_OTHER], values[NEW_TOTAL]) == (5, 1, 5)
    assert Report.objects.get(pk=report.pk).title == "改过的标题"
    # the history shows who really changed what: nobody "changed 5 back to 3"
    cells = {(e.user, c.key, c.old, c.new) for e in report_timeline(report) for c in e.changes if c.key}
    assert ("colleague", NEW_NP, 3, 5) in cells and ("admin", NEW_OTHER, None, 1) in cells
    assert not any(user == "admin" and key in (NEW_NP, NEW_TOTAL) for user, key, _, _ in cells)


def test_a_stale_page_changing_the_same_cell_is_refused_whole_naming_it(admin_client, report, colleague):
    data = _change_form_data(admin_client, report)
    services.report_set_values(report=report, values={NEW_NP: 5, NEW_TOTAL: 5}, user=colleague, reason="电话核实")

    data[f"outcomes-{ROW}-natural_person"] = 7
    data[f"outcomes-{ROW}-other"] = 1
    data["title"] = "改过的标题"
    response = _post(admin_client, report, data)

    assert response.status_code == 409
    page = response.content.decode()
    assert "未保存" in page and canonical.short_label(NEW_NP) in page and "colleague" in page and "电话核实" in page
    assert 'value="7"' in page  # the values typed are still on the page
    values = report_values(report)
    assert (values[NEW_NP], values[NEW_OTHER], values[NEW_TOTAL]) == (5, None, 5)
    assert Report.objects.get(pk=report.pk).title != "改过的标题"


def test_a_text_changed_meanwhile_refuses_only_a_change_of_that_text(admin_client, report, colleague):
    data = _change_form_data(admin_client, report)
    services.report_update(report=report, fields={"overview": "同事补充的总体情况"}, user=colleague)
    data["overview"] = "我写的总体情况"
    response = _post(admin_client, report, data)
    assert response.status_code == 409 and "一、总体情况" in response.content.decode()
    assert Report.objects.get(pk=report.pk).overview == "同事补充的总体情况"

    data = _change_form_data(admin_client, report)
    services.report_set_values(report=report, values={NEW_NP: 6, NEW_TOTAL: 6}, user=colleague)
    data["overview"] = "我写的总体情况"
    assert _post(admin_client, report, data).status_code == 302
    stored = Report.objects.get(pk=report.pk)
    assert stored.overview == "我写的总体情况" and report_values(report)[NEW_NP] == 6


def test_an_import_meanwhile_merges_or_refuses_like_a_colleague(admin_client):
    """A re-import landing while someone types: the page's changes to other cells are kept, a change to a cell
    the new document wrote is refused with the file named."""
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    data = _change_form_data(admin_client, report)
    text = (FIXTURES / "samples/002_cff4ace8f11033c3.txt").read_text(encoding="utf-8")
    before = report_values(report)
    # the next version of the document: one more 行政处罚 decision
    key = "active_disclosure.punishment.decisions"
    services.report_import(parsed=_reparse(text, key, before[key]), data=b"v2", agency=report.agency, year=report.year)
    assert report_values(report)[key] == (before[key] or 0) + 1
    field = canonical.TABLE3_COLUMN_KEYS[0]
    data[f"outcomes-{ROW}-{field}"] = (before[canonical.t3("new_received", field)] or 0) + 2
    assert _post(admin_client, report, data).status_code == 302  # merged with the import
    assert report_values(report)[key] == (before[key] or 0) + 1

    data = _change_form_data(admin_client, report)
    services.report_import(
        parsed=_reparse(text, key, before[key], by=2), data=b"v3", agency=report.agency, year=report.year
    )
    data["disclosure-0-punishment_decisions"] = 99
    response = _post(admin_client, report, data)
    assert response.status_code == 409
    assert "导入新版本" in response.content.decode() and canonical.short_label(key) in response.content.decode()
    assert report_values(report)[key] == (before[key] or 0) + 2


def _reparse(text, key, old, *, by=1):
    """The sample parsed, with one 表二 figure raised as a corrected document would have it."""
    from reports.parsing import parse_document

    parsed = parse_document(text.encode("utf-8"), "v.txt")
    parsed.values[key] = (old or 0) + by
    return parsed


def test_a_fresh_page_saves(admin_client, report):
    services.report_set_values(report=report, values={NEW_NP: 5, NEW_TOTAL: 5})
    data = _change_form_data(admin_client, report)  # opened after the change
    data[f"outcomes-{ROW}-other"] = 1
    data[f"outcomes-{ROW}-total"] = 6
    response = _post(admin_client, report, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    values = report_values(report)
    assert (values[NEW_NP], values[NEW_OTHER], values[NEW_TOTAL]) == (5, 1, 6)


def test_a_page_without_its_version_saves_nothing(admin_client, report):
    data = _change_form_data(admin_client, report)
    del data["nb_version"]
    data[f"outcomes-{ROW}-other"] = 1
    response = _post(admin_client, report, data)
    assert response.status_code == 200 and "版本号不符" in response.content.decode()
    assert report_values(report)[NEW_OTHER] is None


def test_a_save_after_someone_approved_the_report_is_refused_not_reported_as_done(admin_client, report):
    data = _change_form_data(admin_client, report)
    services.report_transition(report=report, action="submit")
    services.report_transition(report=report, action="approve", override=True, reason="已电话核实")
    data[f"outcomes-{ROW}-other"] = 1
    response = _post(admin_client, report, data)
    assert response.status_code == 302
    shown = _messages(admin_client.get(response["Location"]))
    assert any("锁定" in m and "未保存" in m for m in shown), shown
    assert report_values(report)[NEW_OTHER] is None


def test_approving_from_a_page_opened_before_a_change_is_refused(admin_client, report, colleague):
    services.report_transition(report=report, action="submit")
    data = _change_form_data(admin_client, report)
    services.report_set_values(report=report, values={NEW_NP: 8, NEW_TOTAL: 8}, user=colleague)
    response = admin_client.post(
        reverse("admin:reports_report_transition", args=[report.pk]),
        {"nb_action": "approve", "nb_version": data["nb_version"], "nb_override": "on", "nb_reason": "核实"},
        follow=True,
    )
    said = " ".join(_messages(response))
    assert "未通过" in said and canonical.short_label(NEW_NP) in said and "colleague" in said
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_the_comparison_page_refuses_a_choice_made_before_a_newer_document(admin_client):
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    source = report.sources.get()
    services.report_set_values(report=report, values={NEW_NP: 777})  # a hand correction
    url = reverse("admin:reports_report_diff", args=[report.pk])
    response = admin_client.post(url, {"take": [NEW_NP], "nb_version": 1, "nb_source": source.pk + 1000}, follow=True)
    assert any("新的来源文件" in m for m in _messages(response))
    assert report_values(report)[NEW_NP] == 777
    version = Report.objects.get(pk=report.pk).version
    admin_client.post(url, {"take": [NEW_NP], "nb_version": version, "nb_source": source.pk})
    assert report_values(report)[NEW_NP] != 777


def test_an_approved_report_shows_no_save_buttons_and_refuses_accepting_warnings(admin_client, report):
    services.report_transition(report=report, action="submit")
    services.report_transition(report=report, action="approve", override=True, reason="已电话核实")
    page = admin_client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert 'name="_save"' not in page and 'name="_continue" value="保存"' not in page
    warning = report.issues.filter(severity="warning").first() or report.issues.filter(severity="info").first()
    assert any("锁定" in m for m in _accept_issue(admin_client, report, warning, "核实"))
    assert not report.issues.filter(accepted=True).exists()
    with pytest.raises(Exception, match="锁定"):
        services.report_take_source_values(report=report, keys=[NEW_NP])
