"""Rows → canonical cells: the template's row order, the value columns, and what could not be read.

表三 is mapped in two steps. Rows whose label names a template row are anchors (kept only when they
are in template order). Between two anchors, rows without a usable label are placed by order —
but only when their number is exactly the number of template rows in that stretch (a printed
group subtotal, or the 2019-style single （六） row, accounted for); otherwise those template rows
stay unread with a warning — unless the source is ``pdftotext -layout`` text whose line gaps prove a
row's place (:func:`_rows_by_height`, :class:`reports.parsing.rows.LineProfile`): then exactly the rows
they prove are read, and the rows between two proven ones as blank. A row's values go to columns only
when the source shows the columns
(a grid, explicit blank cells) or when it has exactly seven values; a short row is never shifted.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from reports import canonical
from reports.parsing import labels as L
from reports.parsing.normalize import ValueToken, parse_value
from reports.parsing.rows import RAW_UNPLACED, Cell, Row, TableRows, Where
from reports.parsing.types import CellSource, ParseWarning, PrintedBreak, Value

T3_COLS = canonical.TABLE3_COLUMN_KEYS
NOT_IN_2019_ROWS = ("other_no_correction", "other_unpaid_fee")


def row_name(row_key: str) -> str:
    """ "表三（三）1", "表三 一、本年新收政府信息公开申请数量" — a 表三 row as messages name it."""
    name = canonical.short_label(canonical.t3(row_key, "total")).rsplit(" ", 1)[0]
    return name if name.startswith("表三（") else name.replace("表三", "表三 ", 1)


@dataclass
class Assembly:
    """The cells read so far, their provenance, and the warnings, keyed by canonical key."""

    values: dict[str, Value] = field(default_factory=lambda: dict.fromkeys(canonical.ALL_KEYS))
    provenance: dict[str, CellSource] = field(default_factory=dict)
    warnings: list[ParseWarning] = field(default_factory=list)
    subtotals: dict[str, Value] = field(default_factory=dict)
    legacy: dict[str, dict[str, Value]] = field(default_factory=dict)
    # 表三 rows read with a wrong number of values: their tokens, for checking what inference proves.
    loose_tokens: dict[str, list[ValueToken]] = field(default_factory=dict)
    # 表三 rows whose layout leaves a few column readings open (Row.choices), for the identities to choose.
    open_rows: dict[str, Row] = field(default_factory=dict)
    # Printed numbers no reading makes add up, their cells left unread (reports.parsing.types.PrintedBreak).
    breaks: list[PrintedBreak] = field(default_factory=list)

    def warn(self, code: str, message: str, keys: tuple[str, ...] | list[str] = ()) -> None:
        self.warnings.append(ParseWarning(code, message, tuple(keys)))

    def read(self, key: str, cell: Cell, label: str | None) -> None:
        """Record one value cell as printed."""
        decimal = key == canonical.FEES_KEY
        token = parse_value(cell.raw, decimal)
        w = cell.where
        base = dict(raw=cell.raw.strip(), label=label, location=w.describe(), page=w.page, line=w.line,
                    table=w.table, row=w.row, col=w.col)  # fmt: skip
        if token.is_number and decimal and token.unit == "元":
            token = ValueToken(cell.raw, "text", problem="单位为元，表中应为万元")
        if token.is_number:
            self.values[key] = token.value
            self.provenance[key] = CellSource(**base, inferred=bool(cell.rests_on), rests_on=cell.rests_on)
        elif token.is_blank:
            self.values[key] = None
            self.provenance[key] = CellSource(**base, blank=True)
        else:
            self.values[key] = None
            self.provenance[key] = CellSource(**base)
            self.warn(
                "W_UNREADABLE_TOKEN",
                f"{canonical.short_label(key)} 的内容“{cell.raw.strip()}”无法读作数值（{token.problem}）",
                (key,),
            )

    def missing(self, key: str, label: str | None = None, where: Where | None = None) -> None:
        self.values[key] = None
        w = where or Where()
        self.provenance[key] = CellSource(
            label=label, location=w.describe(), page=w.page, line=w.line, table=w.table, row=w.row, missing=True
        )

    def is_unknown(self, key: str) -> bool:
        p = self.provenance.get(key)
        return self.values[key] is None and (p is None or not p.blank)


# ---------------------------------------------------------------------------------------------------
# 表二

T2_KEYS: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "punishment": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount",),
}


def assemble_t2(rows: list[Row], asm: Assembly, template: str | None, found: bool) -> None:
    seen: set[str] = set()
    for row in rows:
        key = L.match_t2_row(row.labels[0]) if row.labels else None
        if key is None:
            continue
        if len(row.labels) > 1:  # reading order may append a column header to the row's label
            row = replace(row, labels=row.labels[:1])
        if key in seen:
            asm.warn("W_EXTRA_ROW", f"表二 “{row.label}” 出现了不止一次，只读取第一处", ())
            continue
        seen.add(key)
        if key not in T2_KEYS:
            _t2_legacy(asm, key, row)
            continue
        if template == "2019" or any(c.name in L.T2_COLUMNS_2019.values() for c in row.cells):
            _t2_row_2019(asm, key, row)
        else:
            _t2_row(asm, key, row)
    if not seen and not found:
        for k in canonical.TABLE2_KEYS:
            asm.missing(k)
        asm.warn("W_TABLE_MISSING", "找不到表二（主动公开政府信息情况）", canonical.TABLE2_KEYS)
        return
    for prefix, cols in T2_KEYS.items():
        keys = [f"active_disclosure.{prefix}.{c}" for c in cols]
        absent = [k for k in keys if k not in asm.provenance]
        if absent and prefix not in seen:
            for k in absent:
                asm.missing(k)
            names = "、".join(canonical.short_label(k) for k in absent)
            asm.warn("W_MISSING_CELL", f"表二 找不到“{_T2_LABEL[prefix]}”这一行：{names} 未读取", absent)


_T2_LABEL = {"regulations": "规章", "normative_documents": "行政规范性文件", "licensing": "行政许可",
             "punishment": "行政处罚", "coercion": "行政强制", "fees": "行政事业性收费"}  # fmt: skip


def _t2_row(asm: Assembly, prefix: str, row: Row) -> None:
    cols = T2_KEYS[prefix]
    keys = [f"active_disclosure.{prefix}.{c}" for c in cols]
    named = {c.name: c for c in row.cells if c.name in cols}
    if len(cols) == 3 and len(named) == 3:
        for col, key in zip(cols, keys, strict=True):
            asm.read(key, named[col], row.label)
        return
    cells = [c for c in row.cells if not c.merged]
    filled = [c for c in cells if c.raw.strip()]
    if len(cols) == 1:
        if len(filled) == 1 and row.ordered:
            asm.read(keys[0], filled[0], row.label)
        elif not filled and row.explicit_blanks:
            asm.read(keys[0], cells[0] if cells else Cell("", row.where), row.label)
        else:
            _t2_unreadable(asm, keys, row, len(filled))
        return
    if row.explicit_blanks and len(cells) == 3:
        for cell, key in zip(cells, keys, strict=True):
            asm.read(key, cell, row.label)
    elif len(filled) == 3 and row.ordered:
        for cell, key in zip(filled, keys, strict=True):
            asm.read(key, cell, row.label)
    else:
        _t2_unreadable(asm, keys, row, len(filled))


def _t2_unreadable(asm: Assembly, keys: list[str], row: Row, found: int) -> None:
    for k in keys:
        asm.missing(k, row.label, row.where)
    want = len(keys)
    if found == 0:
        msg = f"表二 “{row.label}” 没有数值（{row.where.describe()}）"
        code = "W_MISSING_CELL"
    elif found == want:
        msg = (
            f"表二 “{row.label}” 有 {found} 个数，但在文本的阅读顺序中无法确认它们属于这一行（{row.where.describe()}）"
        )
        code = "W_UNCERTAIN_ORDER"
    else:
        msg = f"表二 “{row.label}” 有 {found} 个数，应为 {want} 个，无法确定各数所在的列（{row.where.describe()}）"
        code = "W_SHORT_ROW"
    asm.warn(code, msg, keys)


# The 2019 template's 表二 columns by block, for cells that arrive without their header (plain text).
T2_2019_COLUMNS = {
    "一": ("new_made", "new_published", "total_published"),
    "五": ("previous_items", "change", "decisions"),
    "六": ("previous_items", "change", "decisions"),
    "八": ("previous_items", "change"),
    "九": ("projects", "amount"),
}


def _named_2019(row: Row) -> list[tuple[str, Cell]] | None:
    named = [(c.name, c) for c in row.cells if c.name and c.name != "value"]
    if named:
        return named  # type: ignore[return-value]
    names = T2_2019_COLUMNS.get(row.block or "")
    filled = [c for c in row.cells if c.raw.strip() and not c.merged]
    if names and len(filled) == len(names):
        return list(zip(names, filled, strict=True))
    return None


def _t2_row_2019(asm: Assembly, prefix: str, row: Row) -> None:
    """A 2019-template 表二 row: 处理决定数量 is the 2021 cell; everything else is kept in legacy_2019."""
    named = _named_2019(row)
    keys = [f"active_disclosure.{prefix}.{c}" for c in T2_KEYS[prefix]]
    if named is None:
        _t2_unreadable(asm, keys, row, len([c for c in row.cells if c.raw.strip()]))
        return
    for name, cell in named:
        if name == "decisions" and prefix in ("licensing", "punishment", "coercion"):
            asm.read(f"active_disclosure.{prefix}.decisions", cell, row.label)
        else:
            asm.legacy.setdefault(prefix, {})[name] = legacy_value(cell.raw)
    others = [k for k in keys if not k.endswith(".decisions")]
    for k in others:
        asm.missing(k, row.label, row.where)
    if others:
        asm.warn("W_TEMPLATE_2019", f"2019年版表二“{row.label}”的列与2021年版不同，原数值保存在 legacy_2019", others)


def _t2_legacy(asm: Assembly, key: str, row: Row) -> None:
    """A row only the 2019 template has (其他对外管理服务事项, 政府集中采购): kept in legacy_2019."""
    named = _named_2019(row) or [(c.name or str(i), c) for i, c in enumerate(row.cells) if c.raw.strip()]
    asm.legacy[key] = {name: legacy_value(cell.raw) for name, cell in named}


def legacy_value(raw: str) -> Value | str:
    """A 2019-only cell as printed: a number (signed — 本年增/减 may be negative), else the text itself."""
    token = parse_value(raw.lstrip("+-−－"), decimal=True)
    if not token.is_number or token.unit:
        return raw.strip() or None  # text, or a figure with its unit ("251000元"): kept as printed
    value = token.value
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)  # type: ignore[assignment]
    if raw.strip()[:1] in "-−－":
        value = -value  # type: ignore[operator]
    return value


# ---------------------------------------------------------------------------------------------------
# 表三


@dataclass
class _Obs:
    row: Row
    key: str | None  # the template row its label names
    strength: int
    group: str | None  # the group its label or its layout names
    header: str | None  # the label is a group header (（三）不予公开) and names no row


def _observe(row: Row) -> _Obs:
    m = L.match_t3_row(row.label)
    header = L.is_group_header(row.label) if m is None and not row.member else None
    group = L.GROUP_OF_ROW[m.key] if m else (header or row.group)
    return _Obs(row, m.key if m else None, m.strength if m else 0, group, header)


def assemble_t3(rows: list[Row], asm: Assembly, template: str | None, found: bool) -> None:
    expected = [k for k in canonical.TABLE3_ROW_KEYS if template != "2019" or k not in NOT_IN_2019_ROWS]
    if template == "2019":
        for r in NOT_IN_2019_ROWS:
            for k in canonical.keys_of_row(r):
                asm.missing(k)
        keys = [k for r in NOT_IN_2019_ROWS for k in canonical.keys_of_row(r)]
        asm.warn("W_TEMPLATE_2019", "2019年版表三（六）其他处理只有一行，记入“3.其他”；1、2两行在旧版中没有", keys)
    unplaced = bool(rows) and all(RAW_UNPLACED in r.notes for r in rows)
    before = len(asm.warnings)
    _assemble_t3_rows(rows, asm, expected, found)
    if unplaced:
        # One warning (W_RAW_ORDER_UNPLACED) already names every cell and why none is read; what the rows
        # would say one by one (short, extra, unplaced) is about numbers that are not theirs.
        asm.warnings[before:] = [w for w in asm.warnings[before:] if w.code not in _ROW_NOISE]


_ROW_NOISE = frozenset(
    {"W_SHORT_ROW", "W_UNCERTAIN_ORDER", "W_EXTRA_ROW", "I_ROWS_BY_ORDER", "W_ROWS_UNPLACED", "W_MISSING_CELL",
     "W_MISSING_ROW", "W_SINGLE_OTHER_ROW", "I_SUBTOTAL"}
)  # fmt: skip


def _assemble_t3_rows(rows: list[Row], asm: Assembly, expected: list[str], found: bool) -> None:
    obs = [_observe(r) for r in rows]
    obs = _merge_fragments(obs)
    placed: dict[str, _Obs] = {}
    explained: set[str] = set()  # template rows a specific warning already accounts for
    anchors = _ordered_anchors(obs, expected, asm)
    by_height = _heights_bound_rows(obs, anchors, expected)
    bounds = [-1, *anchors, len(obs)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        first = expected.index(obs[a].key) + 1 if a >= 0 else 0
        last = expected.index(obs[b].key) if b < len(obs) else len(expected)
        following = obs[b].key if b < len(obs) else None
        gap = [o for o in obs[a + 1 : b] if _countable(o)]
        ends = (obs[a] if a >= 0 else None, obs[b] if b < len(obs) else None) if by_height else (None, None)
        around = (obs[a] if a >= 0 else None, obs[b] if b < len(obs) else None)
        _fill_gap(expected[first:last], gap, following, placed, asm, explained, ends, around)
        if b < len(obs):
            placed[obs[b].key] = obs[b]
    for key in expected:
        o = placed.get(key)
        if o is None:
            continue
        _place_t3(asm, key, o.row)
    missing_rows = [k for k in expected if k not in placed]
    for r in missing_rows:
        for k in canonical.keys_of_row(r):
            if k not in asm.provenance:
                asm.missing(k)
    missing_rows = [k for k in missing_rows if k not in explained]
    if missing_rows:
        keys = [c for r in missing_rows for c in canonical.keys_of_row(r)]
        if not found and not rows:
            asm.warn("W_TABLE_MISSING", "找不到表三（收到和处理政府信息公开申请情况）", keys)
        else:
            names = "、".join(row_name(r) for r in missing_rows)
            asm.warn("W_MISSING_ROW", f"表三 找不到或无法确定这些行：{names}", keys)


def _merge_fragments(obs: list[_Obs]) -> list[_Obs]:
    """Join a row's pieces: a label line without values next to the value line of the same row."""
    out: list[_Obs] = []
    for o in obs:
        prev = out[-1] if out else None
        if prev is not None and o.key is not None and o.key == prev.key:
            if not o.row.has_values and not o.row.explicit_blanks:
                continue
            if not prev.row.has_values and not prev.row.explicit_blanks:
                out[-1] = _Obs(o.row, o.key, max(o.strength, prev.strength), o.group, None)
                continue
        out.append(o)
    return out


