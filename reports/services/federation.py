"""Federation without a shared server: a county hands its approved year to the city as one package.

A package is a zip of three members:
- ``manifest.json``: format and version, the region (name, code, kind), the year, when and by what it was made,
  and the SHA-256 of each other member;
- ``reports.json``: the region's agencies (the subtree, parents by name and code) and every APPROVED report of the
  year beneath it — its 200 cells, texts, the county's approval (who, when, note), its open and 已核实 issues and a
  provenance summary (source files with their SHA-256, events);
- ``workbook.xlsx``: the county workbook of those reports (reports/exports/summary.py), for people.

The package as a whole is "signed by hash": export prints the package file's SHA-256 (and writes it beside the
file as NAME.sha256); the county sends that hash by another channel, and import refuses a package whose file hash or
member hashes do not match. Import (`package_import`) shows what is new, changed or unchanged since what the city
holds (its last package), and writes through the service layer — report_create/report_update under each report's
row lock, the workflow for the approval — in one transaction: the package lands whole or not at all. The county's
approvals are kept as they were: each report lands 已通过 with the county's note, and the event records the county's
approver and time and the package hash; the county's 已核实 warnings are marked 已核实 again with their notes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from reports import canonical
from reports.choices import ReportStatus
from reports.models import Report, ReportEvent
from reports.selectors import report_values_many
from reports.services.records import report_create, report_update, values_equal
from reports.services.validation import issue_accept
from reports.services.workflow import report_transition

FORMAT, VERSION = "nianbao-package", 1
MEMBERS = ("reports.json", "workbook.xlsx")
MAX_MEMBER_BYTES = 200 * 1024 * 1024
TEXT_FIELDS = ("title", "preamble", "overview", "problems", "other_matters")

NOT_A_PACKAGE = "不是年报数据包（应为 export_package 生成的 .zip 文件）：{detail}"
TAMPERED = "数据包校验失败：{detail}。文件可能在传递中损坏或被改动，未导入任何数据。"
HASH_MISMATCH = "数据包的 SHA-256 为 {actual}，与县级提供的 {expected} 不一致：未导入任何数据。"
NOTHING_TO_PACK = "{region} {year} 年度没有已通过的年报，未生成数据包。"


class PackageError(ValueError):
    """A package that cannot be made or taken in; the message is for the user (Chinese)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cell(value):
    return str(value) if isinstance(value, Decimal) else value


def _iso(value) -> str | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


# --- export ---------------------------------------------------------------------------------------------------


def package_build(*, region: Agency, year: int, exported_by: str = "") -> tuple[bytes, dict]:
    """The package of `region`'s approved reports of `year`, as bytes, and its manifest."""
    from reports.exports.summary import write_summary

    subtree = Agency.objects.filter(path__startswith=region.path)
    reports = Report.objects.filter(year=year, status=ReportStatus.APPROVED, agency__in=subtree).select_related(
        "agency", "agency__parent"
    )
    reports = list(reports.order_by("agency__path", "pk"))
    if not reports:
        raise PackageError(NOTHING_TO_PACK.format(region=region.name, year=year))
    values = report_values_many(r.pk for r in reports)
    agencies = [
        {
            "name": a.name, "short_name": a.short_name, "kind": a.kind, "division_code": a.division_code,
            "credit_code": a.credit_code, "has_rulemaking_power": a.has_rulemaking_power,
            "parent": a.parent.name if a.parent_id and a.pk != region.pk else None,
            "parent_code": a.parent.division_code if a.parent_id and a.pk != region.pk else "",
            "is_active": a.is_active,
        }
        for a in subtree.select_related("parent").order_by("path")
    ]  # fmt: skip
    payload = {
        "region": {"name": region.name, "division_code": region.division_code, "kind": region.kind},
        "year": year,
        "agencies": agencies,
        "reports": [_report_record(r, values[r.pk]) for r in reports],
    }
    reports_json = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    workbook = io.BytesIO()
    write_summary(
        year=year,
        reports=Report.objects.filter(pk__in=[r.pk for r in reports]),
        agencies=subtree.filter(is_active=True).exclude(kind=AgencyKind.REGION),
        submissions=Report.objects.filter(year=year, agency__in=subtree),
        target=workbook,
        filters_text="已通过",
        exported_by=exported_by,
    )
    members = {"reports.json": reports_json, "workbook.xlsx": workbook.getvalue()}
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "region": payload["region"],
        "year": year,
        "reports": len(reports),
        "created_at": timezone.localtime().isoformat(),
        "created_by": exported_by,
        "files": {name: sha256_hex(data) for name, data in members.items()},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue(), manifest


