"""The validation rules of an annual report, as data — one pure module (no Django).

Every rule of ``FORMAT.md`` §3 keeps its code (R1–R20); the checks a reviewer also needs get new, stable
codes (R21–R25). :func:`evaluate` runs the same rules on a parsed document
(:meth:`ReportFacts.from_parsed`) and on a stored report (the integration builds :class:`ReportFacts` from
its rows), and returns :class:`Issue` objects naming the rule, the canonical keys, both sides of a failing
equation and a Chinese message a clerk understands.

Principles:

* A rule never changes a number. Blank (``None``) counts as 0 in sums, and the message says how many of
  the cells involved were blank. An equation whose cells are all blank is not checked — nothing was
  printed that could disagree — and R21/R15 report the blanks instead.
* Arithmetic identities are declared, not coded: :class:`SumEquals` / :class:`SumAtMost` objects
  generated per column and per row from :mod:`reports.canonical` at import time. Cross-report and text
  rules hold a small pure function.
* An equation that involves a cell R7 found unusable (not a number) is skipped: R7 already names it.
* A cell the parser could not locate (``missing_keys``) is unknown, not 0. An identity involving one is
  only checked as a bound — counts are ≥ 0, so the cells read on one side are a lower bound of it — and
  fires only when that bound already exceeds the other, fully read side (the "partial data" use of R19);
  text and cross-report rules skip unknown cells. R15 names the unread cells.
* Text rules are conservative — a false alarm costs reviewer time — and skip when the report carries no
  narrative text (typed in by hand, or a spreadsheet with tables only).

Order of evaluation (FORMAT.md §3): R7, R2, R3, R1, R4–R6, R14, R19, then the single-report plausibility
checks R10, R11, R21, the cross-report checks R8, R9, R20, R22, structure and template R15, R16, and
finally the text and metadata checks R12, R13, R17, R18, R23, R24, R25.

Decisions worth knowing:

* R1–R6, R14: ``actual`` is the left side as printed (the total), ``expected`` the sum of the other side.
* R19 (corollary of R1 and R7) is suppressed in a column where R1 already fails, so one wrong cell is not
  reported twice; it therefore fires only where R1 balances thanks to an impossible (negative) figure.
* R8, R9, R20, R22 need ``previous`` to be the same agency's report for ``year - 1``; a ``previous`` of
  another year is ignored.
* R10 generalises FORMAT's example (制发1/废止0/现行有效0): 现行有效 < 制发 − 废止 cannot happen
  without documents expiring in the year they were issued.
* R15 reports missing sections (error) and, per table, cells the parser could not locate (warning, when
  ``missing_keys`` is known) or a table left entirely blank (warning); sections out of order are a
  warning. R21 reports the other blank cells (info), one issue per 表三 row and per 表二/表四 block — or
  one for the whole of 表三 when every row leaves the same columns blank (the "only 总计 printed" layout).
* R12 compares only clear patterns (收到/受理…政府信息公开申请 N 件, 行政复议 N 件, 行政诉讼 N 件, 行政处罚/
  许可/强制 N 件 right after the word; 未收到…申请, 未发生…行政复议/行政诉讼) and skips clauses naming
  another year or comparing (上年, 同比, 较 …). A quoted application count agrees with 新收 or 新收+上年结转.
* R13 applies from the 2021 reports (国办函〔2020〕109号); a mere citation of the 办法 is no statement.
* R22: identical 表二 (with some non-zero flow figure) or 表三 (with applications) figures, or a 五 section
  whose 4-character shingle Jaccard similarity with last year's reaches ``similarity_threshold`` (0.9);
  digits are folded so that only the year changed still counts as a copy.
* R18: the deadline is (year+1)-01-31, or 03-31 for a county, city or province government's own report; configurable.
* R21–R25 are additions: R21 blank cells, R22 identical to last year, R23 a stale 政务公开工作要点
  citation (e.g. a 2023 report citing 《…2021年政务公开工作要点…》 and no 2023 one), R24 一、总体情况 not
  covering the five aspects of 30号 (info), R25 a government's 六 silent on 年度政务公开工作要点落实 (info).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

from reports import canonical as c
from reports.parsing.types import SECTION_KEYS, ParsedReport

Severity = Literal["error", "warning", "info"]
Number = int | Decimal
Value = int | Decimal | None

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
AGENCY_KINDS: tuple[str, ...] = (
    "township", "department", "county_government", "city_government", "province_government", "other",
)  # fmt: skip
AGENCY_KIND_LABELS: dict[str, str] = {
    "township": "乡镇（街道）",
    "department": "政府部门",
    "county_government": "县级人民政府",
    "city_government": "市级人民政府",
    "province_government": "省级人民政府",
    "other": "本机关",
}
# 县级以上人民政府 publish their own report by 31 March (条例 第五十条), the others by 31 January.
_UPPER_GOVERNMENT_KINDS = frozenset({"county_government", "city_government", "province_government"})
# Only 国务院部门, 省级政府 and 设区的市/自治州 政府 may make 规章 (FORMAT.md R11); none of these can.
_NO_RULEMAKING_KINDS = frozenset({"township", "department", "county_government"})
_GOVERNMENT_KINDS = frozenset({"township", "county_government", "city_government", "province_government"})

SECTION_NUMERALS: tuple[str, ...] = ("一", "二", "三", "四", "五", "六")
SECTION_TITLES: dict[str, str] = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}


# --------------------------------------------------------------------------------------------------
# The report as the rules see it
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFacts:
    """Everything the rules read about one report — built alike from a parsed document or a stored one.

    ``values`` holds the 200 canonical keys (None = blank). ``sections`` maps SECTION_KEYS to text; an
    empty mapping (or only empty texts) means the narrative is unknown and the text rules skip.
    ``sections_found`` is None when the document structure is unknown. ``missing_keys`` (an addition)
    names cells the parser could not locate at all, as opposed to cells printed blank; None = unknown.
    """

    values: Mapping[str, Value]
    year: int | None = None
    template: str | None = None  # "2021", "2019" or None
    agency_name: str | None = None
    agency_kind: str | None = None  # one of AGENCY_KINDS, None = unknown
    has_rulemaking_power: bool | None = None  # None = decide from agency_kind
    title: str | None = None
    sections: Mapping[str, str] = field(default_factory=dict)
    sections_found: tuple[str, ...] | None = None
    published_on: date | None = None
    printed_subtotals: Mapping[str, int | None] = field(default_factory=dict)
    previous: ReportFacts | None = None
    is_government: bool | None = None  # 各级人民政府 incl. 乡镇; None = decide from agency_kind
    source_kind: str = "stored"  # "parsed" | "stored"
    missing_keys: frozenset[str] | None = None
    # The name a source document gives itself when it is not this report's agency (R26); None = no such file.
    named_as: str | None = None
    # Printed numbers the parser proved break an identity however they are read, their cells left unread
    # (reports.parsing.types.PrintedBreak as JSON: rule, keys, printed, why).
    printed_breaks: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_parsed(
        cls,
        parsed: ParsedReport,
        *,
        agency_kind: str | None = None,
        has_rulemaking_power: bool | None = None,
        previous: ReportFacts | None = None,
        published_on: date | None = None,
    ) -> ReportFacts:
        """The facts of a parsed document.

        A spreadsheet carries the tables only — that is how figures travel, not how a report is published —
        so its narrative and structure count as unknown (text and section checks skip), as does an empty
        ``sections_found`` (no heading recognised), rather than "all six sections missing".
        """
        values = {k: parsed.values.get(k) for k in c.ALL_KEYS}
        missing = frozenset(k for k, src in parsed.provenance.items() if src.missing and k in values)
        tables_only = parsed.format in _SPREADSHEET_FORMATS
        return cls(
            values=values,
            year=parsed.year,
            template=parsed.template,
            agency_name=parsed.agency,
            agency_kind=agency_kind,
            has_rulemaking_power=has_rulemaking_power,
            title=parsed.title,
            sections={} if tables_only else {k: parsed.sections.get(k, "") or "" for k in SECTION_KEYS},
            sections_found=None if tables_only else tuple(parsed.sections_found) or None,
            published_on=published_on or parsed.publication_date,
            printed_subtotals=dict(parsed.printed_subtotals),
            printed_breaks=tuple(b.to_json() for b in parsed.printed_breaks),
            previous=previous,
            is_government=government_from_kind(agency_kind),
            source_kind="parsed",
            missing_keys=missing if parsed.provenance else None,
        )

    @classmethod
    def from_record(cls, record: Mapping[str, Any], **overrides: Any) -> ReportFacts:
        """The facts of a canonical JSON record (a label, a stored report's export, ``ParsedReport.to_json()``).

        JSON floats become Decimal through their shortest repr, so 7730.28 stays exactly 7730.28.
        """
        values = {k: _json_value(v) for k, v in c.flatten(record).items()}
        found = record.get("sections_found")
        published = record.get("publication_date")
        kwargs: dict[str, Any] = {
            "values": values,
            "year": record.get("year"),
            "template": record.get("template"),
            "agency_name": record.get("agency"),
            "title": record.get("title"),
            "sections": dict(record.get("sections") or {}),
            "sections_found": tuple(found) if found else None,
            "published_on": date.fromisoformat(published) if isinstance(published, str) else None,
            "printed_subtotals": {k: _json_value(v) for k, v in (record.get("printed_subtotals") or {}).items()},
            "printed_breaks": tuple(record.get("printed_breaks") or ()),
        }
        kwargs.update(overrides)
        if "is_government" not in overrides:
            kwargs["is_government"] = government_from_kind(kwargs.get("agency_kind"))
        return cls(**kwargs)


_SPREADSHEET_FORMATS = frozenset({"xlsx", "xls", "csv"})


def tables_only(document_format: str | None) -> bool:
    """A spreadsheet carries the tables only: its headings say nothing about the report's structure."""
    return document_format in _SPREADSHEET_FORMATS


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and math.isfinite(v):
        return Decimal(repr(v))
    return v


def government_from_kind(kind: str | None) -> bool | None:
    """各级人民政府 (乡镇 included) vs departments; None when the kind does not tell."""
    if kind in _GOVERNMENT_KINDS:
        return True
    if kind == "department":
        return False
    return None


_TOWNSHIP_NAME = re.compile(r"(乡|镇|街道|街道办事处)(人民政府|政府|办事处)?$")
_COUNTY_GOVERNMENT_NAME = re.compile(r"(县|区|旗)人民政府$")
_DEPARTMENT_NAME = re.compile(r"(局|委员会|委|办公室|办|中心|厅)$")
_CENTRAL_PREFIX = re.compile(r"^(国家|国务院|中华人民共和国|中国)")


def guess_agency_kind(name: str | None) -> str | None:
    """A conservative guess of ``agency_kind`` from an agency's name; None when the name does not tell.

    Not applied implicitly: callers that know the kind (the agency table) pass it. "X市人民政府" stays
    unknown because a 设区的市 may make 规章 and a 县级市 may not.
    """
    if not name:
        return None
    name = re.sub(r"\s+", "", name)
    if _TOWNSHIP_NAME.search(name):
        return "township"
    if _COUNTY_GOVERNMENT_NAME.search(name):
        return "county_government"
    if _DEPARTMENT_NAME.search(name) and not _CENTRAL_PREFIX.search(name):
        return "department"
    return None


@dataclass(frozen=True)
class RuleConfig:
    """The configurable bits of validation (per jurisdiction)."""

    # R18: publication deadline, (year+1)-month-day. 条例 第四十九条: 1月31日 for departments; the county
    # government's own 本级 report is published by the 主管部门 by 3月31日.
    deadline_month: int = 1
    deadline_day: int = 31
    government_deadline_month: int = 3
    government_deadline_day: int = 31
    fee_statement_severity: Severity = "warning"  # R13; local review notices may make it an error
    r8_severity: Severity = "warning"  # error when both reports come from this system
    r18_severity: Severity = "warning"
    similarity_threshold: float = 0.9  # R22: 五 section similarity counted as a copy
    similarity_min_chars: int = 80  # R22: shorter 五 sections ("无。") are not compared
    severity_overrides: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    disabled: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Issue:
    """One finding. ``keys`` are canonical keys in template order (empty for text-only findings)."""

    rule: str
    severity: Severity
    keys: tuple[str, ...]
    message: str
    expected: Number | None = None
    actual: Number | None = None
    fingerprint: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "keys": list(self.keys),
            "message": self.message,
            "expected": _json_number(self.expected),
            "actual": _json_number(self.actual),
            "fingerprint": self.fingerprint,
        }


