"""reports_check: the chunked core of check_reports (and of a background job over a whole year). It reads without
locks and writes only the reports nobody changed meanwhile; a report being saved is left to its writer."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.db.models import F

from reports import canonical, services
from reports.models import Report, ValidationIssue
from reports.services import validation
from tests.factories import label_values, make_report

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
GRANTED = canonical.t3("granted", "total")
# _bad_report changes a 总计 cell behind the services' back, so its stored totals are stale on purpose.
pytestmark = pytest.mark.stale_totals


def _bad_report():
    report = make_report(year=2023)
    values = label_values("expected/002_cff4ace8f11033c3.json")
    services.report_set_values(report=report, values=values)
    Report.objects.filter(pk=report.pk).update(error_count=0, warning_count=0, validated_at=None)
    ValidationIssue.objects.filter(report=report).delete()
    # Break R2 behind the services' back, as a stale database would be: only a check finds it.
    report.outcomes.filter(row="granted").update(total=(values[GRANTED] or 0) + 1)
    return report


@pytest.mark.django_db
def test_a_chunk_is_checked_and_stored_in_bulk():
    reports = [_bad_report() for _ in range(3)]
    result = services.reports_check([r.pk for r in reports])
    assert not result.skipped and {r.pk for r in result.reports} == {r.pk for r in reports}
    for r in reports:
        stored = Report.objects.get(pk=r.pk)
        assert stored.error_count > 0 and stored.validated_at is not None
        assert ValidationIssue.objects.filter(report=r, rule="R2").exists()
        assert any(i.rule == "R2" for i in result.found[r.pk])


@pytest.mark.django_db
def test_a_report_changed_while_it_was_checked_is_left_to_its_writer(monkeypatch):
    changed, kept = _bad_report(), _bad_report()
    real = validation.facts_for_reports

    def facts_then_a_save(reports):
        facts = real(reports)
        Report.objects.filter(pk=changed.pk).update(version=F("version") + 1)  # someone saved it meanwhile
        return facts

    monkeypatch.setattr(validation, "facts_for_reports", facts_then_a_save)
    result = services.reports_check([changed.pk, kept.pk])
    assert result.skipped == [changed.pk]
    assert Report.objects.get(pk=changed.pk).validated_at is None  # not overwritten with issues of old values
    assert Report.objects.get(pk=kept.pk).error_count > 0


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks exist on PostgreSQL only")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_report_locked_by_a_writer_is_skipped_not_waited_for():
    locked, free = _bad_report(), _bad_report()
    holding, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                services.report_lock(locked.pk)
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        result = services.reports_check([locked.pk, free.pk])  # returns at once: SKIP LOCKED
    finally:
        release.set()
        thread.join(timeout=30)
    assert result.skipped == [locked.pk] and [r.pk for r in result.reports] == [free.pk]
    assert Report.objects.get(pk=free.pk).error_count > 0
