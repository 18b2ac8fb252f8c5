"""Reviewers' notes on single cells."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reports import canonical
from reports.access import require_agency
from reports.models import CellComment, Report


@transaction.atomic
def cell_comment_add(*, report: Report, key: str, text: str, user=None) -> CellComment:
    require_agency(user, report.agency)
    if key not in canonical.LABELS:
        raise ValidationError("请选择单元格。")
    if not text.strip():
        raise ValidationError("批注内容不能为空。")
    comment = CellComment(report=report, key=key, text=text.strip(), author=user)
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def cell_comment_resolve(*, comment: CellComment, user=None) -> CellComment:
    require_agency(user, comment.report.agency)
    comment.resolved = True
    comment.resolved_by = user
    comment.resolved_at = timezone.now()
    comment.save(update_fields=["resolved", "resolved_by", "resolved_at"])
    return comment
