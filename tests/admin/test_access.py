"""Roles are enforced in querysets and services: a 填报员 sees only their own agency, even by URL."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports import services
from reports.roles import FILER, REVIEWER
from tests.admin.test_admin_pages import _accept_issue, _change_form_data
from tests.factories import FIXTURES, AgencyFactory, UserFactory, import_file, make_report

pytestmark = pytest.mark.django_db


def login_as(client, role, username, agency=None):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    if agency is not None:
        agency.members.add(user)
    client.force_login(user)
    return user


@pytest.fixture
def two_reports():
    mine = import_file("samples/002_cff4ace8f11033c3.txt").report
    theirs = import_file("samples/000_0644fa4e77b34486.txt").report
    return mine, theirs


def test_filer_sees_only_own_agency(client, two_reports):
    mine, theirs = two_reports
    login_as(client, FILER, "filer", mine.agency)
    listing = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert str(mine.agency) in listing and str(theirs.agency) not in listing
    assert client.get(reverse("admin:reports_report_change", args=[mine.pk])).status_code == 200
    # another agency's report by URL: not found, like a report that does not exist
    for name, args in [
        ("admin:reports_report_change", [theirs.pk]),
        ("admin:reports_report_timeline", [theirs.pk]),
        ("admin:reports_report_diff", [theirs.pk]),
        ("admin:reports_report_source", [theirs.pk, theirs.sources.get().pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code in (302, 404), name
        assert response.status_code == 404 or "/admin/" in response["Location"]
    assert client.get(reverse("admin:reports_report_source", args=[mine.pk, mine.sources.get().pk])).status_code == 200
    agencies = client.get(reverse("admin:agencies_agency_changelist")).content.decode()
    assert str(mine.agency) in agencies and str(theirs.agency) not in agencies


def test_filer_cannot_approve_through_the_admin(client, two_reports):
    mine, _ = two_reports
    login_as(client, FILER, "filer", mine.agency)
    page = client.get(reverse("admin:reports_report_change", args=[mine.pk])).content.decode()
    assert 'value="approve"' not in page and 'value="start_review"' not in page
    client.post(reverse("admin:reports_report_transition", args=[mine.pk]), {"nb_action": "approve"})
    mine.refresh_from_db()
    assert mine.status == "submitted"
    client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "approve_selected", "_selected_action": [mine.pk]},
    )
    mine.refresh_from_db()
    assert mine.status == "submitted"


def test_filer_cannot_post_transitions_for_other_agencies(client, two_reports):
    mine, theirs = two_reports
    login_as(client, FILER, "filer", mine.agency)
    response = client.post(reverse("admin:reports_report_transition", args=[theirs.pk]), {"nb_action": "submit"})
    assert response.status_code == 404


def test_reviewer_sees_all_and_approves_in_bulk_only_clean_reports(client, two_reports):
    mine, theirs = two_reports
    login_as(client, REVIEWER, "reviewer")
    listing = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert str(mine.agency) in listing and str(theirs.agency) in listing
    broken = make_report(agency=AgencyFactory(), year=2023)
    services.report_set_values(report=broken, values={"applications.granted.total": 4})
    services.report_transition(report=broken, action="submit")
    assert broken.__class__.objects.get(pk=broken.pk).error_count > 0
    response = client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "approve_selected", "_selected_action": [mine.pk, theirs.pk, broken.pk]},
        follow=True,
    )
    statuses = {r.pk: r.status for r in broken.__class__.objects.all()}
    assert statuses[broken.pk] == "submitted"
    assert statuses[mine.pk] == ("approved" if mine.error_count == 0 else "submitted")
    assert "未批量通过" in " ".join(str(m) for m in response.context["messages"])

    # once more: an approved report with errors (approved with an override) is not reported as refused
    services.report_transition(report=broken, action="approve", override=True, reason="领导同意")
    again = client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "approve_selected", "_selected_action": [broken.pk]},
        follow=True,
    )
    said = " ".join(str(m) for m in again.context["messages"])
    assert "1 份报告已是“已通过”" in said and "未批量通过" not in said


def test_bulk_return_asks_for_a_reason(client, two_reports):
    mine, theirs = two_reports
    login_as(client, REVIEWER, "reviewer")
    url = reverse("admin:reports_report_changelist")
    page = client.post(url, {"action": "return_selected", "_selected_action": [mine.pk, theirs.pk]})
    assert page.status_code == 200 and "退回原因" in page.content.decode()
    client.post(
        url,
        {
            "action": "return_selected",
            "_selected_action": [mine.pk, theirs.pk],
            "nb_return_confirm": "1",
            "reason": "请补充信息处理费情况",
        },
    )
    mine.refresh_from_db()
    assert mine.status == "returned" and mine.return_reason == "请补充信息处理费情况"
    page = client.get(reverse("admin:reports_report_change", args=[mine.pk])).content.decode()
    assert "已退回" in page and "请补充信息处理费情况" in page


def test_approved_report_is_read_only_in_the_admin(admin_client, two_reports):

    mine, _ = two_reports
    services.report_transition(report=mine, action="approve", override=True, reason="测试")
    page = admin_client.get(reverse("admin:reports_report_change", args=[mine.pk])).content.decode()
    assert "已通过审核并锁定" in page and 'name="outcomes-0-total"' not in page
    before = mine.outcomes.get(row="new_received").total
    data = _change_form_data(admin_client, mine)
    data["outcomes-0-total"] = (before or 0) + 50
    admin_client.post(reverse("admin:reports_report_change", args=[mine.pk]), data)
    assert mine.outcomes.get(row="new_received").total == before


def test_filer_cannot_read_another_agencys_history_pages(client, two_reports):
    """django-simple-history's own pages (版本列表 and one version) follow the same rules as the change page."""
    mine, theirs = two_reports
    login_as(client, FILER, "filer", mine.agency)
    version = theirs.history.latest().history_id
    for name, args in [
        ("admin:reports_report_history", [theirs.pk]),
        ("admin:reports_report_simple_history", [theirs.pk, version]),
        ("admin:agencies_agency_history", [theirs.agency.pk]),
        ("admin:agencies_agency_simple_history", [theirs.agency.pk, theirs.agency.history.latest().history_id]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    own = client.get(reverse("admin:reports_report_simple_history", args=[mine.pk, mine.history.latest().history_id]))
    assert own.status_code == 200


def test_old_versions_are_view_only(admin_client, two_reports):
    """Reverting would write an old version past the services (lock, validation, timeline)."""
    report, _ = two_reports
    first = report.history.earliest().history_id
    services.report_transition(report=report, action="return", reason="请补充总体情况")
    url = reverse("admin:reports_report_simple_history", args=[report.pk, first])
    page = admin_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = admin_client.post(url, {"status": "submitted", "year": report.year, "agency": report.agency_id})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned" and report.return_reason == "请补充总体情况"


def test_only_reviewers_mark_warnings_as_checked(client, two_reports):
    mine, _ = two_reports
    services.report_set_values(report=mine, values={"applications.granted.total": 999})  # an error (R2)
    services.report_transition(report=mine, action="return", reason="请核实")  # editable by the filer again
    mine.refresh_from_db()
    warning = mine.issues.filter(severity="warning").first()
    assert warning is not None and mine.error_count > 0
    login_as(client, FILER, "filer", mine.agency)
    page = client.get(reverse("admin:reports_report_change", args=[mine.pk])).content.decode()
    assert "reports_report_accept_issue" not in page and "/issues/accept/" not in page
    assert 'name="nb_override"' not in page  # no override offered to who cannot approve
    assert any("只有审核员" in m for m in _accept_issue(client, mine, warning, "本乡核实无误"))
    assert not mine.issues.filter(accepted=True).exists()


def test_a_filer_cannot_change_a_report_once_handed_in(client, two_reports, tmp_path):
    from django.core.exceptions import PermissionDenied

    from reports import canonical
    from reports.selectors import report_values

    mine, _ = two_reports  # imported: 已提交
    key = canonical.t3("granted", "natural_person")
    filer = login_as(client, FILER, "filer", mine.agency)
    page = client.get(reverse("admin:reports_report_change", args=[mine.pk])).content.decode()
    assert 'name="_save"' not in page  # read-only for the filer
    with pytest.raises(PermissionDenied):
        services.report_set_values(report=mine, values={key: 99}, user=filer)
    text = mine.sources.get().file.read().decode("utf-8").replace("行政处罚", "行政处罚 ", 1)
    (tmp_path / "v2.txt").write_text(text, encoding="utf-8")
    with pytest.raises(PermissionDenied):
        import_file(tmp_path / "v2.txt", agency=mine.agency, user=filer)
    assert report_values(mine)[key] != 99 and mine.sources.count() == 1

    # returned, it is the filer's to correct again
    services.report_transition(report=mine, action="return", reason="请更正")
    data = _change_form_data(client, mine)
    data[f"outcomes-{canonical.TABLE3_ROW_KEYS.index('granted')}-natural_person"] = 7
    assert client.post(reverse("admin:reports_report_change", args=[mine.pk]), data).status_code == 302
    assert report_values(mine)[key] == 7
    # a reviewer may still correct a report under review
    services.report_transition(report=mine, action="submit", user=filer)
    services.report_transition(report=mine, action="start_review")
    reviewer = login_as(client, REVIEWER, "reviewer")
    services.report_set_values(report=mine, values={key: 8}, user=reviewer)
    assert report_values(mine)[key] == 8


def test_a_filer_is_told_they_import_only_for_their_own_agency(client):
    from reports.services import batch

    own = AgencyFactory(name="彭阳县新集乡人民政府")
    filer = login_as(client, FILER, "filer", own)
    doc = FIXTURES / "samples" / "001_a7e4ba11a3b1e26d.txt"  # 安远县版石镇
    item = batch.preview(batch.Incoming(doc.name, doc.read_bytes()), user=filer)
    with pytest.raises(ValidationError, match="填报员只能导入本机关的报告"):
        batch.import_preview(item, user=filer)
