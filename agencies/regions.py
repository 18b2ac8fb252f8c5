"""Load the region tree from a CSV of 行政区划代码 + names + parent codes (the `import_agencies` command).

Columns (a header row, in any order; Chinese or English names):
    行政区划代码 / code        6, 9 or 12 digits; blank for a body without one (a 县直部门)
    名称 / name                full name, e.g. 淮安市人民政府 (unique across the deployment)
    简称 / short_name          optional
    类别 / kind                optional: township, department, county_government, city_government,
                               province_government, region, other — or the Chinese label; inferred from the code
                               when blank (xx0000 省, xxxx00 市, other 6 digits 县, 9 digits 乡镇, none 部门)
    上级代码 / parent_code     the parent's 行政区划代码 (in this file or already stored); blank for a root
    上级名称 / parent_name     instead of a code, the parent's full name (for a parent without a code)
Lines starting with # are comments.

A row matches a stored agency by code, else by full name, and updates it (name, short name, kind, parent); else it
is created. The file lands whole or not at all: every problem is reported with its line number, and one problem
means nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from agencies.models import Agency, AgencyKind

COLUMNS = {
    "行政区划代码": "code", "代码": "code", "code": "code", "division_code": "code",
    "名称": "name", "全称": "name", "name": "name",
    "简称": "short_name", "short_name": "short_name",
    "类别": "kind", "kind": "kind",
    "上级代码": "parent_code", "上级行政区划代码": "parent_code", "parent_code": "parent_code",
    "上级名称": "parent_name", "上级机关": "parent_name", "parent_name": "parent_name",
}  # fmt: skip
REQUIRED = ("name",)


class RegionFileError(ValueError):
    """The file cannot be loaded; `problems` are Chinese lines for the user."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class RegionRow:
    line: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str
    parent_name: str


@dataclass
class RegionImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def infer_kind(code: str) -> str:
    if not code:
        return AgencyKind.DEPARTMENT
    if len(code) == 6:
        if code.endswith("0000"):
            return AgencyKind.PROVINCE_GOVERNMENT
        if code.endswith("00"):
            return AgencyKind.CITY_GOVERNMENT
        return AgencyKind.COUNTY_GOVERNMENT
    return AgencyKind.TOWNSHIP


def _kind(value: str, code: str) -> str | None:
    value = value.strip()
    if not value:
        return infer_kind(code)
    for key, label in AgencyKind.choices:
        if value in (key, label):
            return key
    return None


