"""Storing a check writes only the difference: a re-check of unchanged reports writes no issue row and keeps every
已核实 mark; a changed cell replaces exactly the issues that concern it; what is stored is always what the rules
find now, in their order (on SQLite and PostgreSQL alike: the PostgreSQL path writes with arrays and COPY)."""

from __future__ import annotations

import pytest
from django.db.models import F

from reports import canonical, rules, services
from reports.models import Report, ValidationIssue
from tests.factories import label_values, make_report

pytestmark = pytest.mark.django_db

CLEAN = "expected/002_cff4ace8f11033c3.json"
ISSUED = "active_disclosure.normative_documents.issued"
NEW_TOTAL = canonical.t3("new_received", "total")
NEW_NATURAL = canonical.t3("new_received", "natural_person")


def _report_with_a_warning(**kwargs):
    """A stored report whose R10 warning (制发 1, 废止 0, 现行有效 0) a reviewer marked 已核实."""
    report = make_report(**kwargs)
    values = label_values(CLEAN)
    values.update({ISSUED: 1, "active_disclosure.normative_documents.repealed": 0,
                   "active_disclosure.normative_documents.in_force": 0})  # fmt: skip
    services.report_set_values(report=report, values=values)
    warning = report.issues.get(rule="R10")
    services.issue_accept(report=report, fingerprint=warning.fingerprint, comment="已电话核实：文件当年失效")
    return report


def _stored(report) -> list[tuple]:
    return list(
        ValidationIssue.objects.filter(report=report)
        .order_by("position")
        .values_list("pk", "rule", "severity", "keys", "message", "expected", "actual", "fingerprint", "accepted")
    )


def _expected(report) -> list[tuple]:
    """What the rules find on the stored report now, as stored rows (without ids)."""
    report = Report.objects.select_related("agency").get(pk=report.pk)
    accepted = set(report.acceptances.values_list("fingerprint", flat=True))
    return [
        (i.rule, i.severity, list(i.keys), i.message, "" if i.expected is None else str(i.expected),
         "" if i.actual is None else str(i.actual), i.fingerprint, i.fingerprint in accepted)
        for i in rules.evaluate(services.report_facts(report), services.rule_config())
    ]  # fmt: skip


def test_an_unchanged_recheck_writes_no_issue_row_and_keeps_the_marks():
    reports = [_report_with_a_warning() for _ in range(2)]
    before = {r.pk: _stored(r) for r in reports}
    counts = {
        r.pk: Report.objects.values_list("error_count", "warning_count", "info_count").get(pk=r.pk) for r in reports
    }
    assert all(any(row[-1] for row in rows) for rows in before.values())  # the 已核实 warning is stored

    result = services.reports_check([r.pk for r in reports])

    assert (result.stored.inserted, result.stored.deleted, result.stored.moved) == (0, 0, 0)
    for r in reports:
        assert _stored(r) == before[r.pk]  # the same rows, ids included
        assert Report.objects.values_list("error_count", "warning_count", "info_count").get(pk=r.pk) == counts[r.pk]
        assert Report.objects.get(pk=r.pk).validated_at is not None


def test_a_changed_cell_replaces_exactly_its_issues():
    report, other = _report_with_a_warning(), _report_with_a_warning()
    services.reports_check([report.pk, other.pk])
    before = _stored(report)
    other_before = _stored(other)
    # Break 本年新收's row total behind the services' back (a stale database): R2 on that row, R1 on its column.
    value = Report.objects.get(pk=report.pk).outcomes.get(row="new_received").total
    report.outcomes.filter(row="new_received").update(total=value + 1)

    result = services.reports_check([report.pk, other.pk])

    after = _stored(report)
    assert [row[1:] for row in after] == _expected(report)  # what the rules find now, in their order
    gone = {row[0] for row in before} - {row[0] for row in after}
    new = [row for row in after if row[0] not in {b[0] for b in before}]
    assert new and all(NEW_TOTAL in row[3] for row in new)  # only issues on the changed cell are new
    assert all(NEW_TOTAL in row[3] for row in before if row[0] in gone)  # and only such issues went
    assert {row[1] for row in new} >= {"R2"}
    kept = [row for row in after if row[0] in {b[0] for b in before}]
    assert any(row[1] == "R10" and row[-1] for row in kept)  # the 已核实 warning is the same row, still marked
    assert (result.stored.inserted, result.stored.deleted) == (len(new), len(gone))
    assert _stored(other) == other_before  # the other report of the chunk: nothing written
    assert Report.objects.get(pk=report.pk).error_count >= 1

    # Put the cell back: the issues it caused go, the rest stays as it was.
    report.outcomes.filter(row="new_received").update(total=value)
    services.reports_check([report.pk])
    assert [row[1:] for row in _stored(report)] == [row[1:] for row in before]
    assert {row[0] for row in _stored(report)} >= {row[0] for row in before if NEW_TOTAL not in row[3]}


def test_a_changed_rule_outcome_rewrites_the_stale_rows_and_keeps_the_marks():
    report = _report_with_a_warning()
    rows = _stored(report)
    # As after a change of the rules' messages: every stored row differs from what the rules find now.
    ValidationIssue.objects.filter(report=report).update(message="旧的说明")
    result = services.reports_check([report.pk])
    assert result.stored.inserted == result.stored.deleted == len(rows)
    assert [row[1:] for row in _stored(report)] == [row[1:] for row in rows] == _expected(report)


def test_an_issue_that_moves_keeps_its_row_and_gets_its_new_place():
    report = _report_with_a_warning()
    rows = _stored(report)
    # The same issues stored at other places (as when an issue before them appears or goes).
    ValidationIssue.objects.filter(report=report).update(position=F("position") + 3)
    result = services.reports_check([report.pk])
    assert (result.stored.inserted, result.stored.deleted, result.stored.moved) == (0, 0, len(rows))
    assert list(ValidationIssue.objects.filter(report=report).order_by("pk").values_list("position", flat=True)) == (
        list(range(len(rows)))
    )
    assert _stored(report) == rows


def test_accepting_and_reopening_a_warning_rewrite_no_row():
    report = _report_with_a_warning()
    rows = _stored(report)
    warning = next(row for row in rows if row[1] == "R10")
    services.issue_unaccept(report=report, fingerprint=warning[7])
    reopened = _stored(report)
    assert [row[0] for row in reopened] == [row[0] for row in rows]  # the same rows, the flag turned off
    assert not next(row for row in reopened if row[0] == warning[0])[-1]
    assert Report.objects.get(pk=report.pk).warning_count == warning_count_of(rows) + 1
    services.issue_accept(report=report, fingerprint=warning[7], comment="再次核实")
    assert _stored(report) == rows


def warning_count_of(rows) -> int:
    return sum(1 for row in rows if row[2] == "warning" and not row[-1])


def test_duplicate_issues_are_matched_one_to_one():
    report = _report_with_a_warning()
    rows = _stored(report)
    # A stored duplicate of an issue the rules find once: the surplus row goes, the original stays.
    first = ValidationIssue.objects.get(pk=rows[0][0])
    first.pk = None
    first.position = len(rows)
    first.save()
    result = services.reports_check([report.pk])
    assert (result.stored.inserted, result.stored.deleted) == (0, 1)
    assert [row[1:] for row in _stored(report)] == [row[1:] for row in rows]