def _report_record(report: Report, values: dict) -> dict:
    approval = report.events.filter(to_status=ReportStatus.APPROVED).order_by("-at", "-pk").first()
    acceptances = list(report.acceptances.values("rule", "fingerprint", "message", "comment"))
    return {
        "agency": report.agency.name,
        "agency_code": report.agency.division_code,
        "year": report.year,
        "template_version": report.template_version,
        "published_on": _iso(report.published_on),
        **{f: getattr(report, f) for f in TEXT_FIELDS},
        "cells": {k: _cell(values[k]) for k in canonical.ALL_KEYS},
        "approval": {
            "note": report.approval_note,
            "at": _iso(approval.at) if approval else None,
            "by": (approval.user.get_username() if approval and approval.user else ""),
            "override": bool(approval and approval.details.get("override")),
        },
        "issues": [
            {"rule": i.rule, "severity": i.severity, "message": i.message, "keys": i.keys, "accepted": i.accepted}
            for i in report.issues.order_by("position")
        ],
        "acceptances": acceptances,
        "provenance": {
            "sources": [
                {
                    "name": s.original_name,
                    "sha256": s.sha256,
                    "size": s.size,
                    "format": s.format,
                    "uploaded_at": _iso(s.uploaded_at),
                }
                for s in report.sources.order_by("version")
            ],  # fmt: skip
            "events": report.events.count(),
            "unread_keys": report.unread_keys,
            "printed_breaks": report.printed_breaks,
            "version": report.version,
        },
    }


# --- import ---------------------------------------------------------------------------------------------------


@dataclass
class Package:
    manifest: dict
    payload: dict
    sha256: str  # of the whole file