def _json_number(v: Number | None) -> int | float | None:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


# --------------------------------------------------------------------------------------------------
# Declarative checks and rules
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SumEquals:
    """``sum(left) == sum(right)``, blanks as 0. ``left`` is the printed total side."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    where: str  # "表三 自然人列"
    left_name: str  # "第一项+第二项"
    right_name: str
    left_parts: tuple[str, ...] = ()  # part names for the message, parallel to left/right
    right_parts: tuple[str, ...] = ()
    only_if_printed: str | None = None  # the equation exists only when this key was printed (R14)
    keys: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", _in_template_order(self.left + self.right))


@dataclass(frozen=True)
class SumAtMost:
    """``sum(left) <= sum(right)``, blanks as 0; skipped where ``unless_fails`` already fails."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    where: str
    left_name: str
    right_name: str
    unless_fails: SumEquals | None = None
    keys: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", _in_template_order(self.left + self.right))


Equation = SumEquals | SumAtMost
CheckFn = Callable[["Rule", "_Context"], list[Issue]]


@dataclass(frozen=True)
class Rule:
    """A rule: stable code, default severity, Chinese title and message template, and its check —
    a tuple of equations, or a small pure function for cross-report and text rules."""

    code: str
    severity: Severity
    title: str
    message: str
    check: tuple[Equation, ...] | CheckFn
    variants: tuple[tuple[str, str], ...] = ()  # further message templates, by name

    def template(self, variant: str | None = None) -> str:
        return self.message if variant is None else dict(self.variants)[variant]

    @property
    def equations(self) -> tuple[Equation, ...]:
        return self.check if isinstance(self.check, tuple) else ()


# --------------------------------------------------------------------------------------------------
# Helpers: order, names, numbers, fingerprints, text
# --------------------------------------------------------------------------------------------------

SUBTOTAL_KEYS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # "applications.withheld_subtotal.total" -> (group label, column, component keys)
    f"applications.{g}_subtotal.{col}": (label, col, tuple(c.t3(r, col) for r in rows))
    for g, (label, rows) in c.GROUPS.items()
    for col in c.TABLE3_COLUMN_KEYS
}

_ORDER: dict[str, float] = {k: float(i) for i, k in enumerate(c.ALL_KEYS)}
for _sub, (_label, _col, _parts) in SUBTOTAL_KEYS.items():
    # A printed subtotal sits on the group's header line, just above its first sub-row.
    _first_row = _parts[0].split(".")[1]
    _ORDER[_sub] = _ORDER[c.t3(_first_row, c.TABLE3_COLUMN_KEYS[0])] - 1 + c.TABLE3_COLUMN_KEYS.index(_col) / 10


_ORDERED: dict[tuple[str, ...], tuple[str, ...]] = {}  # the same cell lists recur in every report


def _in_template_order(keys: Iterable[str]) -> tuple[str, ...]:
    given = tuple(keys)
    ordered = _ORDERED.get(given)
    if ordered is None:
        ordered = tuple(sorted(dict.fromkeys(given), key=lambda k: _ORDER.get(k, math.inf)))
        if len(_ORDERED) < 20_000:
            _ORDERED[given] = ordered
    return ordered


_COL_NAME = dict(c.TABLE3_COLUMNS)
_T4_COL_NAME = dict(c.TABLE4_COLUMNS)
_T4_BLOCK_NAME = dict(c.TABLE4_BLOCKS)
_ROW_SHORT: dict[str, str] = {
    "new_received": "本年新收",
    "carried_over": "上年结转",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "total_processed": "办理结果总计",
    "carried_forward": "结转下年度",
}


def row_name(row: str) -> str:
    """A 表三 row as a clerk reads it: "（三）不予公开 1.属于国家秘密", "（二）部分公开", "一、本年新收…"."""
    r = c.TABLE3_ROW_BY_KEY[row]
    if r.group:
        return f"{r.group}{r.label}"
    return r.label.split("（区分")[0]


def _row_short(row: str) -> str:
    r = c.TABLE3_ROW_BY_KEY[row]
    if r.group:
        return f"{r.group[3:]}{r.label.split('.')[0]}"  # "不予公开1"
    return _ROW_SHORT[row]


def _key_label(key: str) -> str:
    if key in SUBTOTAL_KEYS:
        label, col, _ = SUBTOTAL_KEYS[key]
        return f"表三{label}小计 {_COL_NAME[col]}"
    return c.short_label(key)


_KEY_LABELS = {k: _key_label(k) for k in (*c.ALL_KEYS, *SUBTOTAL_KEYS)}


def key_label(key: str) -> str:
    """canonical.short_label, extended to the printed group subtotals of R14."""
    return _KEY_LABELS.get(key) or _key_label(key)


def cells_text(keys: Iterable[str], limit: int = 8) -> str:
    """The cells of an issue by name for a list or a letter; a long list is cut ("…、… 等 150 格")."""
    keys = list(keys)
    shown = "、".join(key_label(k) for k in keys[:limit])
    return shown + (f" 等 {len(keys)} 格" if len(keys) > limit else "")


_INVALID = object()


