"""Nothing unread goes through: a report with cells nobody has read (unread by the parser, or filled by arithmetic)
cannot be approved until a person has typed or confirmed each; a 管理员 may override with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports import services
from reports.history import report_timeline
from reports.models import CellConfirmation, ReportEvent
from reports.models.report import ReportLockedError
from reports.parsing import parse_document
from reports.selectors import report_values
from tests.factories import FIXTURES, AgencyFactory, make_user

pytestmark = pytest.mark.django_db

SAMPLE = FIXTURES / "samples" / "002_cff4ace8f11033c3.txt"
LICENSING = "active_disclosure.licensing.decisions"
NEW_NATURAL = "applications.new_received.natural_person"


def blotted_document() -> tuple[bytes, str]:
    """A real report with two figures blotted out: 行政许可 in 表二 (no identity can give it back: unread) and
    the first figure of 表三's 一、本年新收 row (the row's arithmetic may fill it: inferred)."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("行政许可\t0", "行政许可\t■", 1)
    text = text.replace("一、本年新收政府信息公开申请数量\t\t0", "一、本年新收政府信息公开申请数量\t\t■", 1)
    return text.encode("utf-8"), "blotted.txt"


def needing(parsed) -> set[str]:
    return {k for k, src in parsed.provenance.items() if src.missing or src.inferred}


@pytest.fixture
def imported():
    """The blotted report imported (已提交), with what its reading left to a person."""
    data, name = blotted_document()
    parsed = parse_document(data, name)
    agency = AgencyFactory(name=parsed.agency)
    result = services.report_import(parsed=parsed, data=data, agency=agency)
    report = result.report
    report.refresh_from_db()
    return report, parsed


def test_import_keeps_unread_and_inferred_cells_and_counts_them(imported):
    report, parsed = imported
    expected = needing(parsed)
    assert LICENSING in expected  # a blot is never read
    assert report.unconfirmed_count == len(expected)
    assert set(report.unread_keys) | set(report.inferred_keys) == expected
    for key, identity in report.inferred_keys.items():
        assert parsed.provenance[key].inferred and identity  # each names what it rests on


def test_unconfirmed_report_cannot_be_approved(imported):
    report, parsed = imported
    reviewer = make_user("reviewer")
    with pytest.raises(ValidationError) as refused:
        services.report_transition(report=report, action="approve", user=reviewer)
    assert "待人工确认" in refused.value.messages[0] and "行政许可" in refused.value.messages[0]
    report.refresh_from_db()
    assert report.status == "submitted"
    # the error override of a reviewer does not wave unread cells through
    with pytest.raises(ValidationError):
        services.report_transition(report=report, action="approve", user=reviewer, override=True, reason="核对过")


def test_confirmed_and_typed_cells_let_it_through(imported):
    report, parsed = imported
    reviewer = make_user("reviewer")
    rest = sorted(needing(parsed) - {LICENSING})
    # typing a value in the unread cell (the report page) is a person's reading of it
    services.report_update(
        report=report, values={LICENSING: 3}, user=reviewer, base_version=report.version, read_by_person=True
    )
    report.refresh_from_db()
    assert report.unconfirmed_count == len(rest)
    typed = CellConfirmation.objects.get(report=report, key=LICENSING)
    assert typed.typed and typed.value == "3" and typed.confirmed_by == reviewer
    if rest:
        with pytest.raises(ValidationError):
            services.report_transition(report=report, action="approve", user=reviewer)
        services.cells_confirm(
            report=report, keys=rest, user=reviewer, comment="已对照原文", base_version=report.version
        )
    report.refresh_from_db()
    assert report.unconfirmed_count == 0
    services.report_transition(report=report, action="approve", user=reviewer)
    report.refresh_from_db()
    assert report.status == "approved"


def test_a_value_written_by_a_document_or_sheet_is_not_a_persons_reading(imported):
    report, _ = imported
    before = report.unconfirmed_count
    services.report_update(report=report, values={LICENSING: 3}, user=make_user("reviewer"))
    report.refresh_from_db()
    assert report.unconfirmed_count == before
    assert not CellConfirmation.objects.filter(report=report).exists()


def test_confirmation_lapses_when_the_value_changes(imported):
    report, _ = imported
    reviewer = make_user("reviewer")
    services.cells_confirm(report=report, keys=[LICENSING], user=reviewer)
    report.refresh_from_db()
    after_confirm = report.unconfirmed_count
    assert CellConfirmation.objects.get(report=report, key=LICENSING).value == ""  # confirmed blank
    # a later write that is not a person's reading (e.g. a flat sheet) changes it: it needs a person again
    services.report_update(report=report, values={LICENSING: 7}, user=reviewer)
    report.refresh_from_db()
    assert report.unconfirmed_count == after_confirm + 1
    pending, _ = services.pending_cells(report)
    lapsed = next(c for c in pending if c.key == LICENSING)
    assert lapsed.confirmation is not None and lapsed.value == 7