def _countable(o: _Obs) -> bool:
    """A row that takes a template row when rows are placed by order."""
    return o.row.has_values or o.row.explicit_blanks


def _ordered_anchors(obs: list[_Obs], expected: list[str], asm: Assembly) -> list[int]:
    """Indices of the labelled rows that keep template order (longest increasing run), first per row."""
    cands = [(i, expected.index(o.key)) for i, o in enumerate(obs) if o.key in expected]
    # Longest strictly increasing subsequence by template index (n is small).
    best: list[list[int]] = []
    for n, (_, e) in enumerate(cands):
        chain = [n]
        for m in range(n):
            if cands[m][1] < e and len(best[m]) + 1 > len(chain):
                chain = [*best[m], n]
        best.append(chain)
    chosen = max(best, key=len) if best else []
    keep = {cands[n][0] for n in chosen}
    for i, _ in cands:
        if i not in keep and obs[i].row.has_values:
            o = obs[i]
            asm.warn("W_EXTRA_ROW", f"表三 “{o.row.label}” 与模板行序不符，其数值未读取（{o.row.where.describe()}）")
        if i not in keep:  # no longer an anchor; its strength still says whether its label named a row
            obs[i] = _Obs(obs[i].row, None, obs[i].strength, obs[i].group, obs[i].header)
    return sorted(keep)