def _coerce(v: object) -> Number | None | object:
    """A cell value as a number, None (blank) or _INVALID (R7 reports it)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return _INVALID
    if isinstance(v, int):
        return v
    if isinstance(v, Decimal):
        return v if v.is_finite() else _INVALID
    if isinstance(v, float):
        return Decimal(repr(v)) if math.isfinite(v) else _INVALID
    return _INVALID


def fmt(v: Number | None) -> str:
    """A number as printed: 12, 0.35 (never 1E+1 or 12.0)."""
    if v is None:
        return "空白"
    if isinstance(v, Decimal):
        v = v.normalize()
        return str(int(v)) if v == v.to_integral_value() else format(v, "f")
    return str(v)


def _fp_value(v: object) -> str:
    n = _coerce(v)
    if n is None:
        return "_"
    if n is _INVALID:
        return f"!{v!r}"
    return fmt(n)  # type: ignore[arg-type]


def fingerprint(code: str, keys: Sequence[str], values: Sequence[object], extra: str = "") -> str:
    """A short stable hash of the rule, the keys and their values (and any text concerned): a reviewer's
    "已核实" survives re-validation while these are unchanged — whether read from a file or from the database."""
    payload = "\x1f".join([code, ",".join(keys), ",".join(_fp_value(v) for v in values), extra])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


_WS = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CLAUSE_SPLIT = re.compile(r"[,;。!?:]")
_SENTENCE_SPLIT = re.compile(r"[;。!?]")


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and brackets to ASCII), no whitespace (PDF text breaks numbers and words
    across lines), thousands separators dropped so 3,985,758 stays one number."""
    return _THOUSANDS.sub("", _WS.sub("", unicodedata.normalize("NFKC", text)))


# --------------------------------------------------------------------------------------------------
# The evaluation context
# --------------------------------------------------------------------------------------------------


class _Context:
    """Per-evaluation caches: coerced numbers, blanks, unusable cells, normalised texts."""

    def __init__(self, facts: ReportFacts, config: RuleConfig) -> None:
        self.facts = facts
        self.config = config
        raw: dict[str, object] = {k: facts.values.get(k) for k in c.ALL_KEYS}
        raw.update(facts.printed_subtotals)
        self.raw = raw
        self.num: dict[str, Number] = {}
        self.blank: set[str] = set()
        self.invalid: set[str] = set()
        num, blank = self.num, self.blank
        for k, v in raw.items():
            if v is None:
                blank.add(k)
            elif type(v) is int:  # the common case, as _coerce (which refuses bool, a subclass of int)
                num[k] = v
            else:
                n = _coerce(v)
                if n is None:
                    blank.add(k)
                elif n is _INVALID:
                    self.invalid.add(k)
                else:
                    num[k] = n  # type: ignore[assignment]
        # Cells the parser could not locate are unknown, not 0: no sum may treat them as zero.
        self.missing: set[str] = {k for k in facts.missing_keys or () if k in self.blank}
        self.unknown: set[str] = self.invalid | self.missing
        self._texts: dict[str, str] = {}
        self.previous = _usable_previous(facts)

    def n(self, key: str) -> Number:
        return self.num.get(key, 0)

    def known(self, keys: Iterable[str]) -> bool:
        """No cell among ``keys`` is unusable (R7) or could not be read (R15)."""
        return not any(k in self.unknown for k in keys)

    def text(self, *sections: str) -> str:
        """The normalised text of the given sections, joined by 。 so clauses never run together."""
        out = []
        for s in sections:
            if s not in self._texts:
                self._texts[s] = normalize_text(self.facts.sections.get(s) or "")
            out.append(self._texts[s])
        return "。".join(t for t in out if t)

    @property
    def has_text(self) -> bool:
        return any((self.facts.sections.get(s) or "").strip() for s in SECTION_KEYS)

    def severity(self, rule: Rule) -> Severity:
        cfg = self.config
        if rule.code in cfg.severity_overrides:
            return cfg.severity_overrides[rule.code]
        code = rule.code
        if code == "R8":
            return cfg.r8_severity
        if code == "R13":
            return cfg.fee_statement_severity
        if code == "R18":
            return cfg.r18_severity
        return rule.severity

    def issue(
        self,
        rule: Rule,
        keys: Iterable[str],
        *,
        variant: str | None = None,
        expected: Number | None = None,
        actual: Number | None = None,
        extra: str = "",
        severity: Severity | None = None,
        **fields: object,
    ) -> Issue:
        ordered = _in_template_order(keys)
        return Issue(
            rule=rule.code,
            severity=severity or self.severity(rule),
            keys=ordered,
            message=rule.template(variant).format(**fields),
            expected=expected,
            actual=actual,
            fingerprint=fingerprint(rule.code, ordered, [self.raw.get(k) for k in ordered], extra),
        )


def _usable_previous(facts: ReportFacts) -> ReportFacts | None:
    prev = facts.previous
    if prev is None:
        return None
    if facts.year is not None and prev.year is not None and prev.year != facts.year - 1:
        return None
    return prev


def _prev_number(prev: ReportFacts, key: str) -> Number | None | object:
    return _coerce(prev.values.get(key))


def _blank_note(ctx: _Context, keys: Iterable[str]) -> str:
    n = sum(1 for k in keys if k in ctx.blank)
    return f"（其中 {n} 格空白，按 0 计）" if n else ""


def _parts_note(ctx: _Context, eq: SumEquals) -> str:
    sides = []
    for keys, names in ((eq.left, eq.left_parts), (eq.right, eq.right_parts)):
        if not names or len(keys) < 2:
            continue
        pairs = [(name, ctx.n(k)) for k, name in zip(keys, names, strict=True)]
        if len(pairs) > 4:
            shown = [f"{name} {fmt(v)}" for name, v in pairs if v != 0]
            more = f" 等 {len(shown)} 项" if len(shown) > 8 else ""
            sides.append("非零项：" + "，".join(shown[:8]) + more if shown else "各项均为 0")
        else:
            sides.append(" + ".join(f"{name} {fmt(v)}" for name, v in pairs))
    return f"（{'；'.join(sides)}）" if sides else ""


def _sum(ctx: _Context, keys: Iterable[str]) -> Number:
    total: Number = 0
    for k in keys:
        total += ctx.n(k)
    return total


def _fails(eq: SumEquals, ctx: _Context) -> bool:
    """Whether ``eq`` is reported as failing (read in full, something printed, sums differ)."""
    keys = eq.keys
    if not ctx.known(keys) or all(k in ctx.blank for k in keys):
        return False
    return _sum(ctx, eq.left) != _sum(ctx, eq.right)


def _equation_issue(rule: Rule, eq: Equation, ctx: _Context) -> Issue | None:
    get = ctx.num.get
    left, right = sum([get(k, 0) for k in eq.left]), sum([get(k, 0) for k in eq.right])  # as _sum: blanks as 0
    equals = isinstance(eq, SumEquals)
    # Sums that agree (or respect the bound) are never reported, whatever blank, unread or unusable cells they hold
    # (a partly read identity is only reported when its read side already exceeds the other): most return here.
    if left == right if equals else left <= right:
        return None
    if equals and eq.only_if_printed and eq.only_if_printed not in ctx.num:
        return None
    keys = eq.keys
    if any(k in ctx.invalid for k in keys) or all(k in ctx.blank for k in keys):
        return None
    if any(k in ctx.missing for k in keys):
        return _partial_issue(rule, eq, ctx) if equals else None
    if equals:
        detail = _parts_note(ctx, eq)
    else:
        if eq.unless_fails is not None and _fails(eq.unless_fails, ctx):
            return None
        detail = ""
    return ctx.issue(
        rule,
        keys,
        expected=right,
        actual=left,
        where=eq.where,
        left_name=eq.left_name,
        right_name=eq.right_name,
        left=fmt(left),
        right=fmt(right),
        delta=fmt(abs(left - right)),
        detail=detail,
        blanks=_blank_note(ctx, (k for k in keys if k not in ctx.missing)),
    )


def _partial_issue(rule: Rule, eq: SumEquals, ctx: _Context) -> Issue | None:
    """An identity some of whose cells could not be read: counts are ≥ 0, so the cells read on one side
    are a lower bound of that side — if they already exceed the other, fully read side, it is certainly
    wrong whatever the unread cells hold (FORMAT.md R19, "useful for partial data")."""
    missing_left = [k for k in eq.left if k in ctx.missing]
    missing_right = [k for k in eq.right if k in ctx.missing]
    if (missing_left and missing_right) or any(ctx.n(k) < 0 for k in eq.keys):
        return None
    if missing_left:
        partial_keys, partial_name, bound_keys, bound_name = eq.left, eq.left_name, eq.right, eq.right_name
    else:
        partial_keys, partial_name, bound_keys, bound_name = eq.right, eq.right_name, eq.left, eq.left_name
    partial, bound = _sum(ctx, partial_keys), _sum(ctx, bound_keys)
    if partial <= bound:
        return None
    return ctx.issue(
        rule,
        eq.keys,
        variant="partial",
        expected=_sum(ctx, eq.right),
        actual=_sum(ctx, eq.left),
        where=eq.where,
        bound_name=bound_name,
        bound=fmt(bound),
        partial_name=partial_name,
        partial=fmt(partial),
        delta=fmt(partial - bound),
        missing=len(missing_left or missing_right),
    )


# --------------------------------------------------------------------------------------------------
# Equations, generated once from canonical.py
# --------------------------------------------------------------------------------------------------


def _col_equations_r1() -> tuple[SumEquals, ...]:
    return tuple(
        SumEquals(
            left=(c.t3("new_received", col), c.t3("carried_over", col)),
            right=(c.t3("total_processed", col), c.t3("carried_forward", col)),
            where=f"表三 {_COL_NAME[col]}列",
            left_name="第一项+第二项",
            right_name="第三项+第四项",
            left_parts=("本年新收", "上年结转"),
            right_parts=("办理结果总计", "结转下年度"),
        )
        for col in c.TABLE3_COLUMN_KEYS
    )


