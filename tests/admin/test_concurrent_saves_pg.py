"""Two people (or a person and an import) writing one report at the same instant, on PostgreSQL: two threads, each
with its own connection, released together by a barrier, twelve times over. No save reported as done is missing
afterwards; a save that cannot be merged is refused with a message naming the cell; nothing answers 500.

SQLite has a single writer and no row locks to race on; these run in the PostgreSQL pass of `make test` / CI.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from reports import canonical, services
from reports.history import report_timeline
from reports.models import Report
from reports.parsing import parse_document
from reports.selectors import report_values
from tests.admin.test_admin_pages import _change_form_data
from tests.factories import FIXTURES, AgencyFactory, import_file, make_report, make_user

ROUNDS = 12
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="row locks are raced on PostgreSQL (DATABASE_URL=postgres://…)"),
    # Threads need committed data; the flush afterwards would drop the migrated roles: restore them.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROWS = canonical.TABLE3_ROW_KEYS
COLUMNS = canonical.TABLE3_COLUMN_KEYS


def together(*jobs):
    """Run the jobs in threads released at the same instant; their results (an exception fails the test)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i, job):
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except BaseException as exc:  # a 500 raises here (the test client re-raises the view's exception)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, report, data, url=None):
    url = url or reverse("admin:reports_report_change", args=[report.pk])
    return lambda: client.post(url, data)


def cell_field(key: str) -> str:
    _, row, col = key.split(".")
    return f"outcomes-{ROWS.index(row)}-{col}"


@pytest.fixture
def reviewers():
    alice, bob = make_user("alice"), make_user("bob")
    return (alice, client_for(alice)), (bob, client_for(bob))


def test_two_reviewers_changing_different_cells_both_keep_their_change(reviewers):
    (alice, alice_client), (bob, bob_client) = reviewers
    report = make_report()
    for n in range(ROUNDS):
        mine = canonical.t3(ROWS[n % len(ROWS)], COLUMNS[n % 7])
        theirs = canonical.t3(ROWS[n % len(ROWS)], COLUMNS[(n + 3) % 7])  # the same row, another column
        a = _change_form_data(alice_client, report)  # both open the page at the same version
        b = dict(a)
        a[cell_field(mine)], b[cell_field(theirs)] = 100 + n, 200 + n
        first, second = together(post(alice_client, report, a), post(bob_client, report, b))
        assert (first.status_code, second.status_code) == (302, 302), n
        values = report_values(report)
        assert (values[mine], values[theirs]) == (100 + n, 200 + n), n
    # 修改记录 shows who really changed what: nobody changed the other's cell
    for entry in report_timeline(report):
        for change in entry.changes:
            n = change.new - (100 if entry.user == "alice" else 200)
            column = COLUMNS[n % 7] if entry.user == "alice" else COLUMNS[(n + 3) % 7]
            assert change.key == canonical.t3(ROWS[n % len(ROWS)], column), (entry.user, change)


def test_two_reviewers_changing_the_same_cell_one_wins_the_other_is_told(reviewers):
    (alice, alice_client), (bob, bob_client) = reviewers
    report = make_report()
    names = {alice_client: "alice", bob_client: "bob"}
    for n in range(ROUNDS):
        key = canonical.t3(ROWS[n], "total")
        a = _change_form_data(alice_client, report)
        b = dict(a)
        a[cell_field(key)], b[cell_field(key)] = 100 + n, 200 + n
        responses = together(post(alice_client, report, a), post(bob_client, report, b))
        codes = sorted(r.status_code for r in responses)
        assert codes == [302, 409], (n, codes)
        won = 0 if responses[0].status_code == 302 else 1
        assert report_values(report)[key] == (100, 200)[won] + n  # the save reported as done is the one stored
        refused = responses[1 - won].content.decode()
        winner = names[(alice_client, bob_client)[won]]
        assert "未保存" in refused and canonical.short_label(key) in refused and winner in refused