def package_read(data: bytes, *, expected_sha256: str | None = None) -> Package:
    """Open and verify a package. Raises PackageError (Chinese) when it is not one or does not match its hashes."""
    actual = sha256_hex(data)
    if expected_sha256 is not None and actual != expected_sha256.strip().lower():
        raise PackageError(HASH_MISMATCH.format(actual=actual, expected=expected_sha256.strip()))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
        if not {"manifest.json", *MEMBERS} <= names:
            raise PackageError(NOT_A_PACKAGE.format(detail="缺少 manifest.json、reports.json 或 workbook.xlsx"))
        for info in zf.infolist():
            if info.file_size > MAX_MEMBER_BYTES:
                raise PackageError(NOT_A_PACKAGE.format(detail=f"{info.filename} 过大"))
        manifest = json.loads(zf.read("manifest.json"))
        members = {name: zf.read(name) for name in MEMBERS}
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, KeyError) as exc:
        raise PackageError(NOT_A_PACKAGE.format(detail=type(exc).__name__)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise PackageError(NOT_A_PACKAGE.format(detail="格式或版本不符"))
    files = manifest.get("files") or {}
    for name, content in members.items():
        if files.get(name) != sha256_hex(content):
            raise PackageError(TAMPERED.format(detail=f"{name} 的 SHA-256 与清单不符"))
    try:
        payload = json.loads(members["reports.json"])
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PackageError(NOT_A_PACKAGE.format(detail="reports.json 无法读取")) from exc
    if payload.get("year") != manifest.get("year") or payload.get("region") != manifest.get("region"):
        raise PackageError(TAMPERED.format(detail="清单与数据的区划或年度不一致"))
    return Package(manifest=manifest, payload=payload, sha256=actual)


@dataclass
class PlannedReport:
    record: dict
    agency: Agency | None  # None: the agency is new
    report: Report | None  # the city's report of that agency and year, if any
    action: str  # "new", "changed", "unchanged"
    changed_keys: list[str] = field(default_factory=list)
    changed_fields: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    package: Package
    region: Agency | None
    parent: Agency | None  # where a new region lands
    new_agencies: list[str]
    reports: list[PlannedReport]
    missing: list[str]  # approved in the city, no longer in the package

    def counts(self) -> dict[str, int]:
        out = {"new": 0, "changed": 0, "unchanged": 0}
        for r in self.reports:
            out[r.action] += 1
        return out


def _find(name: str, code: str) -> Agency | None:
    if code:
        found = list(Agency.objects.filter(division_code=code)[:2])
        if len(found) == 1:
            return found[0]
    return Agency.objects.filter(name=name).first()


def _record_values(record: dict) -> dict:
    from reports.services.records import clean_cell

    cells = record.get("cells") or {}
    unknown = set(cells) - set(canonical.ALL_KEYS)
    if unknown:
        raise PackageError(NOT_A_PACKAGE.format(detail=f"未知的单元格 {sorted(unknown)[:3]}"))
    try:
        return {k: clean_cell(k, cells.get(k)) for k in canonical.ALL_KEYS}
    except ValidationError as exc:
        raise PackageError(f"数据包中{record.get('agency')}的数值无效：{'；'.join(exc.messages)}") from exc


def package_plan(package: Package, *, parent: Agency | None = None) -> ImportPlan:
    """What importing would do, compared with what the city holds now."""
    region_info = package.payload["region"]
    region = _find(region_info["name"], region_info.get("division_code", ""))
    if region is None and parent is None:
        raise PackageError(
            f"本系统中没有“{region_info['name']}”：请用 --parent 指定它的上级区划（例如本市），导入时将新建。"
        )
    year = package.payload["year"]
    new_agencies = [a["name"] for a in package.payload["agencies"] if _find(a["name"], a["division_code"]) is None]
    planned = []
    for record in package.payload["reports"]:
        if record.get("year") != year:
            raise PackageError(TAMPERED.format(detail="报告年度与数据包年度不一致"))
        values = _record_values(record)
        agency = _find(record["agency"], record.get("agency_code", ""))
        report = Report.objects.filter(agency=agency, year=year).first() if agency else None
        if report is None:
            planned.append(PlannedReport(record, agency, None, "new"))
            continue
        current = report_values_many([report.pk])[report.pk]
        keys = [k for k in canonical.ALL_KEYS if not values_equal(current[k], values[k])]
        fields = [f for f in TEXT_FIELDS if (getattr(report, f) or "") != (record.get(f) or "")]
        if (report.published_on.isoformat() if report.published_on else None) != record.get("published_on"):
            fields.append("published_on")
        if report.template_version != record.get("template_version"):
            fields.append("template_version")
        changed = keys or fields or report.status != ReportStatus.APPROVED
        planned.append(PlannedReport(record, agency, report, "changed" if changed else "unchanged", keys, fields))
    in_package = {r.agency.pk for r in planned if r.agency is not None}
    missing = []
    if region is not None:
        missing = list(
            Report.objects.filter(year=year, status=ReportStatus.APPROVED, agency__path__startswith=region.path)
            .exclude(agency__in=in_package)
            .values_list("agency__name", flat=True)
        )
    return ImportPlan(package, region, parent, new_agencies, planned, missing)


def _ensure_agencies(plan: ImportPlan) -> dict[str, Agency]:
    """Create the package's agencies the city lacks and place them as the county has them."""
    by_name: dict[str, Agency] = {}
    region_name = plan.package.payload["region"]["name"]
    for info in plan.package.payload["agencies"]:  # in path order: parents first
        agency = _find(info["name"], info.get("division_code", ""))
        if info["name"] == region_name:
            parent = plan.parent if agency is None else agency.parent
        else:
            parent = by_name.get(info.get("parent") or "") or (
                _find(info.get("parent") or "", info.get("parent_code", "")) if info.get("parent") else None
            )
        if agency is None:
            kind = info.get("kind") if info.get("kind") in AgencyKind.values else AgencyKind.OTHER
            agency = Agency(
                name=info["name"], short_name=info.get("short_name", ""), kind=kind,
                division_code=info.get("division_code", ""), credit_code=info.get("credit_code", ""),
                has_rulemaking_power=bool(info.get("has_rulemaking_power")), parent=parent,
                is_active=bool(info.get("is_active", True)),
            )  # fmt: skip
            try:
                agency.full_clean()
            except ValidationError as exc:
                raise PackageError(f"数据包中的机关“{info['name']}”无法建立：{'；'.join(exc.messages)}") from exc
            agency.save()
        by_name[agency.name] = agency
    return by_name


def _published(record: dict):
    raw = record.get("published_on")
    return date.fromisoformat(raw) if raw else None


@transaction.atomic
def package_import(plan: ImportPlan, *, user=None) -> dict[str, int]:
    """Apply a plan: all of it or nothing. Returns the counts of new / changed / unchanged reports.

    Two imports of packages of one region queue on the region's row (or, for a region still to be created, its
    parent's), and the plan is made again under that lock: the second sees what the first wrote.
    """
    anchor = plan.region or plan.parent
    Agency.objects.select_for_update().filter(pk=anchor.pk).first()
    plan = package_plan(plan.package, parent=plan.parent)
    agencies = _ensure_agencies(plan)
    sha = plan.package.sha256
    for item in plan.reports:
        if item.action == "unchanged":
            continue
        record = item.record
        agency = item.agency or agencies.get(record["agency"]) or _find(record["agency"], record.get("agency_code", ""))
        if agency is None:
            raise PackageError(f"数据包中的报告所属机关“{record['agency']}”不在机关清单中。")
        values = _record_values(record)
        fields = {f: record.get(f) or "" for f in TEXT_FIELDS}
        fields["published_on"] = _published(record)
        fields["template_version"] = record.get("template_version") or "2021"
        why = f"县级数据包 {sha[:12]}"
        report = Report.objects.filter(agency=agency, year=record["year"]).first()
        if report is None:
            report = report_create(agency=agency, year=record["year"], user=user, values=values, reason=why, **fields)
            report = report_transition(report=report, action="submit", user=user, reason=why)
        else:
            if report.status == ReportStatus.APPROVED:
                report = report_transition(report=report, action="reopen", user=user, reason=f"{why}：数值或文字有更新")
            if report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
                report = report_transition(report=report, action="submit", user=user, reason=why)
            report_update(report=report, values=values, fields=fields, user=user, reason=why)
        _approve_as_the_county(report, record, user=user, sha=sha)
    return plan.counts()


def _approve_as_the_county(report: Report, record: dict, *, user, sha: str) -> None:
    approval = record.get("approval") or {}
    for acceptance in record.get("acceptances") or []:
        if (
            report.issues.filter(fingerprint=acceptance.get("fingerprint"), accepted=False)
            .exclude(severity="error")
            .exists()
        ):
            issue_accept(
                report=report,
                fingerprint=acceptance["fingerprint"],
                comment=f"县级已核实：{acceptance.get('comment') or ''}".strip("：") or "县级已核实",
                user=user,
            )
    note = approval.get("note") or "县级已审核通过（依数据包导入）"
    report = report_transition(report=report, action="approve", user=user, reason=note, override=True)
    event = report.events.filter(to_status=ReportStatus.APPROVED).order_by("-pk").first()
    details = {**event.details, "package": sha, "county_approved_by": approval.get("by", ""),
               "county_approved_at": approval.get("at"), "county_override": bool(approval.get("override"))}  # fmt: skip
    ReportEvent.objects.filter(pk=event.pk).update(details=details)