def _row_equations_r2() -> tuple[SumEquals, ...]:
    return tuple(
        SumEquals(
            left=(c.t3(row, "total"),),
            right=tuple(c.t3(row, col) for col in c.APPLICANT_COLUMN_KEYS),
            where=f"表三 {row_name(row)} 行",
            left_name="总计",
            right_name="自然人及法人或其他组织各列之和",
            right_parts=tuple(_COL_NAME[col] for col in c.APPLICANT_COLUMN_KEYS),
        )
        for row in c.TABLE3_ROW_KEYS
    )


def _col_equations_r3() -> tuple[SumEquals, ...]:
    return tuple(
        SumEquals(
            left=(c.t3("total_processed", col),),
            right=tuple(c.t3(row, col) for row in c.OUTCOME_ROW_KEYS),
            where=f"表三 {_COL_NAME[col]}列",
            left_name="（七）总计",
            right_name="（一）至（六）各项办理结果之和",
            right_parts=tuple(_row_short(row) for row in c.OUTCOME_ROW_KEYS),
        )
        for col in c.TABLE3_COLUMN_KEYS
    )


def _block_equation_t4(block: str) -> tuple[SumEquals, ...]:
    parts = ("upheld", "corrected", "other", "pending")
    return (
        SumEquals(
            left=(c.t4(block, "total"),),
            right=tuple(c.t4(block, p) for p in parts),
            where=f"表四 {_T4_BLOCK_NAME[block]}",
            left_name="总计",
            right_name="结果维持+结果纠正+其他结果+尚未审结",
            right_parts=tuple(_T4_COL_NAME[p] for p in parts),
        ),
    )


def _subtotal_equations_r14() -> tuple[SumEquals, ...]:
    return tuple(
        SumEquals(
            left=(sub,),
            right=parts,
            where=f"表三{label} {_COL_NAME[col]}列",
            left_name="印出的小计",
            right_name=f"1至{len(parts)}项之和",
            only_if_printed=sub,
        )
        for sub, (label, col, parts) in SUBTOTAL_KEYS.items()
    )


def _col_inequalities_r19(r1: tuple[SumEquals, ...]) -> tuple[SumAtMost, ...]:
    out = []
    for col, guard in zip(c.TABLE3_COLUMN_KEYS, r1, strict=True):
        available = (c.t3("new_received", col), c.t3("carried_over", col))
        for row, name in (("total_processed", "第三项（七）总计"), ("carried_forward", "第四项 结转下年度")):
            out.append(
                SumAtMost(
                    left=(c.t3(row, col),),
                    right=available,
                    where=f"表三 {_COL_NAME[col]}列",
                    left_name=name,
                    right_name="第一项+第二项",
                    unless_fails=guard,
                )
            )
    return tuple(out)


_R1 = _col_equations_r1()


# --------------------------------------------------------------------------------------------------
# Cell-level checks: R7, R10, R11, R21, R15 (cells)
# --------------------------------------------------------------------------------------------------

_FEE_KEYS = frozenset({c.FEES_KEY})


def _check_r7(rule: Rule, ctx: _Context) -> list[Issue]:
    issues = []
    # Only unusable cells, negative numbers and fractions can fail: those, in template order.
    suspects = [k for k, n in ctx.num.items() if type(n) is not int or n < 0]
    for key in _in_template_order([*suspects, *ctx.invalid]) if suspects or ctx.invalid else ():
        raw = ctx.raw[key]
        if key in ctx.blank:
            continue
        if key in ctx.invalid:
            issues.append(ctx.issue(rule, (key,), variant="not_number", cell=key_label(key), raw=repr(raw)))
            continue
        n = ctx.num[key]
        if n < 0:
            issues.append(ctx.issue(rule, (key,), variant="negative", actual=n, cell=key_label(key), value=fmt(n)))
        elif isinstance(n, Decimal) and key not in _FEE_KEYS and n != n.to_integral_value():
            issues.append(ctx.issue(rule, (key,), actual=n, cell=key_label(key), value=fmt(n)))
    return issues


_STOCK_ROWS = (("regulations", "规章"), ("normative_documents", "行政规范性文件"))


def _check_r10(rule: Rule, ctx: _Context) -> list[Issue]:
    issues = []
    for row, name in _STOCK_ROWS:
        keys = tuple(f"active_disclosure.{row}.{col}" for col in ("issued", "repealed", "in_force"))
        if ctx.facts.template == "2019" or not ctx.known(keys) or all(k in ctx.blank for k in keys):
            continue
        issued, repealed, in_force = (ctx.n(k) for k in keys)
        if issued > 0 and in_force < issued - repealed:
            issues.append(
                ctx.issue(
                    rule,
                    keys,
                    expected=issued - repealed,
                    actual=in_force,
                    row=name,
                    issued=fmt(issued),
                    repealed=fmt(repealed),
                    in_force=fmt(in_force),
                    minimum=fmt(issued - repealed),
                )
            )
    return issues


def _rulemaking_power(facts: ReportFacts) -> bool | None:
    if facts.has_rulemaking_power is not None:
        return facts.has_rulemaking_power
    if facts.agency_kind in _NO_RULEMAKING_KINDS:
        return False
    return None


_REGULATION_KEYS = tuple(k for k in c.TABLE2_KEYS if k.startswith("active_disclosure.regulations."))


def _check_r11(rule: Rule, ctx: _Context) -> list[Issue]:
    if _rulemaking_power(ctx.facts) is not False:
        return []
    nonzero = [k for k in _REGULATION_KEYS if k in ctx.num and ctx.num[k] != 0]
    if not nonzero:
        return []
    kind = AGENCY_KIND_LABELS.get(ctx.facts.agency_kind or "other", "本机关")
    cells = "，".join(f"{key_label(k)} {fmt(ctx.num[k])}" for k in nonzero)
    return [ctx.issue(rule, nonzero, cells=cells, kind=kind)]


def _template_keys(table: str, template: str | None) -> tuple[str, ...]:
    """The cells a template expects numbers in (2019: no 表二 comparison, no 其他处理 sub-rows 1–2)."""
    keys = _TEMPLATE_KEYS.get((table, template))
    if keys is None:
        keys = _template_keys_of(table, template)
        if len(_TEMPLATE_KEYS) < 100:
            _TEMPLATE_KEYS[(table, template)] = keys
    return keys


_TEMPLATE_KEYS: dict[tuple[str, str | None], tuple[str, ...]] = {}


def _template_keys_of(table: str, template: str | None) -> tuple[str, ...]:
    if table == "表二":
        return () if template == "2019" else c.TABLE2_KEYS
    if table == "表三":
        return tuple(k for k in c.TABLE3_KEYS if template != "2019" or k not in c.NOT_IN_2019)
    return c.TABLE4_KEYS


_TABLES = ("表二", "表三", "表四")


