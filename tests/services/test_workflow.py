"""The review workflow: reasons, the error override, the approval lock and reopening."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from reports import canonical, services
from reports.models import ReportEvent
from reports.models.report import ReportLockedError
from reports.roles import ADMINISTRATOR, FILER, REVIEWER
from tests.factories import UserFactory, label_values, make_report

pytestmark = pytest.mark.django_db


def user_in(role, username, agency=None):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    if agency is not None:
        agency.members.add(user)
    return user


@pytest.fixture
def report():
    report = make_report()
    services.report_set_values(report=report, values=label_values("expected/002_cff4ace8f11033c3.json"))
    report.refresh_from_db()
    return report


def test_full_path_to_approval_and_lock(report):
    filer = user_in(FILER, "filer", report.agency)
    reviewer = user_in(REVIEWER, "reviewer")
    services.report_transition(report=report, action="submit", user=filer)
    services.report_transition(report=report, action="start_review", user=reviewer)
    services.report_transition(report=report, action="approve", user=reviewer)
    report.refresh_from_db()
    assert report.status == "approved" and report.is_locked
    steps = list(
        ReportEvent.objects.filter(report=report, kind="status")
        .order_by("at", "pk")
        .values_list("from_status", "to_status")
    )
    assert steps == [("draft", "submitted"), ("submitted", "reviewing"), ("reviewing", "approved")]
    # locked: texts, cells and status cannot change without reopening
    report.title = "改过的标题"
    with pytest.raises(ReportLockedError):
        report.save()
    report.refresh_from_db()
    row = report.outcomes.get(row="granted")
    row.total = 99
    with pytest.raises(ReportLockedError):
        row.save()
    report.status = "draft"
    with pytest.raises(ReportLockedError):
        report.save()


def test_filer_cannot_review_or_approve(report):
    filer = user_in(FILER, "filer", report.agency)
    services.report_transition(report=report, action="submit", user=filer)
    for action in ("start_review", "approve"):
        with pytest.raises(PermissionDenied):
            services.report_transition(report=report, action=action, user=filer)
    report.refresh_from_db()
    assert report.status == "submitted"


def test_return_needs_a_reason_and_records_failing_rules(report):
    reviewer = user_in(REVIEWER, "reviewer")
    services.report_set_values(report=report, values={canonical.t3("granted", "total"): 999})
    services.report_transition(report=report, action="submit")
    with pytest.raises(ValidationError, match="理由"):
        services.report_transition(report=report, action="return", user=reviewer, reason="  ")
    services.report_transition(report=report, action="return", user=reviewer, reason="表三不平衡，请核实")
    report.refresh_from_db()
    assert report.status == "returned" and report.return_reason == "表三不平衡，请核实"
    event = ReportEvent.objects.get(report=report, to_status="returned")
    assert any(line.startswith("R2 ") for line in event.details["issues"])
    # the agency fixes it and submits again
    services.report_transition(report=report, action="submit")
    report.refresh_from_db()
    assert report.status == "submitted"


def test_approval_with_errors_needs_override_and_comment(report):
    reviewer = user_in(REVIEWER, "reviewer")
    services.report_set_values(report=report, values={canonical.t3("granted", "total"): 999})
    services.report_transition(report=report, action="submit")
    with pytest.raises(ValidationError, match="忽略错误通过"):
        services.report_transition(report=report, action="approve", user=reviewer)
    with pytest.raises(ValidationError):
        services.report_transition(report=report, action="approve", user=reviewer, override=True, reason="")
    services.report_transition(report=report, action="approve", user=reviewer, override=True, reason="原文如此，已报备")
    event = ReportEvent.objects.get(report=report, to_status="approved")
    assert event.details["override"] and event.reason == "原文如此，已报备"


def test_reopen_needs_permission_and_reason(report):
    reviewer = user_in(REVIEWER, "reviewer")
    admin_user = user_in(ADMINISTRATOR, "chief")
    services.report_transition(report=report, action="submit")
    services.report_transition(report=report, action="approve", user=reviewer)
    with pytest.raises(PermissionDenied):
        services.report_transition(report=report, action="reopen", user=reviewer, reason="更正")
    with pytest.raises(ValidationError):
        services.report_transition(report=report, action="reopen", user=admin_user, reason="")
    services.report_transition(report=report, action="reopen", user=admin_user, reason="单位来函更正数据")
    report.refresh_from_db()
    assert report.status == "reviewing" and not report.is_locked
    services.report_set_values(report=report, values={"active_disclosure.punishment.decisions": 3})


def test_transition_from_wrong_state_is_refused(report):
    with pytest.raises(ValidationError, match="不能"):
        services.report_transition(report=report, action="reopen", reason="x")
