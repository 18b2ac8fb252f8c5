"""What a label cell says: which table, block, row, group, header or column it names.

Every text is compared in the :func:`~reports.parsing.normalize.norm` form. A 表三 row label is
recognised when it contains the row's distinctive core ("属于国家秘密", "部分公开" …) or is a long
enough piece of the official label (a label broken across lines by a PDF), and only when exactly
one row fits. Ordinals ("2.", "（三）") must agree with the template when they are present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reports import canonical
from reports.parsing.normalize import UNREADABLE, Ordinal, norm, split_ordinal

# ---------------------------------------------------------------------------------------------------
# 表三 rows

GROUP_CORES: dict[str, str] = {
    "withheld": "不予公开",
    "unavailable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
}
GROUP_ORDINAL = {"withheld": 3, "unavailable": 4, "not_processed": 5, "other": 6}
GROUP_OF_ROW: dict[str, str | None] = {r.key: r.group_key for r in canonical.TABLE3_ROWS}
ROW_INDEX: dict[str, int] = {k: i for i, k in enumerate(canonical.TABLE3_ROW_KEYS)}
GROUP_ROWS: dict[str, tuple[str, ...]] = {g: keys for g, (_, keys) in canonical.GROUPS.items()}


@dataclass(frozen=True)
class RowSpec:
    key: str
    core: str  # distinctive text that names the row wherever it appears
    full: str  # the whole official label without its ordinal
    ordinal: Ordinal | None
    exact_only: bool = False  # "3.其他", "（七）总计": too short to find inside other text


def _spec(row: canonical.Table3Row) -> RowSpec:
    ordinal, rest = split_ordinal(norm(row.label))
    core = rest.split("(")[0] if row.key == "partially_granted" else rest
    exact = row.key in ("other_other", "total_processed")
    if row.key == "total_processed":
        core = "总计"
    return RowSpec(row.key, core, rest, ordinal, exact)


ROW_SPECS: tuple[RowSpec, ...] = tuple(_spec(r) for r in canonical.TABLE3_ROWS)
_SHORT_CORES = {"new_received": "本年新收", "carried_over": "上年结转", "carried_forward": "结转下年度"}
_TOP_FRAGMENTS = ("三、本年度办理结果", "本年度办理结果")


@dataclass(frozen=True)
class RowMatch:
    key: str
    strength: int  # 2: the row's core is in the label; 1: the label is a piece of the row's label


def t3_group_of(text: str) -> str | None:
    """The group a label names (（三）不予公开 …), when it names one."""
    n = norm(text)
    found = [g for g, core in GROUP_CORES.items() if core in n]
    return found[0] if len(found) == 1 else None


@lru_cache(maxsize=4096)
def match_t3_row(text: str) -> RowMatch | None:
    """The 表三 row a label names, or None when it names none or more than one."""
    n = norm(text)
    if not n:
        return None
    for top in _TOP_FRAGMENTS:
        n = n.replace(top, "")
    group = t3_group_of(n)
    rest = n
    if group:
        rest = re.sub(r"(?:\([三四五六]\))?" + GROUP_CORES[group], "", rest, count=1)
    ordinal, body = split_ordinal(rest)
    if not body:
        return None
    full_hits = [s for s in ROW_SPECS if not s.exact_only and s.core in body]
    if not full_hits:
        full_hits = [s for s in ROW_SPECS if s.key in _SHORT_CORES and _SHORT_CORES[s.key] in body]
    exact = _exact_row(body, ordinal, group)
    if exact:
        full_hits = [exact]
    if full_hits:
        best = max(len(s.core) for s in full_hits)
        hits = [s for s in full_hits if len(s.core) == best]
        hits = _consistent(hits, ordinal, group)
        return RowMatch(hits[0].key, 2) if len(hits) == 1 else None
    if len(body) < 4:
        return None
    pieces = [s for s in ROW_SPECS if body in s.full]
    if not pieces and len(body) >= 6:
        pieces = [s for s in ROW_SPECS if _is_subsequence(body, s.full) and len(body) >= 0.6 * len(s.full)]
    if not pieces and len(body) >= 6:
        pieces = [s for s in ROW_SPECS if abs(len(s.full) - len(body)) <= 2 and _distance(body, s.full) <= 2]
    pieces = _consistent(pieces, ordinal, group)
    return RowMatch(pieces[0].key, 1) if len(pieces) == 1 else None


def _exact_row(body: str, ordinal: Ordinal | None, group: str | None) -> RowSpec | None:
    if body == "总计" and (ordinal is None or ordinal.number == 7) and group is None:
        return ROW_SPECS[ROW_INDEX["total_processed"]]
    if body == "其他" and (ordinal is None or (ordinal.kind == "arabic" and ordinal.number == 3)):
        if group in (None, "other"):
            return ROW_SPECS[ROW_INDEX["other_other"]]
    return None


def _consistent(specs: list[RowSpec], ordinal: Ordinal | None, group: str | None) -> list[RowSpec]:
    out = []
    for s in specs:
        if group is not None and GROUP_OF_ROW[s.key] not in (group, None):
            continue
        # A different kind of ordinal belongs to an enclosing label ("三、（一）予以公开").
        if ordinal and s.ordinal and s.ordinal.kind == ordinal.kind and s.ordinal.number != ordinal.number:
            continue
        out.append(s)
    return out


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


_SPANNING_LABELS = tuple(
    norm(t)
    for t in ("三、本年度办理结果", *(f"（{n}）{c}" for n, c in zip("三四五六", GROUP_CORES.values(), strict=True)))
)


def is_spanning_label_piece(text: str) -> bool:
    """A wrapped piece (two characters or more) of a label cell that spans rows: "理结果", "（五）不"."""
    n = norm(text)
    return len(n) >= 2 and any(n in label for label in _SPANNING_LABELS)


def is_group_header(text: str) -> str | None:
    """A label that names a group and no row of it: "（三）不予公开", "(六)其他处理"."""
    group = t3_group_of(text)
    if group and match_t3_row(text) is None:
        return group
    return None


# ---------------------------------------------------------------------------------------------------
# 表三 columns

T3_COLUMN_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("natural_person", ("自然人",)),
    ("commercial", ("商业企业",)),
    ("research", ("科研机构",)),
    ("social_welfare", ("社会公益组织",)),
    ("legal_services", ("法律服务机构",)),
    ("other", ("其他",)),
    ("total", ("总计",)),
)


def t3_column_of(text: str) -> int | None:
    """The 表三 column (0-6) a header cell names."""
    n = norm(text)
    for i, (_, words) in enumerate(T3_COLUMN_WORDS):
        if n in words:
            return i
    return None


# Pieces of the column headers as a PDF's text layer breaks them ("自然"/"人", "商业"/"企业").
T3_HEADER_PIECES: dict[str, int | None] = {
    "自然人": 0, "自然": 0, "商业企业": 1, "商业": 1, "企业": 1, "科研机构": 2, "科研": 2,
    "社会公益组织": 3, "社会": 3, "公益": 3, "组织": 3, "法律服务机构": 4, "法律": 4, "服务": 4,
    "其他": 5, "总计": 6, "机构": None, "人": 0,
}  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# 表二

T2_CAPTION = re.compile(r"第二十条第\(?([一二三四五六七八九十]{1,3})\)?项?")
# Row label → (row key, number of value columns in the 2021 template).
T2_ROWS: dict[str, tuple[str, int]] = {
    "规章": ("regulations", 3),
    "行政规范性文件": ("normative_documents", 3),
    "规范性文件": ("normative_documents", 3),
    "行政许可": ("licensing", 1),
    "行政处罚": ("punishment", 1),
    "行政强制": ("coercion", 1),
    "行政事业性收费": ("fees", 1),
}
T2_ROWS_2019_ONLY = {"其他对外管理服务事项": "other_services", "政府集中采购": "procurement"}
T2_COLUMNS_2021 = {"本年制发件数": "issued", "本年废止件数": "repealed", "现行有效件数": "in_force"}
T2_COLUMNS_2019 = {
    "本年新制作数量": "new_made",
    "本年新公开数量": "new_published",
    "对外公开总数量": "total_published",
    "上一年项目数量": "previous_items",
    "本年增/减": "change",
    "本年增减": "change",
    "处理决定数量": "decisions",
    "采购项目数量": "projects",
    "采购总金额": "amount",
}
T2_VALUE_HEADERS = ("本年处理决定数量", "本年收费金额", "处理决定数量")
_PAREN_NOTE = re.compile(r"\([^()]*\)")


def t2_caption(text: str) -> str | None:
    """The block of a 表二 caption: "一", "五", "六", "八" (or "九" in 2019)."""
    m = T2_CAPTION.search(norm(text))
    return m.group(1) if m else None


def match_t2_row(text: str) -> str | None:
    """The 表二 row a label names: a key of :data:`T2_ROWS` values or of the 2019-only rows."""
    n = _PAREN_NOTE.sub("", norm(text))
    _, n = split_ordinal(n)
    if n in T2_ROWS:
        return T2_ROWS[n][0]
    if n in T2_ROWS_2019_ONLY:
        return T2_ROWS_2019_ONLY[n]
    if len(n) >= 4:
        for label, (key, _) in T2_ROWS.items():
            if len(label) >= 4 and abs(len(label) - len(n)) <= 1 and _distance(n, label) <= 1:
                return key
    return None


def t2_column_of(text: str) -> str | None:
    n = norm(text)
    if UNREADABLE in n:
        n = _unmasked(n, (*T2_COLUMNS_2021, *T2_COLUMNS_2019, *T2_VALUE_HEADERS))
    if n in T2_COLUMNS_2021:
        return T2_COLUMNS_2021[n]
    if n in T2_COLUMNS_2019:
        return T2_COLUMNS_2019[n]
    if any(n.startswith(h) for h in T2_VALUE_HEADERS):
        return "value"
    return None


def _unmasked(n: str, names: tuple[str, ...]) -> str:
    """``n`` with its unreadable characters (at most two) filled in from the one header name it spells, whole
    or as its beginning (本年收费金额(单位：万元)); unchanged when none or more than one does. A column is then
    still told by the header's other characters, as a reader tells 本年制发件数 from "□年制发件数"."""
    if n.count(UNREADABLE) > 2:
        return n

    def spells(name: str) -> bool:
        return len(n) >= len(name) and all(a == b or a == UNREADABLE for a, b in zip(n, name, strict=False))

    found = {name for name in names if spells(name)}
    whole = {name for name in found if len(name) == len(n)}
    if len(whole) == 1:
        return whole.pop()
    if whole or len(found) != 1:
        return n
    name = found.pop()
    return name + n[len(name) :]