def _table_blanks(ctx: _Context, table: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(missing keys, blank keys, whole table blank) of one table."""
    keys = _template_keys(table, ctx.facts.template)
    missing_known = ctx.facts.missing_keys or frozenset()
    nones = [k for k in keys if k in ctx.blank]
    missing = tuple(k for k in nones if k in missing_known)
    blank = tuple(k for k in nones if k not in missing_known)
    whole = bool(keys) and len(blank) == len(keys)
    return missing, blank, whole


def _r21_groups(table: str, template: str | None) -> list[tuple[str, tuple[str, ...], Callable[[str], str]]]:
    """(where, keys, cell name) per 表三 row and per 表二/表四 block."""
    expected = set(_template_keys(table, template))
    groups: list[tuple[str, tuple[str, ...], Callable[[str], str]]] = []
    if table == "表二":
        blocks: dict[str, list[str]] = {}
        for cell in c.TABLE2_CELLS:
            blocks.setdefault(cell.block, []).append(cell.key)
        by_key = {cell.key: cell for cell in c.TABLE2_CELLS}
        for block, keys in blocks.items():
            groups.append((f"表二 {block}", tuple(keys), lambda k: f"{by_key[k].row_label} {by_key[k].col_label}"))
    elif table == "表三":
        for row in c.TABLE3_ROW_KEYS:
            groups.append((f"表三 {row_name(row)} 行", c.keys_of_row(row), lambda k: _COL_NAME[k.split(".")[2]]))
    else:
        for block in c.TABLE4_BLOCK_KEYS:
            keys = tuple(c.t4(block, col) for col in c.TABLE4_COLUMN_KEYS)
            groups.append((f"表四 {_T4_BLOCK_NAME[block]}", keys, lambda k: _T4_COL_NAME[k.split(".")[2]]))
    return [(w, tuple(k for k in keys if k in expected), name) for w, keys, name in groups]


_R21_GROUPS = {(t, tpl): _r21_groups(t, tpl) for t in _TABLES for tpl in ("2021", "2019", None)}


def _check_r21(rule: Rule, ctx: _Context) -> list[Issue]:
    issues = []
    template = ctx.facts.template if ctx.facts.template in ("2021", "2019") else None
    for table in _TABLES:
        _, blank, whole = _table_blanks(ctx, table)
        if whole or not blank:
            continue  # a wholly blank table is R15's
        blank_set = set(blank)
        groups = [
            (where, hit, name)
            for where, keys, name in _R21_GROUPS[(table, template)]
            if (hit := [k for k in keys if k in blank_set])
        ]
        patterns = {tuple(name(k) for k in hit) for _, hit, name in groups}
        if table == "表三" and len(groups) == len(c.TABLE3_ROWS) and len(patterns) == 1:
            # The common "only 总计 printed" layout: one issue for the table, not 25 identical ones.
            cells = "、".join(next(iter(patterns)))
            keys = [k for _, hit, _ in groups for k in hit]
            issues.append(ctx.issue(rule, keys, variant="all_rows", rows=len(groups), cells=cells))
            continue
        for where, hit, name in groups:
            issues.append(ctx.issue(rule, hit, where=where, count=len(hit), cells="、".join(name(k) for k in hit)))
    return issues


# --------------------------------------------------------------------------------------------------
# Cross-report checks: R8, R9, R20, R22
# --------------------------------------------------------------------------------------------------


def _check_r8(rule: Rule, ctx: _Context) -> list[Issue]:
    prev = ctx.previous
    if prev is None:
        return []
    issues = []
    for col in c.TABLE3_COLUMN_KEYS:
        key = c.t3("carried_over", col)
        before = _prev_number(prev, c.t3("carried_forward", col))
        if key in ctx.unknown or before is _INVALID or (key in ctx.blank and before is None):
            continue
        before_n: Number = before if before is not None else 0  # type: ignore[assignment]
        now = ctx.n(key)
        if now != before_n:
            issues.append(
                ctx.issue(
                    rule,
                    (key,),
                    expected=before_n,
                    actual=now,
                    extra=_fp_value(before),
                    col=_COL_NAME[col],
                    now=fmt(now),
                    before=fmt(before_n),
                    prev_year=prev.year if prev.year is not None else "上",
                    delta=fmt(abs(now - before_n)),
                )
            )
    return issues


def _check_r9(rule: Rule, ctx: _Context) -> list[Issue]:
    prev = ctx.previous
    if prev is None or "2019" in (ctx.facts.template, prev.template):
        return []
    issues = []
    for row, name in _STOCK_ROWS:
        keys = tuple(f"active_disclosure.{row}.{col}" for col in ("issued", "repealed", "in_force"))
        before = _prev_number(prev, f"active_disclosure.{row}.in_force")
        if before is _INVALID or not ctx.known(keys):
            continue
        if before is None and all(k in ctx.blank for k in keys):
            continue
        before_n: Number = before if before is not None else 0  # type: ignore[assignment]
        issued, repealed, in_force = (ctx.n(k) for k in keys)
        expected = before_n + issued - repealed
        if in_force != expected:
            issues.append(
                ctx.issue(
                    rule,
                    keys,
                    expected=expected,
                    actual=in_force,
                    extra=_fp_value(before),
                    row=name,
                    before=fmt(before_n),
                    issued=fmt(issued),
                    repealed=fmt(repealed),
                    expected_value=fmt(expected),
                    in_force=fmt(in_force),
                    delta=fmt(abs(in_force - expected)),
                )
            )
    return issues


def _block_cases(ctx: _Context, block: str) -> Number:
    """Cases of one 表四 block: its total, or its parts when the total is blank or smaller."""
    parts = _sum(ctx, (c.t4(block, p) for p in ("upheld", "corrected", "other", "pending")))
    return max(ctx.n(c.t4(block, "total")), parts)


def _check_r20(rule: Rule, ctx: _Context) -> list[Issue]:
    if not ctx.known((*c.TABLE4_KEYS, c.t3("new_received", "total"), c.t3("carried_over", "total"))):
        return []
    cases = {b: _block_cases(ctx, b) for b in c.TABLE4_BLOCK_KEYS}
    if not any(v > 0 for v in cases.values()):
        return []
    new_key, over_key = c.t3("new_received", "total"), c.t3("carried_over", "total")
    if ctx.n(new_key) != 0 or ctx.n(over_key) != 0:
        return []
    prev = ctx.previous
    if prev is not None:
        before = [_prev_number(prev, c.t3(r, "total")) for r in ("new_received", "carried_over")]
        if any(b is _INVALID or (b is not None and b != 0) for b in before):
            return []
        context = f"本年及上年（{prev.year if prev.year is not None else '上年'}）均未收到政府信息公开申请"
    else:
        context = "本年未收到政府信息公开申请、也无上年结转"
    t4_keys = [c.t4(b, "total") for b, v in cases.items() if v > 0]
    blocks = "、".join(f"{_T4_BLOCK_NAME[b]} {fmt(v)} 件" for b, v in cases.items() if v > 0)
    return [ctx.issue(rule, [new_key, over_key, *t4_keys], context=context, blocks=blocks)]


_T2_FLOW_KEYS = tuple(k for k in c.TABLE2_KEYS if not k.endswith(".in_force"))
_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")


def _same_figures(ctx: _Context, prev: ReportFacts, keys: Sequence[str]) -> bool:
    for k in keys:
        before = _prev_number(prev, k)
        if k in ctx.unknown or before is _INVALID or ctx.n(k) != (before if before is not None else 0):
            return False
    return True


def _shingles(text: str, k: int = 4) -> set[str]:
    # Digits are folded so "2022年" → "2023年" edits do not hide a copy.
    text = _DIGITS.sub("0", _NON_WORD.sub("", text))
    return {text[i : i + k] for i in range(max(len(text) - k + 1, 0))}


def text_similarity(a: str, b: str, *, normalized: bool = False) -> float:
    """Jaccard similarity of 4-character shingles (pure Python, linear time)."""
    if not normalized:
        a, b = normalize_text(a), normalize_text(b)
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def _check_r22(rule: Rule, ctx: _Context) -> list[Issue]:
    prev = ctx.previous
    if prev is None:
        return []
    issues = []
    if ctx.facts.template == prev.template or None in (ctx.facts.template, prev.template):
        t2 = _template_keys("表二", ctx.facts.template)
        if t2 and any(ctx.n(k) != 0 for k in _T2_FLOW_KEYS) and _same_figures(ctx, prev, t2):
            nonzero = [k for k in t2 if ctx.n(k) != 0]
            issues.append(ctx.issue(rule, nonzero, variant="table", table="表二（主动公开）", year=prev.year))
        t3 = _template_keys("表三", ctx.facts.template)
        if ctx.n(c.t3("new_received", "total")) > 0 and _same_figures(ctx, prev, t3):
            nonzero = [k for k in t3 if ctx.n(k) != 0]
            issues.append(ctx.issue(rule, nonzero, variant="table", table="表三（依申请公开）", year=prev.year))
    now_text = ctx.text("problems")
    minimum = ctx.config.similarity_min_chars
    if len(now_text) >= minimum and len(before_text := normalize_text(prev.sections.get("problems") or "")) >= minimum:
        similarity = text_similarity(now_text, before_text, normalized=True)
        if similarity >= ctx.config.similarity_threshold:
            issues.append(
                ctx.issue(
                    rule,
                    (),
                    extra=hashlib.sha256((now_text + "\x1f" + before_text).encode()).hexdigest(),
                    year=prev.year,
                    percent=math.floor(similarity * 100),
                )
            )
    return issues


# --------------------------------------------------------------------------------------------------
# Structure and template: R15, R16
# --------------------------------------------------------------------------------------------------

_ARABIC_TO_CN = dict(zip("123456", SECTION_NUMERALS, strict=True))


def _check_r15(rule: Rule, ctx: _Context) -> list[Issue]:
    # A missing section is an error; sections out of order, cells that could not be read and wholly
    # blank tables are warnings: the content may still be there.
    issues = []
    found = ctx.facts.sections_found
    if found is not None:
        seen = list(dict.fromkeys(s for s in (_ARABIC_TO_CN.get(x, x) for x in found) if s in SECTION_TITLES))
        missing = [s for s in SECTION_NUMERALS if s not in seen]
        if missing:
            names = "、".join(SECTION_TITLES[s] for s in missing)
            issues.append(ctx.issue(rule, (), variant="sections", extra=",".join(missing), sections=names))
        if seen != sorted(seen, key=SECTION_NUMERALS.index):
            issues.append(
                ctx.issue(
                    rule,
                    (),
                    variant="order",
                    severity="warning",
                    extra="order:" + ",".join(seen),
                    order="、".join(seen),
                )
            )
    for table in _TABLES:
        missing_cells, _, whole = _table_blanks(ctx, table)
        if missing_cells:
            shown = "、".join(key_label(k) for k in missing_cells[:5])
            more = f" 等 {len(missing_cells)} 格" if len(missing_cells) > 5 else ""
            issues.append(
                ctx.issue(
                    rule,
                    missing_cells,
                    variant="cells",
                    severity="warning",
                    table=table,
                    count=len(missing_cells),
                    cells=shown + more,
                )
            )
        elif whole:
            keys = _template_keys(table, ctx.facts.template)
            issues.append(ctx.issue(rule, keys, variant="blank_table", severity="warning", table=table))
    return issues


def _check_r16(rule: Rule, ctx: _Context) -> list[Issue]:
    year, template = ctx.facts.year, ctx.facts.template
    if year is None or template not in ("2019", "2021"):
        return []
    if year >= 2021 and template == "2019":
        return [
            ctx.issue(
                rule,
                (),
                extra=f"{year}:{template}",
                year=year,
                used="2019年试行格式（国办公开办函〔2019〕60号）",
                wanted="2021年格式（国办公开办函〔2021〕30号）",
            )
        ]
    if year in (2019, 2020) and template == "2021":
        return [
            ctx.issue(
                rule,
                (),
                extra=f"{year}:{template}",
                year=year,
                used="2021年格式（国办公开办函〔2021〕30号）",
                wanted="2019年试行格式（国办公开办函〔2019〕60号）",
            )
        ]
    return []


# --------------------------------------------------------------------------------------------------
# Text and metadata: R12, R13, R17, R18, R23, R24, R25
# --------------------------------------------------------------------------------------------------

_OTHER_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_COMPARISON = re.compile(r"上年|去年|上一年|同比|较|比上|结转|以来|历年")


def _clauses(text: str) -> list[str]:
    return [s for s in _CLAUSE_SPLIT.split(text) if s]


def _about_this_year(clause: str, year: int | None) -> bool:
    """A clause we may hold against this year's tables: no other year named, no comparison."""
    if _COMPARISON.search(clause):
        return False
    return not any(year is None or int(y) != year for y in _OTHER_YEAR.findall(clause))


_NUM = r"(?P<n>\d+)"
_UNIT = r"(?:件|起|宗|个|份|项)"
_TOTAL_WORD = r"(?:共|共计|总计|合计)?"
_TEXT_FIGURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("applications", re.compile(r"(?:收到|受理|接收|接到|新收)(?P<mid>[^\d]{0,14}?)申请" + _TOTAL_WORD + _NUM + _UNIT)),
    ("review", re.compile(r"行政复议(?:案件|申请)?" + _TOTAL_WORD + _NUM + _UNIT)),
    ("litigation", re.compile(r"行政诉讼(?:案件)?" + _TOTAL_WORD + _NUM + _UNIT)),
    ("punishment", re.compile(r"行政处罚(?:决定书?|案件)?" + _TOTAL_WORD + _NUM + _UNIT)),
    ("licensing", re.compile(r"行政许可(?:决定书?|事项)?" + _TOTAL_WORD + _NUM + _UNIT)),
    ("coercion", re.compile(r"行政强制(?:决定书?|措施)?" + _TOTAL_WORD + _NUM + _UNIT)),
)
_NOT_AN_APPLICATION = re.compile(r"复议|诉讼|投诉|举报|信访|听证|许可|处罚")
_NO_APPLICATION = re.compile(
    r"(?:未|没有)(?:收到|受理|接到|接收)(?:任何|过)?(?:政府信息公开|依申请公开|信息公开)的?申请"
)
_NO_CASES = re.compile(
    r"(?:未|没有|无)(?:发生|出现|产生|收到|涉及)[^\d]{0,20}?(?:行政复议|行政诉讼)(?:[、和及与]{1,2}(?:提起)?行政诉讼)?"
)


