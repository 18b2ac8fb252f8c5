"""Two people on one report: a save from a page opened before someone else's change is refused whole, so
nobody's change is silently undone (the admin would write back every cell of a changed row as it showed them)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports import canonical, services
from reports.admin.report import EDITED_MEANWHILE
from reports.models import ApplicationOutcome, Report
from reports.selectors import report_values
from tests.admin.test_admin_pages import _accept_issue, _change_form_data
from tests.factories import UserFactory, make_report

pytestmark = pytest.mark.django_db

NEW_NP = canonical.t3("new_received", "natural_person")
NEW_TOTAL = canonical.t3("new_received", "total")


@pytest.fixture
def report():
    report = make_report()
    services.report_set_values(report=report, values={NEW_NP: 3, NEW_TOTAL: 3})
    return report


def _post(client, report, data):
    return client.post(reverse("admin:reports_report_change", args=[report.pk]), data)


def test_save_from_a_stale_page_is_refused_and_keeps_the_other_change(admin_client, report):
    data = _change_form_data(admin_client, report)  # the page as it was opened
    assert data["nb_edit_digest"]
    colleague = UserFactory(username="colleague")
    services.report_set_values(report=report, values={NEW_NP: 5, NEW_TOTAL: 5}, user=colleague, reason="电话核实")

    index = canonical.TABLE3_ROW_KEYS.index("new_received")
    data[f"outcomes-{index}-other"] = 1  # an edit in the same row the colleague changed
    data["title"] = "改过的标题"
    response = _post(admin_client, report, data)

    assert response.status_code == 200
    assert EDITED_MEANWHILE in response.content.decode()
    values = report_values(report)
    assert (values[NEW_NP], values[NEW_TOTAL], values[canonical.t3("new_received", "other")]) == (5, 5, None)
    assert Report.objects.get(pk=report.pk).title != "改过的标题"
    assert ApplicationOutcome.objects.get(report=report, row="new_received").history.count() == 3


def test_a_fresh_page_saves(admin_client, report):
    services.report_set_values(report=report, values={NEW_NP: 5, NEW_TOTAL: 5})
    data = _change_form_data(admin_client, report)  # opened after the change
    index = canonical.TABLE3_ROW_KEYS.index("new_received")
    data[f"outcomes-{index}-other"] = 1
    data[f"outcomes-{index}-total"] = 6
    response = _post(admin_client, report, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    values = report_values(report)
    assert (values[NEW_NP], values[canonical.t3("new_received", "other")], values[NEW_TOTAL]) == (5, 1, 6)


def test_a_text_change_meanwhile_also_counts(admin_client, report):
    data = _change_form_data(admin_client, report)
    Report.objects.filter(pk=report.pk).update(overview="同事补充的总体情况")
    data["title"] = "改过的标题"
    response = _post(admin_client, report, data)
    assert response.status_code == 200 and EDITED_MEANWHILE in response.content.decode()
    assert Report.objects.get(pk=report.pk).overview == "同事补充的总体情况"


def test_a_save_after_someone_approved_the_report_is_refused_not_reported_as_done(admin_client, report):
    data = _change_form_data(admin_client, report)
    services.report_transition(report=report, action="submit")
    services.report_transition(report=report, action="approve", override=True, reason="已电话核实")
    data[f"outcomes-{canonical.TABLE3_ROW_KEYS.index('new_received')}-other"] = 1
    response = _post(admin_client, report, data)
    assert response.status_code == 302
    shown = [str(m) for m in admin_client.get(response["Location"]).context["messages"]]
    assert any("锁定" in m and "未保存" in m for m in shown), shown
    assert report_values(report)[canonical.t3("new_received", "other")] is None


def test_an_approved_report_shows_no_save_buttons_and_refuses_accepting_warnings(admin_client, report):
    services.report_transition(report=report, action="submit")
    services.report_transition(report=report, action="approve", override=True, reason="已电话核实")
    page = admin_client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert 'name="_save"' not in page and 'name="_continue" value="保存"' not in page
    warning = report.issues.filter(severity="warning").first() or report.issues.filter(severity="info").first()
    assert any("锁定" in m for m in _accept_issue(admin_client, report, warning, "核实"))
    assert not report.issues.filter(accepted=True).exists()
    with pytest.raises(ValidationError):
        services.report_take_source_values(report=report, keys=[NEW_NP])