def _fill_gap(
    exp: list[str],
    gap: list[_Obs],
    following: str | None,
    placed: dict[str, _Obs],
    asm: Assembly,
    explained: set[str],
    ends: tuple[_Obs | None, _Obs | None] = (None, None),
    around: tuple[_Obs | None, _Obs | None] = (None, None),
) -> None:
    """Place the unlabelled rows between two anchors (``following`` is the key of the one after; ``ends``
    the anchors themselves when rows may be placed by height, ``around`` always; None at the table's ends)."""
    if not exp and not gap:
        return
    gap = list(gap)
    while len(gap) > len(exp) and gap and not gap[-1].row.label and not gap[-1].row.has_values:
        gap.pop()
    while len(gap) > len(exp) and gap and not gap[0].row.label and not gap[0].row.has_values:
        gap.pop(0)
    # A printed group subtotal sits where the group's first row would be: the group header row
    # with numbers, and one row more in the stretch than the template has.
    k = 0
    while len(gap) > len(exp) and k < len(gap):
        o = gap[k]
        at = [*exp, following]
        if o.header and o.row.has_values and k < len(at) and at[k] == L.GROUP_ROWS[o.header][0]:
            _record_subtotal(asm, o.header, o.row)
            gap.pop(k)
            ends = (None, None)  # a subtotal row stands between the anchors too: their distance says nothing
            continue
        k += 1
    if len(gap) == 1 and gap[0].header and len(exp) > 1 and exp == list(L.GROUP_ROWS[gap[0].header]):
        o = gap[0]
        explained.update(exp)
        if o.header == "other":
            placed["other_other"] = o
            rest = [c for r in exp[:-1] for c in canonical.keys_of_row(r)]
            asm.warn(
                "W_SINGLE_OTHER_ROW",
                "表三（六）其他处理只印了一行（按2019年版的单行读作“3.其他”），1、2两行缺失",
                rest,
            )
        else:
            _record_subtotal(asm, o.header, o.row)
        return
    if not gap:
        return
    # By order only rows that name no other row: a row labelled as another (a duplicate, a row out of order)
    # is not taken for the one whose place it stands in.
    if (
        len(gap) == len(exp)
        and all(
            o.group in (None, L.GROUP_OF_ROW[e]) and (o.key == e or o.strength < 2)
            for o, e in zip(gap, exp, strict=True)
        )
        and not _beside_empty_anchor(gap, around)
    ):
        for o, e in zip(gap, exp, strict=True):
            placed[e] = o
        if any(not o.key for o in gap):
            keys = [c for e, o in zip(exp, gap, strict=True) if not o.key for c in canonical.keys_of_row(e)]
            names = "、".join(row_name(e) for e, o in zip(exp, gap, strict=True) if not o.key)
            asm.warn("I_ROWS_BY_ORDER", f"表三 这些行没有行名，按模板行序读取：{names}", keys)
        return
    with_values = [o for o in gap if o.row.has_values]
    if with_values:
        where = with_values[0].row.where.describe()
        if exp:
            explained.update(exp)
            # Only sub-rows of a group lose their labels in layout text (1., 2., … printed as numbers only): a
            # stretch that also spans a row with a label of its own ((一), (二), (七)总计, 四、) not found may
            # lack that row altogether, and then every row its height places would be one off.
            spans_labelled = any(not canonical.TABLE3_ROW_BY_KEY[e].group_key for e in exp)
            unsure = spans_labelled or _beside_empty_anchor(gap, around)
            by_height = {} if unsure else _rows_by_height(exp, gap, ends)
            for e, o in by_height.items():
                placed[e] = o
            if by_height:
                names = "、".join(
                    row_name(e) + ("（空行）" if not by_height[e].row.has_values else "") for e in exp if e in by_height
                )
                asm.warn(
                    "I_ROWS_BY_HEIGHT",
                    f"表三 这些行没有行名，其行数按版面上与上下已识别行之间的行距确定：{names}",
                    [c for e in exp if e in by_height for c in canonical.keys_of_row(e)],
                )
            rest = [e for e in exp if e not in by_height]
            if rest:
                names = "、".join(row_name(e) for e in rest)
                placed_lines = sum(1 for o in by_height.values() if o.row.has_values)
                taken = {id(o) for o in by_height.values()}
                for o in gap:
                    if id(o) not in taken:
                        _unplaced_row_break(asm, o.row, rest)
                asm.warn(
                    "W_ROWS_UNPLACED",
                    f"表三 {where} 起有 {len(gap)} 行数值没有可辨认的行名，模板此处应有 {len(exp)} 行，"
                    + (f"按版面行距只能确定其中 {placed_lines} 行；其余" if by_height else "")
                    + f"行数对不上，无法按顺序对应，这些行（{names}）未读取",
                    [c for e in rest for c in canonical.keys_of_row(e)],
                )
        else:
            asm.warn("W_EXTRA_ROW", f"表三 {where} 有 {len(with_values)} 行数值不属于模板中的任何一行，未读取")