_BLOCK_CELLS = {b: tuple(c.t4(b, col) for col in c.TABLE4_COLUMN_KEYS) for b in c.TABLE4_BLOCK_KEYS}
_FIGURE_CELLS: dict[str, tuple[str, ...]] = {
    "applications": (c.t3("new_received", "total"), c.t3("carried_over", "total")),
    "review": _BLOCK_CELLS["review"],
    "litigation": _BLOCK_CELLS["litigation_direct"] + _BLOCK_CELLS["litigation_after_review"],
    "punishment": ("active_disclosure.punishment.decisions",),
    "licensing": ("active_disclosure.licensing.decisions",),
    "coercion": ("active_disclosure.coercion.decisions",),
}


def _figure_targets(ctx: _Context, kind: str) -> tuple[tuple[str, ...], set[Number]]:
    """The table cells a figure quoted in the text stands for, and the values that agree with them."""
    if kind == "applications":
        new, over = c.t3("new_received", "total"), c.t3("carried_over", "total")
        return (new,), {ctx.n(new), ctx.n(new) + ctx.n(over)}
    if kind == "review":
        return (c.t4("review", "total"),), {ctx.n(c.t4("review", "total")), _block_cases(ctx, "review")}
    if kind == "litigation":
        direct, after = (c.t4(b, "total") for b in ("litigation_direct", "litigation_after_review"))
        d, a = _block_cases(ctx, "litigation_direct"), _block_cases(ctx, "litigation_after_review")
        return (direct, after), {d + a, d, a, ctx.n(direct) + ctx.n(after)}
    key = f"active_disclosure.{kind}.decisions"
    return (key,), {ctx.n(key)}


_FIGURE_HINT = re.compile(r"申请|复议|诉讼|处罚|许可|强制")
_ZERO_HINT = re.compile(r"未|没有|无")


def _check_r12(rule: Rule, ctx: _Context) -> list[Issue]:
    if not ctx.has_text:
        return []
    reported: set[str] = set()
    return _r12_figures(rule, ctx, reported) + _r12_zero_statements(rule, ctx, reported)


def _r12_figures(rule: Rule, ctx: _Context, reported: set[str]) -> list[Issue]:
    """Figures quoted in 一、总体情况 (收到申请 N 件, 行政复议 N 件 …) against the table cells."""
    issues = []
    for clause in _clauses(ctx.text("overview")):
        if not _FIGURE_HINT.search(clause) or not _about_this_year(clause, ctx.facts.year):
            continue
        for kind, pattern in _TEXT_FIGURES:
            m = pattern.search(clause)
            if m is None or kind in reported:
                continue
            if kind == "applications" and ("公开" not in m["mid"] or _NOT_AN_APPLICATION.search(m["mid"])):
                continue
            keys, agreeing = _figure_targets(ctx, kind)
            quoted = int(m["n"])
            if quoted in agreeing or not ctx.known(_FIGURE_CELLS[kind]):
                continue
            reported.add(kind)
            table_value = _sum(ctx, keys)
            issues.append(
                ctx.issue(
                    rule,
                    keys,
                    expected=table_value,
                    actual=quoted,
                    extra=m.group(0),
                    quoted=quoted,
                    quote=m.group(0),
                    table=fmt(table_value),
                    cells="、".join(key_label(k) for k in keys),
                )
            )
    return issues


def _r12_zero_statements(rule: Rule, ctx: _Context, reported: set[str]) -> list[Issue]:
    """ "未收到政府信息公开申请" / "未发生…行政复议、行政诉讼" (一 or 六) against non-zero tables."""
    issues = []
    for clause in _clauses(ctx.text("overview", "other")):
        if not _ZERO_HINT.search(clause) or not _about_this_year(clause, ctx.facts.year):
            continue
        checks: list[tuple[str, str, tuple[str, ...], Number]] = []
        if m := _NO_APPLICATION.search(clause):
            key = c.t3("new_received", "total")
            if ctx.known(_FIGURE_CELLS["applications"]):
                checks.append(("applications_zero", m.group(0), (key,), ctx.n(key)))
        if m := _NO_CASES.search(clause):
            blocks = {"review_zero": ("review",), "litigation_zero": ("litigation_direct", "litigation_after_review")}
            for kind, names in blocks.items():
                cells = [k for b in names for k in _BLOCK_CELLS[b]]
                if ("复议" if kind == "review_zero" else "诉讼") in m.group(0) and ctx.known(cells):
                    cases = sum(_block_cases(ctx, b) for b in names)
                    checks.append((kind, m.group(0), tuple(c.t4(b, "total") for b in names), cases))
        for kind, said, keys, value in checks:
            if kind in reported or value <= 0:
                continue
            reported.add(kind)
            issues.append(
                ctx.issue(
                    rule,
                    keys,
                    variant="zero",
                    expected=0,
                    actual=value,
                    extra=said,
                    quote=said,
                    cells="、".join(key_label(k) for k in keys),
                    table=fmt(value),
                )
            )
    return issues


_BOOK_TITLE = re.compile(r"《[^《》]*》")
_FEE_MANAGEMENT = re.compile(r"(?:政府信息公开)?信息处理费管理办法")
_FEE_WORD = re.compile(r"处理费|(?:未|没有|无|不)收取(?:任何)?费用")
_NO_FEE_NOTICE = re.compile(
    r"(?:未|没有)(?:发出|下达|出具|发送)(?:过|任何)?(?:信息处理费)?(?:的)?(?:收费|缴费)通知|不涉及(?:收取)?信息处理费"
)


def _applies_fee_rule(facts: ReportFacts) -> bool:
    # 国办函〔2020〕109号 applies from 2021; the 2019 template has no 信息处理费 statement.
    if facts.year is not None:
        return facts.year >= 2021
    return facts.template == "2021"