# ---------------------------------------------------------------------------------------------------
# 表四

T4_BLOCK_WORDS = {"行政复议": 0, "未经复议直接起诉": 1, "复议后起诉": 2}
T4_COLUMN_WORDS = {"结果维持": 0, "结果纠正": 1, "其他结果": 2, "尚未审结": 3, "总计": 4}


def t4_block_of(text: str) -> int | None:
    return T4_BLOCK_WORDS.get(norm(text))


def t4_column_of(text: str) -> int | None:
    return T4_COLUMN_WORDS.get(norm(text))


# ---------------------------------------------------------------------------------------------------
# Which table a row of cells belongs to

T3_SIGNS = (
    "本列数据的勾稽关系",
    "申请人情况",
    "法人或其他组织",
    "本年新收政府信息公开申请",
    "上年结转政府信息公开申请",
)
T4_SIGNS = ("未经复议直接起诉", "复议后起诉")


def table_sign(texts: list[str]) -> str | None:
    """ "t2", "t3" or "t4" when the texts of one row announce that table (caption or header)."""
    joined = "".join(norm(t) for t in texts)
    if not joined:
        return None
    if any(s in joined for s in T4_SIGNS) or ("行政复议" in joined and "行政诉讼" in joined):
        return "t4"
    if any(s in joined for s in T3_SIGNS):
        return "t3"
    if T2_CAPTION.search(joined) or "本年制发件数" in joined or "本年新制作数量" in joined:
        return "t2"
    return None