def _unplaced_row_break(asm: Assembly, row: Row, candidates: list[str]) -> None:
    """A row of values that stays unplaced but whose own numbers, under their columns, do not add up (R2):
    whichever of the candidate rows it is, that row's total is not the sum of its cells. Named on all the
    candidates' cells (which stay unread), so the report's mistake is shown rather than hidden."""
    if not row.positioned or not row.cells or any(c.col is None for c in row.cells):
        return
    tokens = {c.col: parse_value(c.raw, False) for c in row.cells}
    if not all(t.is_number or t.is_blank for t in tokens.values()):
        return
    values = {col: (t.value if t.is_number else 0) for col, t in tokens.items()}
    parts = sum(v for col, v in values.items() if col != 6)
    total = values.get(6, 0)
    if parts == total:
        return
    printed = " ".join(c.raw.strip() for c in sorted(row.cells, key=lambda c: c.col or 0))
    names = "、".join(row_name(e) for e in candidates)
    asm.breaks.append(
        PrintedBreak(
            "R2",
            tuple(k for e in candidates for k in canonical.keys_of_row(e)),
            printed,
            f"{row.where.describe()} 这一行没有行名（是{names}中的某一行），其总计 {total} 不等于各列之和 {parts}",
        )
    )


def _beside_empty_anchor(gap: list[_Obs], around: tuple[_Obs | None, _Obs | None]) -> bool:
    """A line of values printed right above (or below) the label of a row that shows no values of its own, in
    layout text: the line may be that row's (values beside a tall label), and then the stretch lacks a row
    (one dropped) — counting lines would give the line to its neighbour. Neither is proved."""
    before, after = around
    first, last = gap[0].row, gap[-1].row
    if after is not None and not after.row.has_values and last.has_values and _touching(last, after.row):
        return True
    return before is not None and not before.row.has_values and first.has_values and _touching(before.row, first)