def _check_r13(rule: Rule, ctx: _Context) -> list[Issue]:
    if not ctx.has_text or not _applies_fee_rule(ctx.facts):
        return []
    unpaid_key = c.t3("other_unpaid_fee", "total")
    unpaid = ctx.n(unpaid_key) if unpaid_key not in ctx.unknown else 0
    keys = (unpaid_key,) if unpaid > 0 else ()
    # A citation of the 办法 (《…信息处理费管理办法》, 国办函〔2020〕109号) is not a statement of the position.
    statements = []
    for section in ("other", "overview", "preamble", "problems"):
        text = _FEE_MANAGEMENT.sub("", _BOOK_TITLE.sub("", ctx.text(section)))
        statements += [s for s in _SENTENCE_SPLIT.split(text) if _FEE_WORD.search(s)]
    if not statements:
        return [ctx.issue(rule, keys, extra=ctx.text("other"), unpaid_note=_unpaid_note(unpaid))]
    if unpaid > 0:
        for s in statements:
            if m := _NO_FEE_NOTICE.search(s):
                return [ctx.issue(rule, keys, variant="inconsistent", extra=s, quote=m.group(0), unpaid=fmt(unpaid))]
    return []


def _unpaid_note(unpaid: Number) -> str:
    return f"；表三“逾期未按收费通知要求缴纳费用”有 {fmt(unpaid)} 件，更应说明" if unpaid > 0 else ""


_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")
_PERIOD = re.compile(
    r"(?P<y1>\d{4})年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日起?(?:至|到|-|—|~|－)(?:(?P<y2>\d{4})年)?"
    r"(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日"
)
_PERIOD_AS_YEAR = re.compile(r"统计(?:期限|时限|时间|周期|区间)(?:为|是)?(?P<y>\d{4})年(?:度|全年|1-12月)")


def _years_in_title(title: str) -> set[int]:
    text = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), normalize_text(title))
    return {int(y) for y in _OTHER_YEAR.findall(text)}


def _check_r17(rule: Rule, ctx: _Context) -> list[Issue]:
    year = ctx.facts.year
    if year is None:
        return []
    issues = []
    title = ctx.facts.title
    if title is not None and title.strip():
        years = _years_in_title(title)
        if not years:
            issues.append(ctx.issue(rule, (), variant="title_no_year", extra=title, title=title.strip(), year=year))
        elif year not in years:
            shown = "、".join(str(y) for y in sorted(years))
            issues.append(
                ctx.issue(rule, (), variant="title_year", extra=title, title=title.strip(), shown=shown, year=year)
            )
    if ctx.has_text:
        text = ctx.text("preamble", "overview", "other", "problems")
        if not any(int(m["y"]) == year for m in _PERIOD_AS_YEAR.finditer(text)):
            candidates = []
            for m in _PERIOD.finditer(text):
                dates = (int(m["m1"]), int(m["d1"]), int(m["m2"]), int(m["d2"]))
                if dates == (1, 1, 12, 31) or "统计" in text[max(m.start() - 30, 0) : m.start()]:
                    candidates.append((m, dates))
            ok = any(
                int(m["y1"]) == year and (m["y2"] is None or int(m["y2"]) == year) and dates == (1, 1, 12, 31)
                for m, dates in candidates
            )
            if not candidates:
                issues.append(ctx.issue(rule, (), variant="no_period", year=year))
            elif not ok:
                said = candidates[0][0].group(0)
                issues.append(ctx.issue(rule, (), variant="period", extra=said, said=said, year=year))
    return issues


def deadline_for(facts: ReportFacts, config: RuleConfig) -> date | None:
    """The publication deadline R18 applies (None when the year is unknown)."""
    if facts.year is None:
        return None
    if facts.agency_kind in _UPPER_GOVERNMENT_KINDS:
        return date(facts.year + 1, config.government_deadline_month, config.government_deadline_day)
    return date(facts.year + 1, config.deadline_month, config.deadline_day)


def _check_r18(rule: Rule, ctx: _Context) -> list[Issue]:
    published, deadline = ctx.facts.published_on, deadline_for(ctx.facts, ctx.config)
    if published is None or deadline is None or published <= deadline:
        return []
    late = (published - deadline).days
    return [
        ctx.issue(
            rule,
            (),
            extra=published.isoformat() + "/" + deadline.isoformat(),
            published=_cn_date(published),
            deadline=_cn_date(deadline),
            days=late,
        )
    ]


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


_KEY_POINTS_CITATION = re.compile(r"《[^《》]{0,40}?(?P<y>\d{4})年[^《》]{0,20}?政务公开工作要点[^《》]{0,10}》")


def _check_r23(rule: Rule, ctx: _Context) -> list[Issue]:
    year = ctx.facts.year
    if year is None or not ctx.has_text:
        return []
    text = ctx.text("preamble", "overview", "other")
    cited = [(int(m["y"]), m.group(0)) for m in _KEY_POINTS_CITATION.finditer(text)]
    if not cited or any(y == year for y, _ in cited):
        return []
    stale = [(y, t) for y, t in cited if year - 10 <= y < year]
    if not stale:
        return []
    y, quote = stale[0]
    return [ctx.issue(rule, (), extra=quote, quote=quote, cited=y, year=year)]


_ASPECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("主动公开", re.compile(r"主动公开")),
    ("依申请公开", re.compile(r"依申请公开")),
    ("政府信息管理", re.compile(r"信息管理")),
    ("平台建设", re.compile(r"平台建设|平台管理|公开平台")),
    ("监督保障", re.compile(r"监督保障|保障监督")),
)


def _check_r24(rule: Rule, ctx: _Context) -> list[Issue]:
    text = ctx.text("overview")
    if not text:
        return []
    missing = [name for name, pattern in _ASPECTS if not pattern.search(text)]
    if not missing:
        return []
    return [ctx.issue(rule, (), extra=",".join(missing), missing="、".join(missing))]


def _check_r26(rule: Rule, ctx: _Context) -> list[Issue]:
    named = (ctx.facts.named_as or "").strip()
    if not named:
        return []
    return [ctx.issue(rule, (), extra=named, named=named, agency=ctx.facts.agency_name or "本机关")]


def _check_r25(rule: Rule, ctx: _Context) -> list[Issue]:
    facts = ctx.facts
    government = facts.is_government if facts.is_government is not None else government_from_kind(facts.agency_kind)
    if not government or not ctx.has_text or not _applies_fee_rule(facts):
        return []
    if "要点" in ctx.text("other"):
        return []
    return [ctx.issue(rule, (), extra=ctx.text("other"))]


# --------------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------------

_EQ_MESSAGE = "{where}：{left_name}={left}，{right_name}={right}（差 {delta}）{detail}{blanks}"
_EQ_PARTIAL = (
    "{where}：{bound_name}={bound}，而{partial_name}中已读出的数之和已达 {partial}（多 {delta}；"
    "另有 {missing} 格未能读出，无论填多少都不可能相等）"
)
_EQ_PRINTED = "{cells}：原文印出的数字{printed}，{why}——报告本身的数字不平；这些格未能读出，请对照原文核对后退回"
_EQ_VARIANTS = (("partial", _EQ_PARTIAL), ("printed", _EQ_PRINTED))

