"""An agency's system writing through the API at the same instant as a reviewer saves the report page, on
PostgreSQL: two threads with their own connections, released together, twelve times over. A write reported as done
is there afterwards; one that cannot be merged is refused (409) naming the cell; nothing answers 500.

SQLite has one writer and no row locks to race on; these run in the PostgreSQL pass of `make test` / CI.
"""

from __future__ import annotations

import pytest

from reports import canonical, services
from reports.models import Report
from reports.roles import FILER
from reports.selectors import report_values
from tests.admin.test_admin_pages import _change_form_data
from tests.admin.test_concurrent_saves_pg import ON_POSTGRES, ROUNDS, cell_field, client_for, post, together
from tests.api.conftest import api_client
from tests.factories import make_report, make_user

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="row locks are raced on PostgreSQL (DATABASE_URL=postgres://…)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROWS = canonical.TABLE3_ROW_KEYS
COLUMNS = canonical.TABLE3_COLUMN_KEYS


@pytest.fixture
def people():
    report = make_report()
    system = make_user("system", role=FILER, agency=report.agency)
    reviewer = make_user("reviewer")
    return report, api_client(system), client_for(reviewer)


def patch(client, report, version, cells):
    return lambda: client.patch(f"/api/reports/{report.pk}/", {"version": version, "cells": cells}, format="json")


def test_an_api_write_and_an_admin_save_of_different_cells_both_land(people):
    report, api, admin = people
    for n in range(ROUNDS):
        mine = canonical.t3(ROWS[n % len(ROWS)], COLUMNS[n % 7])
        theirs = canonical.t3(ROWS[n % len(ROWS)], COLUMNS[(n + 3) % 7])  # the same row, another column
        page = _change_form_data(admin, report)
        version = api.get(f"/api/reports/{report.pk}/cells/").json()["version"]
        page[cell_field(theirs)] = 200 + n
        written, saved = together(patch(api, report, version, {mine: 100 + n}), post(admin, report, page))
        assert (written.status_code, saved.status_code) == (200, 302), (n, written.content)
        values = report_values(report)
        assert (values[mine], values[theirs]) == (100 + n, 200 + n), n
    assert Report.objects.get(pk=report.pk).version == 1 + 2 * ROUNDS


def test_an_api_write_and_an_admin_save_of_the_same_cell_one_wins_the_other_is_told(people):
    report, api, admin = people
    for n in range(ROUNDS):
        key = canonical.t3(ROWS[n], "total")
        page = _change_form_data(admin, report)
        version = api.get(f"/api/reports/{report.pk}/cells/").json()["version"]
        page[cell_field(key)] = 200 + n
        written, saved = together(patch(api, report, version, {key: 100 + n}), post(admin, report, page))
        codes = (written.status_code, saved.status_code)
        assert codes in ((200, 409), (409, 302)), (n, codes)
        stored = report_values(report)[key]
        if written.status_code == 200:
            assert stored == 100 + n and "system" in saved.content.decode(), n
        else:
            body = written.json()
            assert stored == 200 + n and body["code"] == "conflict", n
            assert [(c["key"], c["by"]) for c in body["conflicts"]] == [(key, "reviewer")], n


def test_an_api_write_racing_an_approval_is_either_stored_or_refused_never_lost(people):
    report, api, _ = people
    approver = api_client(make_user("approver"))
    key = canonical.t3("granted", "natural_person")
    services.report_transition(report=report, action="submit")
    for n in range(ROUNDS):
        # a reviewer-side system writes here: a filer cannot write a handed-in report at all
        version = approver.get(f"/api/reports/{report.pk}/cells/").json()["version"]
        approve = {"action": "approve", "version": version, "override": True, "reason": "核"}
        written, approved = together(
            patch(approver, report, version, {key: 300 + n}),
            lambda approve=approve: approver.post(f"/api/reports/{report.pk}/transition/", approve, format="json"),
        )
        status = Report.objects.get(pk=report.pk).status
        stored = report_values(report)[key]
        if written.status_code == 200:
            assert stored == 300 + n, n
            # the approval, of the version read before the write, is refused: nobody approves unseen figures
            assert approved.status_code == 409 and approved.json()["code"] == "conflict" and status != "approved", n
        else:
            assert written.status_code == 409 and written.json()["code"] == "locked", (n, written.content)
            assert approved.status_code == 200 and status == "approved" and stored != 300 + n, n
        if status == "approved":
            services.report_transition(report=report, action="reopen", reason="下一轮")


def test_two_systems_creating_the_same_report_get_one_report_and_a_409(people):
    report, api, _ = people
    other = api_client(make_user("other_system", role=FILER, agency=report.agency))
    for n in range(ROUNDS):
        body = {"agency": report.agency_id, "year": 2030 + n, "cells": {canonical.t3("granted", "total"): n}}
        responses = together(*(lambda c=c, b=body: c.post("/api/reports/", b, format="json") for c in (api, other)))
        codes = sorted(r.status_code for r in responses)
        assert codes == [201, 409], (n, codes, [r.content for r in responses])
        refused = next(r for r in responses if r.status_code == 409).json()
        assert refused["code"] == "exists" and "已存在" in refused["detail"]
        created = Report.objects.get(agency=report.agency, year=2030 + n)
        assert report_values(created)[canonical.t3("granted", "total")] == n