def _touching(upper: Row, lower: Row) -> bool:
    """Two layout-text rows on successive lines of one page."""
    if upper.span is None or lower.span is None or upper.profile is None or upper.profile is not lower.profile:
        return False
    return lower.span[0] - upper.span[1] == 1


def _heights_bound_rows(obs: list[_Obs], anchors: list[int], expected: list[str]) -> bool:
    """Whether the labelled rows agree with placing rows by height: no two successive ones stand further
    apart in the template than the lines between them allow (else the text's line gaps are not pdftotext's)."""
    for i, j in zip(anchors, anchors[1:], strict=False):
        upper, lower = obs[i].row, obs[j].row
        if "values-beside-label" in upper.notes or "values-beside-label" in lower.notes:
            continue
        if upper.profile is None or upper.profile is not lower.profile or not upper.span or not lower.span:
            continue
        if lower.span[0] <= upper.span[1]:
            return False
        most = upper.profile.most_rows(upper.span[1], lower.span[0])
        if most is not None and expected.index(obs[j].key) - expected.index(obs[i].key) > most:  # type: ignore[arg-type]
            return False
    return True


def _rows_by_height(exp: list[str], gap: list[_Obs], ends: tuple[_Obs | None, _Obs | None]) -> dict[str, _Obs]:
    """The unlabelled rows of a stretch whose template row their height on the page proves (layout text).

    Between the anchor rows, each pair of successive printed rows (anchors included) is at least one
    template row apart and at most as many as the lines between them allow (LineProfile.most_rows).
    With the anchors ``len(exp) + 1`` rows apart, a row is placed only when these bounds leave its
    offset from the anchors a single value; every other row stays unread. Nothing is taken when a bound
    contradicts the stretch (the text's line gaps do not follow pdftotext's), or when a row's own label
    or group says otherwise."""
    before, after = ends
    if before is None and after is None:
        return {}
    items = [o for o in gap if o.row.has_values]
    if len(items) != len(gap) or any(o.header or L.match_t3_row(o.row.label) is not None for o in items):
        return {}  # a row with a label of its own, or a group's header line with numbers (subtotal or row 1)
    rows = [e.row for e in (before, *items, after) if e is not None]
    profile = rows[0].profile
    if profile is None or not profile.kept_gaps or any(r.profile is not profile or r.span is None for r in rows):
        return {}
    if any("values-beside-label" in r.notes for r in rows) or any(o.row.span[0] != o.row.span[1] for o in items):  # type: ignore[index]
        return {}  # a row whose lines were gathered by guesswork, or a value row over several lines
    chain = [before.row if before else None, *(o.row for o in items), after.row if after else None]
    caps: list[int | None] = []  # caps[i]: the most rows from chain[i] to chain[i + 1]
    for upper, lower in zip(chain, chain[1:], strict=False):
        if upper is None or lower is None:
            caps.append(None)
            continue
        if lower.span[0] <= upper.span[1]:  # type: ignore[index]
            return {}
        caps.append(profile.most_rows(upper.span[1], lower.span[0]))  # type: ignore[index]
    m, total = len(items), len(exp) + 1  # the anchors stand `total` rows apart (offsets 0 and total)

    def cap_sum(part: list[int | None]) -> int | None:
        return None if any(c is None for c in part) else sum(part)  # type: ignore[arg-type]

    if before is not None and after is not None:
        bound = cap_sum(caps)
        if m + 1 > total or (bound is not None and bound < total):
            return {}  # the gaps cannot hold the rows: the text's vertical spacing is not pdftotext's
    out: dict[str, _Obs] = {}
    for j in range(1, m + 1):
        up, down = cap_sum(caps[:j]), cap_sum(caps[j:])
        lo, hi = j, total - (m + 1 - j)
        if before is not None and up is not None:
            hi = min(hi, up)
        if after is not None and down is not None:
            lo = max(lo, total - down)
        if lo != hi:
            continue
        key = exp[lo - 1]
        o = items[j - 1]
        if o.group not in (None, L.GROUP_OF_ROW[key]):
            return {}
        out[key] = o
    # Every printed value line of the stretch is one of the items: the rows between two successive ones
    # whose offsets are known (an anchor, or an item placed) printed nothing — blank, as the source shows.
    at = {id(o): exp.index(k) + 1 for k, o in out.items()}
    chain_at = [0 if before else None, *(at.get(id(o)) for o in items), total if after else None]
    for upper, lower in zip(chain_at, chain_at[1:], strict=False):
        if upper is None or lower is None:
            continue
        for offset in range(upper + 1, lower):
            where = Where(page=rows[0].where.page)
            blank = Row("t3", (), (), where, explicit_blanks=True, notes=["layout", "blank-by-height"])
            out[exp[offset - 1]] = _Obs(blank, None, 0, None, None)
    return out