RULES: tuple[Rule, ...] = (
    Rule(
        "R7",
        "error",
        "数字须为非负整数（收费金额为非负数）",
        "{cell} 应为整数，填的是 {value}",
        _check_r7,
        variants=(("negative", "{cell} 不能为负数，填的是 {value}"), ("not_number", "{cell} 不是数字：{raw}")),
    ),
    Rule("R2", "error", "表三 每行总计等于各申请人列之和", _EQ_MESSAGE, _row_equations_r2(), _EQ_VARIANTS),
    Rule("R3", "error", "表三 （七）总计等于各项办理结果之和", _EQ_MESSAGE, _col_equations_r3(), _EQ_VARIANTS),
    Rule("R1", "error", "表三 每列：第一项+第二项=第三项+第四项", _EQ_MESSAGE, _R1, _EQ_VARIANTS),
    Rule("R4", "error", "表四 行政复议总计", _EQ_MESSAGE, _block_equation_t4("review"), _EQ_VARIANTS),
    Rule(
        "R5", "error", "表四 未经复议直接起诉总计", _EQ_MESSAGE, _block_equation_t4("litigation_direct"), _EQ_VARIANTS
    ),
    Rule(
        "R6", "error", "表四 复议后起诉总计", _EQ_MESSAGE, _block_equation_t4("litigation_after_review"), _EQ_VARIANTS
    ),
    Rule("R14", "error", "表三 印出的小计等于分项之和", _EQ_MESSAGE, _subtotal_equations_r14(), _EQ_VARIANTS),
    Rule(
        "R19",
        "error",
        "表三 办理结果和结转不超过可办理的申请数",
        "{where}：{left_name}={left}，超过了{right_name}={right}（多 {delta}）{blanks}",
        _col_inequalities_r19(_R1),
    ),
    Rule(
        "R10",
        "warning",
        "规章、规范性文件：现行有效件数不少于本年净增",
        "表二 {row}：本年制发 {issued} 件、废止 {repealed} 件，现行有效却只有 {in_force} 件（至少应为 {minimum} 件），请核实",
        _check_r10,
    ),
    Rule(
        "R11",
        "warning",
        "无规章制定权的机关规章数应为 0",
        "表二 规章 填有数字（{cells}），但{kind}没有制定规章的权限，应为 0，请核实是否把其他文件计入了规章",
        _check_r11,
    ),
    Rule(
        "R21",
        "info",
        "空白单元格（按 0 计）",
        "{where} 有 {count} 格空白（{cells}），计算时按 0 计",
        _check_r21,
        variants=(("all_rows", "表三 全部 {rows} 行的 {cells} 列均空白，计算时按 0 计"),),
    ),
    Rule(
        "R8",
        "warning",
        "上年结转等于上年报告的结转下年度",
        "表三 上年结转 {col}：本年填 {now}，{prev_year}年报告“结转下年度继续办理”为 {before}（差 {delta}）",
        _check_r8,
    ),
    Rule(
        "R9",
        "warning",
        "规章、规范性文件存量与上年衔接",
        "表二 {row}：上年现行有效 {before} + 本年制发 {issued} − 本年废止 {repealed} = {expected_value}，"
        "本年现行有效填 {in_force}（差 {delta}；如有失效、修改，请在报告中说明）",
        _check_r9,
    ),
    Rule(
        "R20",
        "info",
        "未收到申请却有行政复议、行政诉讼（提示）",
        "{context}，表四却有{blocks}；这种情况可能存在但不常见，请核实",
        _check_r20,
    ),
    Rule(
        "R22",
        "warning",
        "与上年报告雷同",
        "“五、存在的主要问题及改进情况”与{year}年报告的相似度为 {percent}%，疑似照抄上年",
        _check_r22,
        variants=(("table", "{table}的数字与{year}年报告完全相同，疑似照抄上年数据，请核实"),),
    ),
    Rule(
        "R15",
        "error",
        "报告结构完整",
        "报告缺少：{sections}",
        _check_r15,
        variants=(
            ("sections", "报告缺少：{sections}"),
            ("order", "六个部分的顺序不对：{order}"),
            ("cells", "{table} 有 {count} 格未能读出：{cells}"),
            ("blank_table", "{table} 整表空白，请确认是否漏填（空白按 0 计）"),
        ),
    ),
    Rule("R16", "error", "报告格式与年度相符", "{year}年度报告使用了{used}，应使用{wanted}", _check_r16),
    Rule(
        "R12",
        "warning",
        "正文数字与表格一致",
        "正文写“{quote}”（{quoted}），与表格不一致：{cells} 为 {table}",
        _check_r12,
        variants=(("zero", "正文写“{quote}”，但表格 {cells} 为 {table}"),),
    ),
    Rule(
        "R13",
        "warning",
        "说明信息处理费收取情况",
        "“六、其他需要报告的事项”未说明信息处理费的收取情况（国办函〔2020〕109号）{unpaid_note}",
        _check_r13,
        variants=(
            ("inconsistent", "正文写“{quote}”，但表三“逾期未按收费通知要求缴纳费用”有 {unpaid} 件，说明发出过收费通知"),
        ),
    ),
    Rule(
        "R17",
        "warning",
        "标题年度与统计期限",
        "标题与统计期限有误",
        _check_r17,
        variants=(
            ("title_no_year", "标题“{title}”未写明年度（应为{year}年）"),
            ("title_year", "标题“{title}”写的是{shown}年，报告年度为{year}年"),
            ("no_period", "未写明统计期限（应为{year}年1月1日至{year}年12月31日）"),
            ("period", "统计期限写作“{said}”，应为{year}年1月1日至{year}年12月31日"),
        ),
    ),
    Rule("R18", "warning", "按时发布", "发布日期{published}晚于期限{deadline}（逾期 {days} 天）", _check_r18),
    Rule(
        "R23",
        "warning",
        "引用过期的政务公开工作要点",
        "正文引用了{cited}年的政务公开工作要点“{quote}”，报告年度为{year}年，疑似沿用旧稿",
        _check_r23,
    ),
    Rule(
        "R24",
        "info",
        "总体情况涵盖五个方面",
        "“一、总体情况”未涉及：{missing}（30号要求从主动公开、依申请公开、政府信息管理、平台建设、监督保障等方面综述）",
        _check_r24,
    ),
    Rule(
        "R25",
        "info",
        "政府年报说明年度政务公开工作要点落实情况",
        "“六、其他需要报告的事项”未说明本年度政务公开工作要点的落实情况",
        _check_r25,
    ),
    Rule(
        "R26",
        "warning",
        "来源文件所称机关与报告机关一致",
        "来源文件自称“{named}”，却导入在“{agency}”名下：请核实该文件确属本机关（核实后标记“已核实”）",
        _check_r26,
    ),
)
RULE_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
assert len(RULE_BY_CODE) == len(RULES)

DEFAULT_CONFIG = RuleConfig()


def _compile_equations(equations: tuple[Equation, ...]) -> Callable[[Callable], list[int]]:
    """One Python function testing all of a rule's equations on a report's numbers: the positions of those whose
    sums differ (SumEquals) or exceed their bound (SumAtMost). The sums are the same additions as _sum's, in the same
    order (0, then each cell, blanks as 0); only the equations it returns need _equation_issue's closer look."""
    lines = ["def failing(get):", "    out = []"]
    for i, eq in enumerate(equations):
        left = " + ".join(["0", *(f"get({k!r}, 0)" for k in eq.left)])
        right = " + ".join(["0", *(f"get({k!r}, 0)" for k in eq.right)])
        test = "!=" if isinstance(eq, SumEquals) else ">"
        lines.append(f"    if ({left}) {test} ({right}):")
        lines.append(f"        out.append({i})")
    lines.append("    return out")
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)  # noqa: S102 — generated from the equations above, no outside input
    return namespace["failing"]


_COMPILED: dict[int, tuple[tuple[Equation, ...], Callable[[Callable], list[int]]]] = {}


def _failing(equations: tuple[Equation, ...]) -> Callable[[Callable], list[int]]:
    compiled = _COMPILED.get(id(equations))
    if compiled is None or compiled[0] is not equations:
        compiled = _COMPILED[id(equations)] = (equations, _compile_equations(equations))
    return compiled[1]


def _printed_break_issues(rule: Rule, ctx: _Context) -> list[Issue]:
    """The parser's proof that printed numbers break this rule however they are read (a run of digits no
    split makes add up), while their cells are still all empty: once a person types them, the equations
    judge the typed values instead."""
    out = []
    for b in ctx.facts.printed_breaks:
        keys = tuple(k for k in b.get("keys") or () if k in c.ALL_KEYS)
        if b.get("rule") != rule.code or not keys or not all(k in ctx.blank for k in keys):
            continue
        printed = str(b.get("printed") or "")
        out.append(
            ctx.issue(
                rule,
                keys,
                variant="printed",
                extra="printed:" + printed,
                cells=cells_text(keys, limit=3),
                printed=f"“{printed}”" if "“" not in printed else f"（{printed}）",
                why=str(b.get("why") or ""),
            )
        )
    return out


def evaluate(facts: ReportFacts, config: RuleConfig = DEFAULT_CONFIG) -> list[Issue]:
    """All issues of one report, in rule order. Pure: reads ``facts``, never changes a number."""
    ctx = _Context(facts, config)
    issues: list[Issue] = []
    get = ctx.num.get
    for rule in RULES:
        if rule.code in config.disabled:
            continue
        if isinstance(rule.check, tuple):
            equations = rule.check
            for i in _failing(equations)(get):  # most equations hold: only the others are looked at
                issue = _equation_issue(rule, equations[i], ctx)
                if issue is not None:
                    issues.append(issue)
            issues.extend(_printed_break_issues(rule, ctx))
        else:
            issues.extend(rule.check(rule, ctx))
    return issues


# --------------------------------------------------------------------------------------------------
# The declarative rules, exported for the report page's live checks
# --------------------------------------------------------------------------------------------------


def _equation_json(eq: Equation, index: dict[int, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "equals" if isinstance(eq, SumEquals) else "at_most",
        "left": list(eq.left),
        "right": list(eq.right),
        "keys": list(eq.keys),
        "where": eq.where,
        "left_name": eq.left_name,
        "right_name": eq.right_name,
    }
    if isinstance(eq, SumEquals):
        out["left_parts"] = list(eq.left_parts)
        out["right_parts"] = list(eq.right_parts)
        out["only_if_printed"] = eq.only_if_printed
    elif eq.unless_fails is not None:
        out["unless_fails"] = index[id(eq.unless_fails)]
    return out


def declarative_rules_json(config: RuleConfig = DEFAULT_CONFIG) -> dict[str, Any]:
    """The equation rules (R1–R6, R14, R19) as plain data — the same objects :func:`evaluate` runs.

    The report page evaluates them in the browser as the reviewer types (reports/static/nianbao/rules.js
    sums, compares and fills the message templates; it holds no equation of its own). ``equations`` is one
    flat list so that R19's ``unless_fails`` can point at the R1 equation it defers to by position.
    """
    live = [r for r in RULES if r.equations and r.code not in config.disabled]
    flat = [eq for r in live for eq in r.equations]
    index = {id(eq): n for n, eq in enumerate(flat)}
    equations = [_equation_json(eq, index) for eq in flat]
    rules_out = [
        {
            "code": r.code,
            "severity": config.severity_overrides.get(r.code, r.severity),
            "title": r.title,
            "message": r.message,
            "variants": dict(r.variants),
            "equations": [index[id(eq)] for eq in r.equations],
        }
        for r in live
    ]
    labels = {k: key_label(k) for eq in equations for k in eq["keys"]}
    return {"rules": rules_out, "equations": equations, "labels": labels}


LIVE_RULES = frozenset(r.code for r in RULES if r.equations)
