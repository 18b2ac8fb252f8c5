"""The canonical vocabulary of a report's 200 numeric cells (../shared/format/FIELDS.md).

Pure Python: imported by the parser, the rules, the models and the exports alike, so one set of
names runs through the whole system. Keys are dotted paths into the JSON record of
``annual-report.schema.json``: ``active_disclosure.<row>.<col>``, ``applications.<row>.<col>``
and ``review_litigation.<block>.<col>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Number = int | Decimal


@dataclass(frozen=True)
class Table2Cell:
    """One cell of 表二 (主动公开)."""

    key: str
    block: str  # 第二十条第（X）项
    row_label: str
    col_label: str
    decimal: bool = False


TABLE2_CELLS: tuple[Table2Cell, ...] = (
    Table2Cell("active_disclosure.regulations.issued", "第二十条第（一）项", "规章", "本年制发件数"),
    Table2Cell("active_disclosure.regulations.repealed", "第二十条第（一）项", "规章", "本年废止件数"),
    Table2Cell("active_disclosure.regulations.in_force", "第二十条第（一）项", "规章", "现行有效件数"),
    Table2Cell("active_disclosure.normative_documents.issued", "第二十条第（一）项", "行政规范性文件", "本年制发件数"),
    Table2Cell(
        "active_disclosure.normative_documents.repealed", "第二十条第（一）项", "行政规范性文件", "本年废止件数"
    ),
    Table2Cell(
        "active_disclosure.normative_documents.in_force", "第二十条第（一）项", "行政规范性文件", "现行有效件数"
    ),
    Table2Cell("active_disclosure.licensing.decisions", "第二十条第（五）项", "行政许可", "本年处理决定数量"),
    Table2Cell("active_disclosure.punishment.decisions", "第二十条第（六）项", "行政处罚", "本年处理决定数量"),
    Table2Cell("active_disclosure.coercion.decisions", "第二十条第（六）项", "行政强制", "本年处理决定数量"),
    Table2Cell(
        "active_disclosure.fees.amount",
        "第二十条第（八）项",
        "行政事业性收费",
        "本年收费金额（单位：万元）",
        decimal=True,
    ),
)
FEES_KEY = "active_disclosure.fees.amount"


@dataclass(frozen=True)
class Table3Row:
    """One of the 25 data rows of 表三, in template order."""

    key: str  # e.g. "withheld_state_secret"
    label: str  # the row's own label, verbatim from the 2021 template
    group: str | None = None  # the row-span label above it, e.g. "（三）不予公开"
    group_key: str | None = None  # "withheld", "unavailable", "not_processed", "other"

    @property
    def full_label(self) -> str:
        """The row as FIELDS.md names it, e.g. "三、（三）不予公开 1.属于国家秘密"."""
        if self.group:
            return f"三、{self.group} {self.label}"
        if self.key in ("granted", "partially_granted", "total_processed"):
            return f"三、{self.label}"
        return self.label


_W, _U, _N, _O = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"
TABLE3_ROWS: tuple[Table3Row, ...] = (
    Table3Row("new_received", "一、本年新收政府信息公开申请数量"),
    Table3Row("carried_over", "二、上年结转政府信息公开申请数量"),
    Table3Row("granted", "（一）予以公开"),
    Table3Row("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    Table3Row("withheld_state_secret", "1.属于国家秘密", _W, "withheld"),
    Table3Row("withheld_law_prohibited", "2.其他法律行政法规禁止公开", _W, "withheld"),
    Table3Row("withheld_security_stability", "3.危及“三安全一稳定”", _W, "withheld"),
    Table3Row("withheld_third_party", "4.保护第三方合法权益", _W, "withheld"),
    Table3Row("withheld_internal_affairs", "5.属于三类内部事务信息", _W, "withheld"),
    Table3Row("withheld_process_info", "6.属于四类过程性信息", _W, "withheld"),
    Table3Row("withheld_enforcement_case", "7.属于行政执法案卷", _W, "withheld"),
    Table3Row("withheld_admin_query", "8.属于行政查询事项", _W, "withheld"),
    Table3Row("unavailable_not_held", "1.本机关不掌握相关政府信息", _U, "unavailable"),
    Table3Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", _U, "unavailable"),
    Table3Row("unavailable_unclear", "3.补正后申请内容仍不明确", _U, "unavailable"),
    Table3Row("not_processed_petition", "1.信访举报投诉类申请", _N, "not_processed"),
    Table3Row("not_processed_duplicate", "2.重复申请", _N, "not_processed"),
    Table3Row("not_processed_publication", "3.要求提供公开出版物", _N, "not_processed"),
    Table3Row("not_processed_excessive", "4.无正当理由大量反复申请", _N, "not_processed"),
    Table3Row("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", _N, "not_processed"),
    Table3Row("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", _O, "other"),
    Table3Row(
        "other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", _O, "other"
    ),
    Table3Row("other_other", "3.其他", _O, "other"),
    Table3Row("total_processed", "（七）总计"),
    Table3Row("carried_forward", "四、结转下年度继续办理"),
)
TABLE3_ROW_KEYS: tuple[str, ...] = tuple(r.key for r in TABLE3_ROWS)
TABLE3_ROW_BY_KEY: dict[str, Table3Row] = {r.key: r for r in TABLE3_ROWS}

# The 22 outcome rows of 三、本年度办理结果 whose sum is （七）总计 (R3).
OUTCOME_ROW_KEYS: tuple[str, ...] = TABLE3_ROW_KEYS[2:23]
assert len(OUTCOME_ROW_KEYS) == 21  # （一）（二） + 8 + 3 + 5 + 3

# Group subtotals (R14): derived keys, never template cells.
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "withheld": (_W, tuple(r.key for r in TABLE3_ROWS if r.group_key == "withheld")),
    "unavailable": (_U, tuple(r.key for r in TABLE3_ROWS if r.group_key == "unavailable")),
    "not_processed": (_N, tuple(r.key for r in TABLE3_ROWS if r.group_key == "not_processed")),
    "other": (_O, tuple(r.key for r in TABLE3_ROWS if r.group_key == "other")),
}

TABLE3_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_services", "法律服务机构"),
    ("other", "其他"),
    ("total", "总计"),
)
TABLE3_COLUMN_KEYS: tuple[str, ...] = tuple(c for c, _ in TABLE3_COLUMNS)
APPLICANT_COLUMN_KEYS: tuple[str, ...] = TABLE3_COLUMN_KEYS[:-1]

TABLE4_BLOCKS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation_direct", "行政诉讼 未经复议直接起诉"),
    ("litigation_after_review", "行政诉讼 复议后起诉"),
)
TABLE4_BLOCK_KEYS: tuple[str, ...] = tuple(b for b, _ in TABLE4_BLOCKS)
TABLE4_COLUMNS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
TABLE4_COLUMN_KEYS: tuple[str, ...] = tuple(c for c, _ in TABLE4_COLUMNS)


def t3(row: str, col: str) -> str:
    """The canonical key of a 表三 cell."""
    return f"applications.{row}.{col}"


def t4(block: str, col: str) -> str:
    """The canonical key of a 表四 cell."""
    return f"review_litigation.{block}.{col}"


TABLE2_KEYS: tuple[str, ...] = tuple(c.key for c in TABLE2_CELLS)
TABLE3_KEYS: tuple[str, ...] = tuple(t3(r, c) for r in TABLE3_ROW_KEYS for c in TABLE3_COLUMN_KEYS)
TABLE4_KEYS: tuple[str, ...] = tuple(t4(b, c) for b in TABLE4_BLOCK_KEYS for c in TABLE4_COLUMN_KEYS)
ALL_KEYS: tuple[str, ...] = TABLE2_KEYS + TABLE3_KEYS + TABLE4_KEYS
assert len(ALL_KEYS) == 200

# Cells the 2019 trial template does not have: its single （六）其他处理 row goes to other_other.
NOT_IN_2019: frozenset[str] = frozenset(
    t3(r, c) for r in ("other_no_correction", "other_unpaid_fee") for c in TABLE3_COLUMN_KEYS
)


def _label(key: str) -> str:
    table, row, col = key.split(".")
    if table == "active_disclosure":
        cell = next(c for c in TABLE2_CELLS if c.key == key)
        return f"二、{cell.row_label} {cell.col_label}"
    if table == "applications":
        col_label = dict(TABLE3_COLUMNS)[col]
        if col in APPLICANT_COLUMN_KEYS[1:]:
            col_label = f"法人或其他组织 {col_label}"
        return f"{TABLE3_ROW_BY_KEY[row].full_label} / {col_label}"
    return f"四、{dict(TABLE4_BLOCKS)[row]} {dict(TABLE4_COLUMNS)[col]}"


# The Chinese label of every key, as in FIELDS.md (used in warnings, issues, exports).
LABELS: dict[str, str] = {k: _label(k) for k in ALL_KEYS}


def short_label(key: str) -> str:
    """A compact Chinese name of a cell for messages, e.g. "表三（三）1 自然人" or "表四 行政复议 总计"."""
    table, row, col = key.split(".")
    if table == "active_disclosure":
        cell = next(c for c in TABLE2_CELLS if c.key == key)
        return f"表二 {cell.row_label} {cell.col_label}"
    if table == "applications":
        r = TABLE3_ROW_BY_KEY[row]
        if r.group:
            name = f"{r.group[:3]}{r.label.split('.')[0]}"
        else:
            name = r.label.split("（区分")[0] if r.key == "partially_granted" else r.label
        return f"表三{name} {dict(TABLE3_COLUMNS)[col]}"
    return f"表四 {dict(TABLE4_BLOCKS)[row]} {dict(TABLE4_COLUMNS)[col]}"


def nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn flat canonical keys into the nested record of the JSON schema (all 200 keys present)."""
    out: dict[str, Any] = {}
    for key in ALL_KEYS:
        table, row, col = key.split(".")
        out.setdefault(table, {}).setdefault(row, {})[col] = values.get(key)
    return out


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`nest`: read the 200 keys out of a nested record (missing → None)."""
    out: dict[str, Any] = {}
    for key in ALL_KEYS:
        node: Any = record
        for part in key.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        out[key] = node
    return out


def empty_values() -> dict[str, Number | None]:
    return dict.fromkeys(ALL_KEYS)


def keys_of_row(row: str) -> tuple[str, ...]:
    return tuple(t3(row, c) for c in TABLE3_COLUMN_KEYS)


def iter_table3() -> Iterable[tuple[Table3Row, tuple[str, ...]]]:
    for r in TABLE3_ROWS:
        yield r, keys_of_row(r.key)