def _record_subtotal(asm: Assembly, group: str, row: Row) -> None:
    cells = _cells_by_column(row)
    if cells is None:
        asm.warn("W_EXTRA_ROW", f"表三 {row.label} 小计行的数值无法对应到列，未读取")
        return
    for col, cell in zip(T3_COLS, cells, strict=True):
        token = parse_value(cell.raw) if cell else None
        asm.subtotals[f"applications.{group}_subtotal.{col}"] = token.value if token and token.is_number else None
    asm.warn("I_SUBTOTAL", f"表三 {row.label} 印有小计行，记入 printed_subtotals（不是模板单元格）")


def _cells_by_column(row: Row) -> list[Cell | None] | None:
    """The row's 7 cells by column (None = blank), or None when the columns cannot be told."""
    if row.positioned:
        if any(c.col is None for c in row.cells if c.raw.strip()):
            return None
        by_col: dict[int, Cell] = {}
        for c in row.cells:
            if c.col is None:
                continue
            if c.col in by_col and by_col[c.col].raw.strip() and c.raw.strip():
                return None
            if c.col not in by_col or c.raw.strip():
                by_col[c.col] = c
        return [by_col.get(i) for i in range(7)]
    filled = [c for c in row.cells if c.raw.strip()]
    if len(row.cells) == 7 and row.explicit_blanks:
        return list(row.cells)
    if len(filled) == 7 and row.ordered:
        return filled
    if not filled and row.explicit_blanks:
        return [None] * 7
    return None


