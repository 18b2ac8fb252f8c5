"""reports/0010: reports imported before the gate get their inferred cells (from the latest source's stored reading)
and their count of cells needing a person; the 管理员 role gets the override permission."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from reports.models import Report
from reports.roles import ADMINISTRATOR, REVIEWER
from tests.factories import import_file

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reports.migrations.0010_gate_unconfirmed_cells")


def test_backfill_reads_inferred_cells_from_the_stored_reading():
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    source = report.sources.get()
    # a reading stored before the gate, with two cells filled by arithmetic: one naming its identity on the cell,
    # one named only by the reading's I_INFERRED note
    parsed = source.parsed
    parsed["provenance"]["applications.granted.total"] = {"inferred": True, "rests_on": "R2"}
    parsed["provenance"]["review_litigation.review.total"] = {"inferred": True}
    parsed["warnings"].append(
        {
            "code": "I_INFERRED",
            "message": "1 个未能读取的单元格由勾稽关系推出",
            "keys": ["review_litigation.review.total"],
        }
    )
    type(source).objects.filter(pk=source.pk).update(parsed=parsed)
    Report.objects.filter(pk=report.pk).update(
        inferred_keys={}, unconfirmed_count=0, unread_keys=["active_disclosure.licensing.decisions"]
    )
    migration.backfill(apps, None)
    stored = Report.objects.get(pk=report.pk)
    assert stored.inferred_keys == {
        "applications.granted.total": "按R2推算",
        "review_litigation.review.total": "1 个未能读取的单元格由勾稽关系推出",
    }
    assert stored.unconfirmed_count == 3


def test_only_administrators_may_override():
    assert Group.objects.get(name=ADMINISTRATOR).permissions.filter(codename="approve_unconfirmed").exists()
    assert not Group.objects.get(name=REVIEWER).permissions.filter(codename="approve_unconfirmed").exists()
