"""report_update: the one write path. Under the report's row lock, a change made against an older version merges
with others' changes to other cells and is refused whole when it touches a cell someone changed since."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from reports import canonical, services
from reports.history import report_timeline
from reports.models import ApplicationOutcome, Report
from reports.roles import FILER
from reports.selectors import report_values
from reports.services import EditConflict
from tests.factories import AgencyFactory, UserFactory, make_report, make_user

pytestmark = pytest.mark.django_db

NP = canonical.t3("new_received", "natural_person")
OTHER = canonical.t3("new_received", "other")
TOTAL = canonical.t3("new_received", "total")
GRANTED = canonical.t3("granted", "total")


@pytest.fixture
def report():
    return make_report()


def test_every_change_raises_the_version_and_marks_the_cells(report):
    alice = make_user("alice")
    assert report.version == 1 and report.edit_marks == {}
    result = services.report_update(report=report, values={NP: 3, TOTAL: 3}, user=alice, reason="电话核实")
    stored = Report.objects.get(pk=report.pk)
    assert result.changed == [NP, TOTAL] and result.version == stored.version == 2
    assert stored.edit_marks[NP]["v"] == 2 and stored.edit_marks[NP]["by"] == "alice"
    assert stored.edit_marks[NP]["why"] == "电话核实"
    assert stored.updated_by == alice


def test_nothing_changed_changes_nothing(report):
    services.report_update(report=report, values={NP: 3})
    result = services.report_update(report=report, values={NP: 3}, fields={"title": ""}, base_version=2)
    assert result.changed == [] and result.changed_fields == []
    assert Report.objects.get(pk=report.pk).version == 2


def test_changes_to_other_cells_since_the_version_read_are_merged(report):
    alice, bob = make_user("alice"), make_user("bob")
    read_at = report.version
    services.report_update(report=report, values={NP: 5, TOTAL: 5}, user=alice, base_version=read_at)
    # bob read the report before alice's change and changes another cell of the same row
    result = services.report_update(report=report, values={OTHER: 1}, user=bob, base_version=read_at)
    assert result.changed == [OTHER] and result.merged == [NP, TOTAL]
    values = report_values(report)
    assert (values[NP], values[OTHER], values[TOTAL]) == (5, 1, 5)


def test_the_same_cell_changed_since_refuses_the_whole_save_naming_cell_and_person(report):
    alice, bob = make_user("alice"), make_user("bob")
    read_at = report.version
    services.report_update(report=report, values={NP: 5}, user=alice, reason="按原件更正", base_version=read_at)
    with pytest.raises(EditConflict) as refused:
        services.report_update(report=report, values={NP: 7, GRANTED: 2}, user=bob, base_version=read_at)
    message = refused.value.messages[0]
    assert canonical.short_label(NP) in message and "alice" in message and "按原件更正" in message
    assert [c.key for c in refused.value.conflicts] == [NP]
    values = report_values(report)
    assert (values[NP], values[GRANTED]) == (5, None)  # refused whole: bob's other cell is not written either
    assert Report.objects.get(pk=report.pk).version == 2


def test_setting_a_cell_to_the_value_it_already_has_is_no_conflict(report):
    read_at = report.version
    services.report_update(report=report, values={NP: 5}, user=make_user("alice"), base_version=read_at)
    result = services.report_update(report=report, values={NP: 5, OTHER: 2}, base_version=read_at)
    assert result.changed == [OTHER]


def test_texts_merge_and_conflict_like_cells(report):
    read_at = report.version
    services.report_update(report=report, fields={"overview": "同事写的总体情况"}, user=make_user("alice"))
    merged = services.report_update(report=report, fields={"title": "新标题"}, base_version=read_at)
    assert merged.changed_fields == ["title"] and merged.merged == ["overview"]
    with pytest.raises(EditConflict, match="一、总体情况"):
        services.report_update(report=report, fields={"overview": "我写的"}, base_version=read_at)
    stored = Report.objects.get(pk=report.pk)
    assert (stored.title, stored.overview) == ("新标题", "同事写的总体情况")


def test_a_version_the_report_never_had_is_refused(report):
    for bad in (0, report.version + 1):
        with pytest.raises(ValidationError, match="版本号不符"):
            services.report_update(report=report, values={NP: 1}, base_version=bad)
    assert report_values(report)[NP] is None


def test_access_and_lock_are_checked_under_the_lock(report):
    stranger = UserFactory(username="stranger")
    stranger.groups.add(Group.objects.get(name=FILER))
    AgencyFactory().members.add(stranger)
    with pytest.raises(PermissionDenied):
        services.report_update(report=report, values={NP: 1}, user=stranger)
    services.report_transition(report=report, action="submit")
    services.report_transition(report=report, action="approve", override=True, reason="测试")
    with pytest.raises(ValidationError, match="锁定"):
        services.report_update(report=report, values={NP: 1})
    assert report_values(report)[NP] is None


def test_history_shows_each_person_only_their_own_cells(report):
    """The lost-update bug wrote stale rows back, so the history showed the second saver changing the first
    saver's cell back. Rows are read under the lock and only changed cells are written."""
    alice, bob = make_user("alice"), make_user("bob")
    read_at = report.version
    services.report_update(report=report, values={NP: 5}, user=alice, base_version=read_at)
    services.report_update(report=report, values={OTHER: 1}, user=bob, base_version=read_at)
    changes = {(e.user, c.key, c.old, c.new) for e in report_timeline(report) for c in e.changes}
    assert changes == {("alice", NP, None, 5), ("bob", OTHER, None, 1)}
    row = ApplicationOutcome.objects.get(report=report, row="new_received")
    last = row.history.order_by("-history_id").first()
    assert (last.history_user, last.natural_person, last.other) == (bob, 5, 1)


def test_an_approval_of_figures_changed_after_the_page_was_read_is_refused(report):
    services.report_transition(report=report, action="submit")
    read_at = Report.objects.get(pk=report.pk).version
    services.report_update(report=report, values={NP: 9}, user=make_user("alice"))
    with pytest.raises(ValidationError, match="未通过"):
        services.report_transition(report=report, action="approve", base_version=read_at, override=True, reason="x")
    assert Report.objects.get(pk=report.pk).status == "submitted"
    fresh = Report.objects.get(pk=report.pk).version
    services.report_transition(report=report, action="approve", base_version=fresh, override=True, reason="已核")
    assert Report.objects.get(pk=report.pk).status == "approved"


def test_workflow_steps_raise_the_version(report):
    before = Report.objects.get(pk=report.pk).version
    services.report_transition(report=report, action="submit")
    assert Report.objects.get(pk=report.pk).version == before + 1