def _place_t3(asm: Assembly, row_key: str, row: Row) -> None:
    keys = canonical.keys_of_row(row_key)
    cells = _cells_by_column(row)
    if cells is None:
        for k in keys:
            asm.missing(k, row.label, row.where)
        filled = [c for c in row.cells if c.raw.strip()]
        asm.loose_tokens[row_key] = [parse_value(c.raw) for c in filled]
        if (row.choices or row.page_readings) and len(filled) == len(row.cells):
            asm.open_rows[row_key] = row
        n = len(filled)
        if "runs" in row.notes:
            raw = filled[0].raw if filled else ""
            for k in keys:
                asm.provenance[k] = replace(asm.provenance[k], raw=raw)
            msg = f"{row_name(row_key)} 的数字连在一起（“{raw}”），无法唯一拆分成各列（{row.where.describe()}），未读取"
            asm.warn("W_RUN_TOGETHER", msg, keys)
        elif n == 0:
            msg = f"{row_name(row_key)} 没有找到数值（{row.where.describe()}）"
            asm.warn("W_MISSING_CELL", msg, keys)
        elif row.positioned or "layout" in row.notes:
            msg = (
                f"{row_name(row_key)} 有 {n} 个数，但无法确定各数所在的列"
                f"（{row.where.describe()}；该页没有可对照的列标题或完整的行）"
            )
            asm.warn("W_AMBIGUOUS_COLUMNS", msg, keys)
        elif n == 7:
            msg = f"{row_name(row_key)} 有 7 个数，但在文本的阅读顺序中无法确认它们的列和所属的行（{row.where.describe()}）"
            asm.warn("W_UNCERTAIN_ORDER", msg, keys)
        else:
            msg = f"{row_name(row_key)} 只有 {n} 个数，应为 7 个（{row.where.describe()}）"
            if n > 7:
                msg = f"{row_name(row_key)} 有 {n} 个数，多于 7 个（{row.where.describe()}）"
            asm.warn("W_SHORT_ROW", msg, keys)
        return
    for key, cell in zip(keys, cells, strict=True):
        if cell is None:
            asm.read(key, Cell("", row.where), row.label)
        elif cell.merged and cell.raw.strip():
            asm.missing(key, row.label, cell.where)
            asm.provenance[key] = replace(asm.provenance[key], raw=cell.raw.strip())
            asm.warn("W_MERGED_CELL", f"{canonical.short_label(key)} 是合并单元格的一部分，数值归属不明", (key,))
        else:
            asm.read(key, cell, row.label)


