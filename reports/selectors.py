"""Read-side helpers: load a report's numbers as canonical key → value."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import Q

from agencies.models import Agency
from reports import canonical
from reports.models import ApplicationOutcome, DisclosureTable, Report, ReviewLitigation
from reports.models.tables import DISCLOSURE_FIELDS

Value = int | Decimal | None


def values_from_rows(
    disclosure: DisclosureTable | None,
    outcomes: Iterable[ApplicationOutcome],
    review_rows: Iterable[ReviewLitigation],
) -> dict[str, Value]:
    values: dict[str, Value] = canonical.empty_values()
    if disclosure is not None:
        for field, key in DISCLOSURE_FIELDS.items():
            values[key] = getattr(disclosure, field)
    for row in outcomes:
        for col in canonical.TABLE3_COLUMN_KEYS:
            values[canonical.t3(row.row, col)] = getattr(row, col)
    for block in review_rows:
        for col in canonical.TABLE4_COLUMN_KEYS:
            values[canonical.t4(block.block, col)] = getattr(block, col)
    return values


def report_values(report: Report) -> dict[str, Value]:
    """All 200 cells of a stored report (None where blank or the row is missing)."""
    disclosure = DisclosureTable.objects.filter(report=report).first()
    return values_from_rows(
        disclosure,
        ApplicationOutcome.objects.filter(report=report),
        ReviewLitigation.objects.filter(report=report),
    )


# --- Bulk reading for exports and the overview --------------------------------------------------------------

_T3_COLUMNS = canonical.TABLE3_COLUMN_KEYS
_T4_COLUMNS = canonical.TABLE4_COLUMN_KEYS


_DISCLOSURE_COLUMNS = list(DISCLOSURE_FIELDS)
_DISCLOSURE_KEYS = list(DISCLOSURE_FIELDS.values())
_T3_ROW_KEYS = {row: [canonical.t3(row, col) for col in _T3_COLUMNS] for row in canonical.TABLE3_ROW_KEYS}
_T4_BLOCK_KEYS = {block: [canonical.t4(block, col) for col in _T4_COLUMNS] for block in canonical.TABLE4_BLOCK_KEYS}


def report_values_many(report_ids: Iterable[int]) -> dict[int, dict[str, Value]]:
    """The 200 cells of many reports in three queries, without building model instances (fast for exports)."""
    ids = list(report_ids)
    out: dict[int, dict[str, Value]] = {i: canonical.empty_values() for i in ids}
    if not ids:
        return out
    for report_id, *cells in DisclosureTable.objects.filter(report_id__in=ids).values_list(
        "report_id", *_DISCLOSURE_COLUMNS
    ):
        out[report_id].update(zip(_DISCLOSURE_KEYS, cells, strict=True))
    for report_id, row, *cells in ApplicationOutcome.objects.filter(report_id__in=ids).values_list(
        "report_id", "row", *_T3_COLUMNS
    ):
        keys = _T3_ROW_KEYS.get(row) or [canonical.t3(row, c) for c in _T3_COLUMNS]
        out[report_id].update(zip(keys, cells, strict=True))
    for report_id, block, *cells in ReviewLitigation.objects.filter(report_id__in=ids).values_list(
        "report_id", "block", *_T4_COLUMNS
    ):
        keys = _T4_BLOCK_KEYS.get(block) or [canonical.t4(block, c) for c in _T4_COLUMNS]
        out[report_id].update(zip(keys, cells, strict=True))
    return out


def report_iter_with_values(queryset, *, chunk_size: int = 500) -> Iterator[tuple[Report, dict[str, Value]]]:
    """Stream reports with their 200 cells, a chunk at a time, so memory stays bounded for any number of reports."""
    chunk: list[Report] = []
    for report in queryset.iterator(chunk_size=chunk_size):
        chunk.append(report)
        if len(chunk) == chunk_size:
            yield from _with_values(chunk)
            chunk = []
    if chunk:
        yield from _with_values(chunk)


def _with_values(chunk: list[Report]) -> Iterator[tuple[Report, dict[str, Value]]]:
    values = report_values_many(r.pk for r in chunk)
    for report in chunk:
        yield report, values[report.pk]


AGENCY_NOT_FOUND = "没有找到名称为或包含“{name}”的机关（可用全称、简称、别名或名称的一部分）。"
AGENCY_AMBIGUOUS = "“{name}”匹配到 {n} 个机关：{names}。请写得更具体（例如用全称）。"


class AgencyLookupError(ValueError):
    """A name that matches no agency or several; the message is for the user (Chinese)."""


def agency_get_by_name(name: str, *, queryset=None) -> Agency:
    """The one agency called `name` (full name, short name or alias), or whose names contain it.

    Exact names win over partial ones, so "二塘乡" finds 二塘乡人民政府 even if another agency's name contains it.
    """
    qs = queryset if queryset is not None else Agency.objects.all()
    name = (name or "").strip()
    if not name:
        raise AgencyLookupError(AGENCY_NOT_FOUND.format(name=name))
    for q in (
        Q(name=name) | Q(short_name=name) | Q(aliases__name=name),
        Q(name__icontains=name) | Q(short_name__icontains=name) | Q(aliases__name__icontains=name),
    ):
        found = list(qs.filter(q).distinct().order_by("name")[:11])
        if len(found) == 1:
            return found[0]
        if found:
            shown = "、".join(a.name for a in found[:10]) + ("等" if len(found) > 10 else "")
            count = qs.filter(q).distinct().count()
            raise AgencyLookupError(AGENCY_AMBIGUOUS.format(name=name, n=count, names=shown))
    raise AgencyLookupError(AGENCY_NOT_FOUND.format(name=name))