def read_rows(data: bytes) -> list[RegionRow]:
    """The rows of a CSV file (UTF-8 with or without BOM, or GB18030 as Excel in China saves it)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegionFileError(["文件编码无法识别（请保存为 UTF-8 或 GBK 编码的 CSV）。"])
    lines = [
        (n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip() and not line.startswith("#")
    ]
    if not lines:
        raise RegionFileError(["文件为空。"])
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    header = next(reader)
    columns = [COLUMNS.get(h.strip().lower() if h.strip().isascii() else h.strip()) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing or "code" not in columns:
        raise RegionFileError(
            [f"第 {lines[0][0]} 行（表头）应包含“行政区划代码”“名称”“上级代码”等列，实为：{'、'.join(header)}。"]
        )
    rows = []
    for (number, _), cells in zip(lines[1:], reader, strict=False):
        values = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns) if c}
        rows.append(
            RegionRow(
                line=number,
                code=values.get("code", ""),
                name=values.get("name", ""),
                short_name=values.get("short_name", ""),
                kind=values.get("kind", ""),
                parent_code=values.get("parent_code", ""),
                parent_name=values.get("parent_name", ""),
            )
        )
    return rows


def _order(rows: list[RegionRow], problems: list[str]) -> list[RegionRow]:
    """Parents before children (a file may list them in any order); a cycle is a problem."""
    by_code = {r.code: r for r in rows if r.code}
    by_name = {r.name: r for r in rows}
    done: set[int] = set()
    out: list[RegionRow] = []

    def visit(row: RegionRow, trail: tuple[int, ...]) -> None:
        if row.line in done:
            return
        if row.line in trail:
            problems.append(f"第 {row.line} 行：上级关系成环（{row.name}）。")
            return
        parent = by_code.get(row.parent_code) if row.parent_code else by_name.get(row.parent_name)
        if parent is not None and parent is not row:
            visit(parent, (*trail, row.line))
        done.add(row.line)
        out.append(row)

    for row in rows:
        visit(row, ())
    return out


def regions_import(rows: list[RegionRow]) -> RegionImportResult:
    """Create or update the agencies of `rows` and their parents, all or nothing. Raises RegionFileError."""
    problems: list[str] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for row in rows:
        if not row.name:
            problems.append(f"第 {row.line} 行：缺少名称。")
        if row.code and not (row.code.isdigit() and len(row.code) in (6, 9, 12)):
            problems.append(f"第 {row.line} 行：行政区划代码“{row.code}”应为 6、9 或 12 位数字。")
        if row.code and row.code in seen_codes:
            problems.append(f"第 {row.line} 行：行政区划代码 {row.code} 与第 {seen_codes[row.code]} 行重复。")
        if row.name and row.name in seen_names:
            problems.append(f"第 {row.line} 行：名称“{row.name}”与第 {seen_names[row.name]} 行重复。")
        if row.code and row.parent_code == row.code:
            problems.append(f"第 {row.line} 行：上级代码不能是本行的代码。")
        if _kind(row.kind, row.code) is None:
            problems.append(f"第 {row.line} 行：未知的类别“{row.kind}”。")
        seen_codes.setdefault(row.code, row.line) if row.code else None
        seen_names.setdefault(row.name, row.line)
    ordered = _order(rows, problems)
    if problems:
        raise RegionFileError(problems)
    result = RegionImportResult()
    try:
        with transaction.atomic():
            by_code: dict[str, Agency] = {}
            by_name: dict[str, Agency] = {}
            for row in ordered:
                agency = _upsert(row, by_code, by_name, result, problems)
                if agency is not None:
                    if row.code:
                        by_code[row.code] = agency
                    by_name[agency.name] = agency
            if problems:
                raise RegionFileError(problems)
    except ValidationError as exc:  # pragma: no cover - each row is cleaned before saving
        raise RegionFileError([str(exc)]) from exc
    return result


def _stored(code: str, name: str | None) -> Agency | None:
    """The stored agency with this code, else (when a name is given) with this full name."""
    if code:
        found = list(Agency.objects.filter(division_code=code)[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueError(code)
    return Agency.objects.filter(name=name).first() if name else None


def _upsert(row, by_code, by_name, result, problems) -> Agency | None:
    kind = _kind(row.kind, row.code)
    parent = None
    if row.parent_code:
        parent = by_code.get(row.parent_code)
        if parent is None:
            try:
                parent = _stored(row.parent_code, None)
            except ValueError:
                problems.append(f"第 {row.line} 行：上级代码 {row.parent_code} 对应多个已有机关，请改用上级名称。")
                return None
        if parent is None:
            problems.append(f"第 {row.line} 行：找不到上级代码为 {row.parent_code} 的机关（文件中和系统中都没有）。")
            return None
    elif row.parent_name:
        parent = by_name.get(row.parent_name) or Agency.objects.filter(name=row.parent_name).first()
        if parent is None:
            problems.append(f"第 {row.line} 行：找不到上级机关“{row.parent_name}”。")
            return None
    try:
        agency = _stored(row.code, row.name)
    except ValueError:
        problems.append(f"第 {row.line} 行：行政区划代码 {row.code} 已属于多个机关，无法确定要更新哪一个。")
        return None
    creating = agency is None
    if creating:
        agency = Agency(name=row.name, short_name=row.short_name, kind=kind, division_code=row.code)
    before = (agency.name, agency.short_name, agency.kind, agency.parent_id, agency.division_code)
    agency.name = row.name
    agency.short_name = row.short_name or agency.short_name
    agency.kind = kind
    agency.division_code = row.code or agency.division_code
    agency.parent = parent
    if not creating and before == (agency.name, agency.short_name, agency.kind, agency.parent_id, agency.division_code):
        result.unchanged += 1
        return agency
    try:
        agency.full_clean()
    except ValidationError as exc:
        messages = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
        problems.append(f"第 {row.line} 行（{row.name}）：{messages}")
        return None
    agency.save()
    (result.created if creating else result.updated).append(agency.name)
    return agency