# ---------------------------------------------------------------------------------------------------
# 表四


def assemble_t4(rows: list[Row], asm: Assembly, found: bool) -> None:
    keys = canonical.TABLE4_KEYS
    data = [r for r in rows if r.has_values or r.explicit_blanks]
    if not data:
        for k in keys:
            asm.missing(k)
        what = "找不到表四（行政复议、行政诉讼情况）" if not found else "表四 没有找到数据行"
        asm.warn("W_TABLE_MISSING" if not found else "W_MISSING_CELL", what, keys)
        return
    row = next((r for r in data if r.has_values), data[0])
    extra = [r for r in data if r is not row and r.has_values]
    if extra:
        asm.warn("W_EXTRA_ROW", f"表四 有 {len(extra) + 1} 行数值，只读取第一行（{row.where.describe()}）")
    cells = _t4_cells(row)
    if cells is None:
        filled = [c for c in row.cells if c.raw.strip()]
        for k in keys:
            asm.missing(k, None, row.where)
        if len(filled) == 15 and not row.ordered:
            msg = "表四 有 15 个数，但按文本的阅读顺序三组数各自的合计不符，无法确认各数所在的列"
            asm.warn("W_UNCERTAIN_ORDER", msg, keys)
        else:
            asm.warn("W_SHORT_ROW", f"表四 有 {len(filled)} 个数，应为 15 个，无法确定各数所在的列", keys)
        return
    for key, cell in zip(keys, cells, strict=True):
        if cell is None:
            asm.read(key, Cell("", row.where), None)
        elif cell.merged and cell.raw.strip():
            asm.missing(key, None, cell.where)
            asm.provenance[key] = replace(asm.provenance[key], raw=cell.raw.strip())
            asm.warn("W_MERGED_CELL", f"{canonical.short_label(key)} 是合并单元格的一部分，数值归属不明", (key,))
        else:
            asm.read(key, cell, None)


def _t4_cells(row: Row) -> list[Cell | None] | None:
    if row.positioned:
        if any(c.col is None for c in row.cells if c.raw.strip()):
            return None
        by_col = {c.col: c for c in row.cells if c.col is not None}
        return [by_col.get(i) for i in range(15)]
    filled = [c for c in row.cells if c.raw.strip()]
    if row.explicit_blanks and len(row.cells) == 15:
        return list(row.cells)
    if len(filled) == 15 and row.ordered:
        return filled
    return None


def assemble(rows: TableRows, template: str | None) -> Assembly:
    asm = Assembly()
    for code, message, keys in rows.notes:
        asm.warn(code, message, keys)
    assemble_t2(rows.t2, asm, template, "t2" in rows.found)
    assemble_t3(rows.t3, asm, template, "t3" in rows.found)
    assemble_t4(rows.t4, asm, "t4" in rows.found)
    return asm
