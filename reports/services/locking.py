"""The report row lock every write takes first (see report_lock)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from reports.models import Report

REPORT_GONE = "该报告已不存在（可能已被删除），本次修改未保存。"


def report_lock(report_id: int) -> Report:
    """Lock the report's row for the rest of the transaction and return it as stored.

    Every write to a report — a page save, an import, a flat import, a workflow step, an 已核实 mark — takes this
    lock first and takes no other report lock before it: one lock, one order, so two writers queue instead of
    interleaving (or deadlocking). On SQLite, where SELECT … FOR UPDATE does not exist, the database's single
    writer lock serialises them.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("report_lock() must run inside a transaction")
    try:
        return Report.objects.select_for_update(of=("self",)).select_related("agency").get(pk=report_id)
    except Report.DoesNotExist:
        raise ValidationError(REPORT_GONE, code="gone")