def test_an_import_racing_a_manual_edit_never_loses_the_edit(reviewers):
    (alice, alice_client), _ = reviewers
    importer = make_user("importer")
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    text = (FIXTURES / "samples/002_cff4ace8f11033c3.txt").read_bytes()
    imported = "active_disclosure.punishment.decisions"  # the cell each new version of the document changes
    base = report_values(report)[imported] or 0
    for n in range(ROUNDS):
        # every other round the reviewer types into the very cell the new document changes
        edited = imported if n % 2 else canonical.t3("new_received", "other")
        page = _change_form_data(alice_client, report)
        page["disclosure-0-punishment_decisions" if edited == imported else cell_field(edited)] = 500 + n
        parsed = parse_document(text, f"v{n}.txt")
        parsed.values[imported] = base + n + 1

        def run_import(parsed=parsed, n=n):
            return services.report_import(
                parsed=parsed, data=text + f"\n{n}".encode(), agency=report.agency, year=report.year, user=importer
            )

        result, response = together(run_import, post(alice_client, report, page))
        assert response.status_code in (302, 409), n
        values = report_values(report)
        if response.status_code == 302:
            assert values[edited] == 500 + n, n  # reported as saved: it is there
            if edited == imported:  # the import saw a hand correction and kept it
                assert imported in result.kept, n
        else:
            assert "导入新版本" in response.content.decode() and edited == imported, n
            assert values[imported] == base + n + 1, n
        # the edit kept as a hand correction stays that way for later imports: start each round from the document
        if values[imported] != base + n + 1:
            services.report_set_values(report=report, values={imported: base + n + 1}, reason="测试复位")


def test_approving_while_someone_saves_never_hides_a_save(reviewers):
    (alice, alice_client), (bob, bob_client) = reviewers
    report = make_report()
    services.report_transition(report=report, action="submit")
    key = canonical.t3("granted", "natural_person")
    for n in range(ROUNDS):
        page = _change_form_data(alice_client, report)
        page[cell_field(key)] = 300 + n
        approve = {"nb_action": "approve", "nb_version": page["nb_version"], "nb_override": "on", "nb_reason": "核"}
        url = reverse("admin:reports_report_transition", args=[report.pk])
        saved, approved = together(post(alice_client, report, page), post(bob_client, report, approve, url))
        assert approved.status_code == 302 and saved.status_code == 302, n
        told = " ".join(str(m) for m in alice_client.get(saved["Location"]).context["messages"])
        status = Report.objects.get(pk=report.pk).status
        if "未保存" in told:  # the approval came first and locked the report
            assert status == "approved" and report_values(report)[key] != 300 + n, n
        else:  # saved: the value is there, and an approval read before it was refused
            assert report_values(report)[key] == 300 + n, n
        if status == "approved":
            services.report_transition(report=report, action="reopen", reason="下一轮")


def test_two_people_adding_the_same_agency_and_year_get_one_report_and_a_message(reviewers):
    (alice, alice_client), (bob, bob_client) = reviewers
    url = reverse("admin:reports_report_add")
    page = alice_client.get(url)
    management = {
        f"{f.formset.prefix}-{k}": v
        for f in page.context["inline_admin_formsets"]
        for k, v in f.formset.management_form.initial.items()
    }
    for n in range(ROUNDS):
        agency = AgencyFactory()
        data = {"agency": agency.pk, "year": 2023, "template_version": "2021", "nb_change_reason": "", **management}
        responses = together(post(alice_client, None, data, url), post(bob_client, None, data, url))
        codes = [r.status_code for r in responses]
        assert Report.objects.filter(agency=agency, year=2023).count() == 1, n
        assert codes.count(302) == 1 and set(codes) - {302} <= {200, 409}, (n, codes)
        refused = next(r for r in responses if r.status_code != 302).content.decode()
        assert "已存在" in refused or "已由他人创建" in refused, n
