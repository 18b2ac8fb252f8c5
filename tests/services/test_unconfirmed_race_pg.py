"""Confirming cells and approving the report at the same instant, on PostgreSQL: two threads with their own
connections, released together. Whatever the order, an approved report has no cell that still needs a person, and
a confirmation is never written to an approved report.

SQLite has a single writer and no row locks to race on; these run in the PostgreSQL pass of `make test` / CI.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reports import services
from reports.models import CellConfirmation, Report, ReportEvent
from reports.models.report import ReportLockedError
from reports.parsing import parse_document
from reports.selectors import report_values
from tests.admin.test_concurrent_saves_pg import ON_POSTGRES, together
from tests.factories import AgencyFactory, make_user
from tests.services.test_unconfirmed_gate import LICENSING, blotted_document, needing

ROUNDS = 10

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="row locks are raced on PostgreSQL (DATABASE_URL=postgres://…)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def imported_blotted(n: int) -> tuple[Report, list[str]]:
    data, name = blotted_document()
    parsed = parse_document(data, name)
    agency = AgencyFactory(name=f"{parsed.agency}{n}")
    report = services.report_import(parsed=parsed, data=data, agency=agency).report
    return report, sorted(needing(parsed))


def attempt(service, **kwargs):
    """A service call to run in a thread; its refusal (a ValidationError) is an outcome, not a failure."""

    def run():
        try:
            service(**kwargs)
            return "done"
        except (ValidationError, ReportLockedError) as exc:
            return exc

    return run


def test_confirm_racing_approve_never_approves_an_unconfirmed_report():
    reviewer, other = make_user("reviewer"), make_user("other")
    orders = set()
    for n in range(ROUNDS):
        report, pending = imported_blotted(n)
        version = report.version
        confirm, approve = together(
            attempt(services.cells_confirm, report=report, keys=pending, user=reviewer, base_version=version),
            attempt(services.report_transition, report=report, action="approve", user=other),
        )
        assert confirm == "done", (n, confirm)  # confirming is never refused: the report is not approved yet
        stored = Report.objects.get(pk=report.pk)
        assert stored.unconfirmed_count == 0
        if approve == "done":  # approved only after the confirmation landed
            orders.add("confirm first")
            assert stored.status == "approved"
            confirmed_at = ReportEvent.objects.get(report=report, kind="confirm").at
            approved_at = ReportEvent.objects.get(report=report, kind="status", to_status="approved").at
            assert confirmed_at <= approved_at
        else:
            orders.add("approve first")
            assert "待人工确认" in approve.messages[0] and stored.status == "submitted"
    assert orders  # each round ended one of the two ways


def test_a_change_making_a_cell_need_a_person_again_racing_approve():
    """A confirmed cell changed by a write that is not a person's reading (a sheet, a new document) while someone
    approves: either the approval wins and the change is refused, or the change lands and the approval is refused."""
    reviewer, other = make_user("reviewer"), make_user("other")
    for n in range(ROUNDS):
        report, pending = imported_blotted(n)
        services.cells_confirm(report=report, keys=pending, user=reviewer)
        change, approve = together(
            attempt(services.report_update, report=report, values={LICENSING: 9}, user=reviewer),
            attempt(services.report_transition, report=report, action="approve", user=other),
        )
        stored = Report.objects.get(pk=report.pk)
        value = report_values(stored)[LICENSING]
        if stored.status == "approved":
            assert approve == "done" and isinstance(change, ValidationError), n
            assert value is None and stored.unconfirmed_count == 0
        else:
            assert change == "done" and isinstance(approve, ValidationError), n
            assert value == 9 and stored.unconfirmed_count == 1
            assert CellConfirmation.objects.get(report=report, key=LICENSING).value == ""  # lapsed, kept