def test_confirm_mark_is_in_the_history(imported):
    report, _ = imported
    reviewer = make_user("reviewer")
    services.cells_confirm(report=report, keys=[LICENSING], user=reviewer, comment="原文此格为空白")
    event = ReportEvent.objects.get(report=report, kind="confirm")
    assert event.user == reviewer and event.details["keys"] == [LICENSING]
    entries = [e for e in report_timeline(report) if e.kind == "人工确认"]
    assert len(entries) == 1 and "行政许可" in entries[0].summary and "原文此格为空白" in entries[0].summary
    assert entries[0].user == "reviewer"


def test_only_pending_cells_can_be_confirmed(imported):
    report, _ = imported
    reviewer = make_user("reviewer")
    with pytest.raises(ValidationError):
        services.cells_confirm(report=report, keys=["applications.granted.total"], user=reviewer)  # read fine
    services.cells_confirm(report=report, keys=[LICENSING], user=reviewer)
    with pytest.raises(ValidationError):  # already confirmed at this value
        services.cells_confirm(report=report, keys=[LICENSING], user=reviewer)
    with pytest.raises(ValidationError):
        services.cells_confirm(report=report, keys=[], user=reviewer)


def test_confirm_refused_when_the_cell_changed_since_the_page(imported):
    report, _ = imported
    reviewer, other = make_user("reviewer"), make_user("other")
    seen = report.version
    services.report_update(report=report, values={LICENSING: 5}, user=other, base_version=seen)
    with pytest.raises(ValidationError) as refused:
        services.cells_confirm(report=report, keys=[LICENSING], user=reviewer, base_version=seen)
    assert "other" in refused.value.messages[0]
    assert not CellConfirmation.objects.filter(report=report, key=LICENSING).exists()


def test_a_user_of_another_agency_cannot_confirm(imported):
    report, _ = imported
    stranger = make_user("stranger", "填报员", agency=AgencyFactory())
    with pytest.raises(PermissionDenied):
        services.cells_confirm(report=report, keys=[LICENSING], user=stranger)
    assert not CellConfirmation.objects.filter(report=report).exists()
    assert not ReportEvent.objects.filter(report=report, kind="confirm").exists()


def test_own_filer_confirms_only_while_the_report_is_theirs(imported):
    report, _ = imported
    filer = make_user("filer", "填报员", agency=report.agency)
    with pytest.raises(PermissionDenied):  # 已提交: the reviewers' now
        services.cells_confirm(report=report, keys=[LICENSING], user=filer)
    services.report_transition(report=report, action="return", user=make_user("reviewer"), reason="请核对")
    assert services.cells_confirm(report=report, keys=[LICENSING], user=filer) == [LICENSING]


def test_override_with_reason_is_for_administrators_only(imported):
    report, _ = imported
    reviewer, admin = make_user("reviewer"), make_user("boss", "管理员")
    with pytest.raises(PermissionDenied):
        services.report_transition(
            report=report, action="approve", user=reviewer, override_unconfirmed=True, reason="原件已核"
        )
    with pytest.raises(ValidationError):  # no reason
        services.report_transition(report=report, action="approve", user=admin, override_unconfirmed=True)
    report.refresh_from_db()
    assert report.status == "submitted"
    services.report_transition(
        report=report, action="approve", user=admin, override_unconfirmed=True, reason="原件已电话核实"
    )
    report.refresh_from_db()
    assert report.status == "approved" and report.approval_note == "原件已电话核实"
    event = ReportEvent.objects.get(report=report, kind="status", to_status="approved")
    assert event.details["override_unconfirmed"] and LICENSING in event.details["unconfirmed"]
    assert any("待人工确认" in e.summary for e in report_timeline(report))


def test_approved_report_cannot_be_confirmed(imported):
    report, _ = imported
    admin = make_user("boss", "管理员")
    services.report_transition(report=report, action="approve", user=admin, override_unconfirmed=True, reason="核")
    with pytest.raises(ReportLockedError):
        services.cells_confirm(report=report, keys=[LICENSING], user=admin)


def test_new_version_keeps_confirmations_of_unchanged_cells(imported):
    report, parsed = imported
    reviewer = make_user("reviewer")
    services.cells_confirm(report=report, keys=sorted(needing(parsed)), user=reviewer)
    report.refresh_from_db()
    assert report.unconfirmed_count == 0
    # the same blotted figures again, in a file that differs only in its title line: nothing needs a person anew
    data, _ = blotted_document()
    data = data.replace("年度报告".encode(), "年度报告（更正版）".encode(), 1)
    again = parse_document(data, "blotted-v2.txt")
    services.report_import(parsed=again, data=data, agency=report.agency, user=reviewer)
    report.refresh_from_db()
    assert report.unconfirmed_count == 0
    assert report_values(report)[LICENSING] is None


def test_import_message_says_how_many_cells_need_a_person(imported):
    report, parsed = imported
    data, _ = blotted_document()
    again = services.report_import(
        parsed=parse_document(data + b"\n", "blotted-v2.txt"), data=data + b"\n", agency=report.agency
    )
    assert f"待人工确认 {len(needing(parsed))} 格" in again.message
