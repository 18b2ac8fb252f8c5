"""Cells the arithmetic proves (FORMAT.md §3, §4.2): never a guess, never a printed cell changed.

Only cells that could not be read are candidates. Every count is a non-negative integer and the
identities R1 (一+二 = （七）+四, per column), R2 (row total), R3 (（七） = the outcome rows) and
R4–R6 (表四 totals) hold; blank cells count as 0 (§4.3). Interval propagation over these equations
narrows each unknown cell; a cell whose interval closes to one value is proved. Typical proofs: a
row whose total is 0, or 一 and 二 all zero, which makes every outcome zero.

The proved values of a row read with the wrong number of values must agree with the numbers that
row printed; otherwise nothing in that row is filled. A contradiction among the read values stops
inference altogether: the rules report it, the parser proves nothing from it.

Never hide a defect (issue 11). A report may break an identity itself. If an unread cell sits in that
identity and nothing else pins it, the proof fills it with exactly the number that makes the broken
identity hold, and the rules see nothing. So a proof is kept only when it is cross-checked:

    Let F be the filled cells and C the identities whose cells are all read or in F (the ones the rules
    will check). Every cell of F must be fixed by the equations C alone (no appeal to "counts are ≥ 0"),
    and stay fixed when any one identity of C is removed.

Why this suffices. Suppose the printed table breaks exactly one identity E and satisfies all the others.
If E is not in C, filling changes nothing about it: it has an unread cell before and after. If E is in C,
the printed values of F satisfy C minus E, which fixes F, so they are the only values that can; E then
fails on them. Hence no values of F satisfy all of C, and propagation (which runs to a fixed point, so
whatever it would fill satisfies every identity of C) ends in W_INFERENCE_CONFLICT: nothing is filled.
And it is necessary: in linear-algebra terms the condition says e_E is outside the column space of C
restricted to F (E is no coloop of C); if E were a coloop, a printed table differing from the filled
values along the direction only E controls would break E alone and be absorbed. So it is the weakest
rule that holds for a defect of any size.

A report's mistake is seldom in one identity only: the usual one prints a column's figure and 总计's one too
many together (R2 of the row still holds), breaking that column's R1 or R3 and 总计's at once. So the test
also removes each such pair together: a proof resting on nothing but a column's R1 (or R3) and 总计's, with
R2 tying them, would fill both cells with the mistake and is not kept.

Consequences. A proof resting on non-negativity alone is not kept: a row printed with total 0 whose
unread cell actually shows 5 breaks only R2, and proving 0 would hide it — unless the cell's column
(R3/R1) pins it too, in which case the 5 shows as a conflict. Two identities through a cell are not
enough by themselves: a 表四 cell lies in one identity only, and a row and a column are no check on each
other when the row's other open cell is fixed by nothing but that same column.

A defect the read values already show (an identity fully read and broken, which the rules report) is
often more than one identity's: a wrong （七）总计 breaks R1 and R3 of its column, and a proof through
R1 would fill an unread 四 with the wrong number consistently with the rest. So no proof passes through
an identity that contains a cell of a broken one; those cells stay unread too.

What no identity can check: a wrong number printed in the unread cell itself breaks every identity
through that cell at once and agrees with nothing read, so the proof equals what it should have been.
Only reading the cell tells; the value is marked inferred and names the identities it rests on.
A proof that equals what the cell shows (its raw text, or an unsure picture reading) is witnessed by the
page and needs no cross-check; so is a zero in a row found on the page that shows no number but 0 (a
short row of zeros, a row with no number at all, §4.2; a row the printed table does not have, such as
（六）1/2 when （六） is printed as the single 2019 row): a non-zero there would be a number the page shows, and the read values of the row would disagree with nothing but the extraction.
The cells dropped stay unread, warned: W_INFERENCE_UNCHECKED (no cross-check) or
W_INFERENCE_NEAR_DEFECT (through a broken identity).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from fractions import Fraction

from reports import canonical
from reports.parsing.assemble import Assembly, row_name
from reports.parsing.normalize import parse_value
from reports.parsing.rows import Cell, Row
from reports.parsing.types import CellSource, PrintedBreak, Value

INF = float("inf")
MAX_ROUNDS = 60


def _equations() -> list[tuple[str, list[tuple[int, str]]]]:
    """(rule, terms) of every identity: R1 and R3 per column, R2 per row, R4-R6 per 表四 block."""
    eqs: list[tuple[str, list[tuple[int, str]]]] = []
    t3 = canonical.t3
    for c in canonical.TABLE3_COLUMN_KEYS:
        eqs.append(("R1", [(1, t3("new_received", c)), (1, t3("carried_over", c)),
                           (-1, t3("total_processed", c)), (-1, t3("carried_forward", c))]))  # fmt: skip
        eqs.append(("R3", [(1, t3(r, c)) for r in canonical.OUTCOME_ROW_KEYS] + [(-1, t3("total_processed", c))]))
    for r in canonical.TABLE3_ROW_KEYS:
        eqs.append(("R2", [(1, t3(r, c)) for c in canonical.APPLICANT_COLUMN_KEYS] + [(-1, t3(r, "total"))]))
    for b, rule in zip(canonical.TABLE4_BLOCK_KEYS, ("R4", "R5", "R6"), strict=True):
        parts = [(1, canonical.t4(b, c)) for c in canonical.TABLE4_COLUMN_KEYS[:-1]]
        eqs.append((rule, [*parts, (-1, canonical.t4(b, "total"))]))
    return eqs


EQUATIONS = _equations()
# The column of each R1/R3 identity (None for the others): a report's mistake in a column's figure is often
# repeated in the 总计 column's (（七）总计 one more in a column and in 总计), breaking that pair together.
_COLUMN_OF = [eq[0][1].rsplit(".", 1)[1] if rule in ("R1", "R3") else None for rule, eq in EQUATIONS]


def infer(asm: Assembly, exclude: frozenset[str] = frozenset(), readings: Mapping[str, Value] | None = None) -> None:
    """Fill the unread cells of 表三/表四 that the identities prove, marking them inferred.

    ``exclude``: cells the report's template does not have (2019: （六）1/2) — 0 in the sums, never filled.
    ``readings``: what was seen in cells left unread although something was read there (a scan's
    uncertain figure): such a cell is filled only when the proof equals it, so a report's own
    mistake is never replaced by the number its arithmetic would want (None: nothing legible).
    """
    unknown = {k for k in canonical.TABLE3_KEYS + canonical.TABLE4_KEYS if asm.is_unknown(k) and k not in exclude}
    if not unknown:
        return
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    for k in canonical.TABLE3_KEYS + canonical.TABLE4_KEYS:
        if k in exclude:
            lo[k] = hi[k] = 0.0
        elif k in unknown:
            lo[k], hi[k] = 0, INF
        else:
            v = asm.values[k]
            lo[k] = hi[k] = float(v) if v is not None else 0.0  # blank counts as 0
    why: dict[str, set[str]] = {}  # the identities that narrowed each cell
    for _ in range(MAX_ROUNDS):
        changed = False
        for rule, eq in EQUATIONS:
            if not any(k in unknown for _, k in eq):
                continue
            for i, (a, k) in enumerate(eq):
                if k not in unknown:
                    continue
                smin = smax = 0.0
                for j, (b, other) in enumerate(eq):
                    if j == i:
                        continue
                    if b > 0:
                        smin += lo[other]
                        smax += hi[other]
                    else:
                        smin -= hi[other]
                        smax -= lo[other]
                # a*x + S = 0  →  x = -S/a
                new_lo, new_hi = (-smax, -smin) if a > 0 else (smin, smax)
                if new_lo > lo[k]:
                    lo[k], changed = new_lo, True
                    why.setdefault(k, set()).add(rule)
                if new_hi < hi[k]:
                    hi[k], changed = new_hi, True
                    why.setdefault(k, set()).add(rule)
                if lo[k] > hi[k]:
                    asm.warn(
                        "W_INFERENCE_CONFLICT",
                        "已读取的数值之间勾稽关系不成立，不据此推算缺失的单元格",
                        sorted(unknown),
                    )
                    return
        if not changed:
            break
    proved = {k: int(lo[k]) for k in unknown if lo[k] == hi[k] and lo[k] != INF and k not in exclude}
    proved = _agree_with_printed(asm, proved)
    if readings:
        proved = {k: v for k, v in proved.items() if readings.get(k) is None or readings[k] == v}
    # A cell where something is printed but was not read (a merged cell, an unreadable token) keeps what is
    # printed: the proof fills it only when it is that very number, so a report's own mistake is never
    # replaced by the number its arithmetic would want.
    # (A figure read from a picture is judged by what the picture shows, ``readings``, not by its raw text.)
    seen = readings or {}
    printed = {
        k: asm.provenance[k].raw for k in proved if k not in seen and k in asm.provenance and asm.provenance[k].raw
    }
    proved = {k: v for k, v in proved.items() if k not in printed or parse_value(printed[k]).value == v}
    # A proof that equals what the cell shows (its raw text, or a picture's reading) is a second witness of
    # its own; the others must be cross-checked by the identities.
    witnessed = {k for k in proved if k in printed or seen.get(k) is not None}
    # Rows the printed table does not have (a 2021 report printing （六） as the single 2019 row) show nothing.
    absent = {k for w in asm.warnings if w.code == "W_SINGLE_OTHER_ROW" for k in w.keys}
    witnessed |= {
        k for k, v in proved.items() if v == 0 and k not in seen and (k in absent or _row_shows_only_zeros(asm, k))
    }
    broken = _broken_cells(asm, unknown, exclude)
    near = {k for _, eq in EQUATIONS if any(c in broken for _, c in eq) for _, k in eq}
    tainted = (set(proved) - witnessed) & near
    if tainted:
        keys = sorted(tainted, key=canonical.ALL_KEYS.index)
        asm.warn(
            "W_INFERENCE_NEAR_DEFECT",
            f"{len(keys)} 个未能读取的单元格所在的勾稽关系涉及已读数值本身不成立的关系（报告自身的错误），"
            "按它推算会把错误带进看似正确的数值，故不填入，请对照原文核实",
            keys,
        )
    checked, unchecked = _cross_checked(unknown, set(proved) - witnessed - tainted)
    if unchecked:
        keys = sorted(unchecked, key=canonical.ALL_KEYS.index)
        rests = _rules({r for k in keys for r in why.get(k, ())})
        asm.warn(
            "W_INFERENCE_UNCHECKED",
            f"{len(keys)} 个未能读取的单元格只能由勾稽关系（{rests}）单独推出，没有另一条勾稽关系可以核对；"
            "若报告在这条关系上本身有误，推算值会把错误掩盖，故不填入，请对照原文核实",
            keys,
        )
    proved = {k: v for k, v in proved.items() if k not in unchecked and k not in tainted}
    if not proved:
        return
    for k, v in proved.items():
        old = asm.provenance.get(k) or CellSource()
        asm.values[k] = v
        rests_on = _rules(checked[k]) if k in checked else _rules(why.get(k, ()))
        asm.provenance[k] = CellSource(
            raw=None, label=old.label, location=old.location, page=old.page, line=old.line, table=old.table,
            row=old.row, col=old.col, inferred=True, rests_on=rests_on,
        )  # fmt: skip
    keys = sorted(proved, key=canonical.ALL_KEYS.index)
    zeros = all(v == 0 for v in proved.values())
    how = "由勾稽关系（各项非负）推出均为 0" if zeros else "由勾稽关系推出"
    asm.warn("I_INFERRED", f"{len(keys)} 个未能读取的单元格{how}，已标记为推算值", keys)


_ROW_OF = {canonical.t3(r, c): r for r in canonical.TABLE3_ROW_KEYS for c in canonical.TABLE3_COLUMN_KEYS}


def _row_shows_only_zeros(asm: Assembly, key: str) -> bool:
    """True when the page shows the 表三 row of ``key`` (found by its label) and every number in it is 0:
    the numbers read, and those read without their columns (FORMAT.md §4.2: "if every number present is
    0 and the expected sum is 0, record zeros"). The cell itself then shows 0 or nothing, as the proof says."""
    row = _ROW_OF.get(key)
    src = asm.provenance.get(key)
    if row is None or src is None or not src.location or src.raw:
        return False
    tokens = asm.loose_tokens.get(row, [])
    if any(not t.is_number or t.value for t in tokens if not t.is_blank):
        return False
    return all(not asm.values[k] for k in canonical.keys_of_row(row))


def _broken_cells(asm: Assembly, unknown: set[str], exclude: frozenset[str]) -> set[str]:
    """The cells of the identities the read values already break (the rules report those): a proof through
    one of them would carry the report's mistake into a number that looks right."""
    out: set[str] = set()
    for _, eq in EQUATIONS:
        if any(k in unknown for _, k in eq):
            continue
        if sum(a * (0 if k in exclude else asm.values[k] or 0) for a, k in eq) != 0:
            out.update(k for _, k in eq)
    return out


def _cross_checked(unknown: set[str], proved: set[str]) -> tuple[dict[str, set[str]], set[str]]:
    """Split the proved cells into those the identities cross-check and those they do not (see the module
    docstring): returns the identities each kept cell is checked by, and the cells left unread.

    ``unknown``: every cell not read (proved or not). A kept cell is determined by the identities whose
    cells are all read or kept, and stays determined with any one of them removed — or with a column's R1 or
    R3 removed together with 总计's, which a mistake repeated in both breaks together. Cells failing that are
    dropped, which takes the identities through them out of the checked set, so the test is repeated.
    """
    free = set(proved)
    while free:
        picked = [
            n
            for n, (_, eq) in enumerate(EQUATIONS)
            if any(k in free for _, k in eq) and all(k in free or k not in unknown for _, k in eq)
        ]
        eqs = [(EQUATIONS[n][0], {k: a for a, k in EQUATIONS[n][1] if k in free}) for n in picked]
        rows = [row for _, row in eqs]
        loose = free - _determined(rows)
        columns: dict[str, dict[int, int]] = {}  # the transposed system: one row per cell, one column per identity
        for i, row in enumerate(rows):
            for k, a in row.items():
                columns.setdefault(k, {})[i] = a
        for i in _determined(list(columns.values())):  # an identity no combination of the others stands in for
            loose |= free - _determined(rows[:i] + rows[i + 1 :])
        # A mistake repeated in a column and in 总计 breaks the same identity of both: removed together.
        for i, n in enumerate(picked):
            col = _COLUMN_OF[n]
            if col is None or col == "total":
                continue
            pair = next(
                (j for j, m in enumerate(picked) if EQUATIONS[m][0] == EQUATIONS[n][0] and _COLUMN_OF[m] == "total"),
                None,
            )
            if pair is not None:
                loose |= free - _determined([r for j, r in enumerate(rows) if j not in (i, pair)])
        if not loose:
            return {k: {rule for rule, row in eqs if k in row} for k in free}, proved - free
        free -= loose
    return {}, set(proved)


def _determined(rows: list[dict]) -> set:
    """The variables that the linear system ``rows`` (variable → coefficient, right-hand sides known) fixes
    to one value: those whose unit vector lies in the row space. Exact (fractions), by reduced row echelon form."""
    pivots: dict = {}  # pivot variable → its reduced row
    for row in rows:
        r = {k: Fraction(a) for k, a in row.items() if a}
        for p, prow in pivots.items():
            if p in r:
                f = r[p]
                for k, a in prow.items():
                    r[k] = r.get(k, 0) - f * a
                r = {k: a for k, a in r.items() if a}
        if not r:
            continue
        p = next(iter(r))
        f = r[p]
        r = {k: a / f for k, a in r.items()}
        for q, qrow in pivots.items():
            if p in qrow:
                g = qrow[p]
                for k, a in r.items():
                    qrow[k] = qrow.get(k, 0) - g * a
                pivots[q] = {k: a for k, a in qrow.items() if a}
        pivots[p] = r
    # a pivot variable is fixed when its reduced row holds no free variable
    return {p for p, r in pivots.items() if all(k == p or k in pivots for k in r)}


def _rules(rules: set[str] | tuple[()]) -> str:
    return "、".join(sorted(rules, key=lambda r: int(r[1:])))


def _agree_with_printed(asm: Assembly, proved: dict[str, int]) -> dict[str, int]:
    """Drop the proofs for a row whose printed numbers (read without their columns) disagree with them.

    Zeros prove nothing here (a zero may be printed or blank), so the non-zero values are compared:
    with the whole row known they must be exactly the printed non-zero numbers, otherwise the proved
    ones must be among them. A row that printed something unreadable is never filled.
    """
    out = dict(proved)
    for row_key, tokens in asm.loose_tokens.items():
        keys = canonical.keys_of_row(row_key)
        if not any(k in proved for k in keys):
            continue
        printed = Counter(t.value for t in tokens if t.is_number and t.value)
        values = [proved.get(k, asm.values[k]) for k in keys]
        complete = all(v is not None or not asm.is_unknown(k) for k, v in zip(keys, values, strict=True))
        got = Counter(v for v in values if v)
        unreadable = any(not t.is_number and not t.is_blank for t in tokens)
        # The printed numbers not accounted for need cells left open to stand in: proving zeros where the row
        # printed more numbers than it has open cells would hide the report's own mistake.
        still_open = sum(1 for k, v in zip(keys, values, strict=True) if v is None and asm.is_unknown(k))
        unplaced = sum((printed - got).values())
        zeros = any(proved.get(k) == 0 for k in keys)
        disagree = not (got == printed if complete else not (got - printed) and unplaced <= still_open)
        # A zero proved in a row whose printed numbers are not all placed may be where one of them stands.
        open_zero = zeros and unplaced
        if unreadable or disagree or open_zero:
            for k in keys:
                out.pop(k, None)
            why = (
                "由勾稽关系推出的数值与该行印出的数不一致"
                if disagree or unreadable
                else "该行印出的数所在的列无法确定，由勾稽关系推出的数值（含 0）无法与之对应"
            )
            asm.warn("W_INFERENCE_CONFLICT", f"{row_name(row_key)} {why}，不填入", keys)
    return out


def choose_columns(asm: Assembly, exclude: frozenset[str] = frozenset()) -> None:
    """Place a 表三 row whose layout leaves a few column readings open (a page fitted onto another page's
    columns in more than one way) by the identities, marking its cells inferred.

    A reading is taken only when it strictly dominates: every identity it breaks is broken under every
    other reading too (a mistake of the report's own, elsewhere in the table, which the rules then show),
    and each other reading breaks at least one identity more. Identities with an unread cell outside the
    row are not counted. Otherwise the row stays unread, as the layout left it.

    The rows of one page are first read together (one grid holds for the whole page: its rows are placed
    under the same one), which lets the identities through several of them count; by the same rule.
    """
    _choose_page_grids(asm, exclude)
    for row_key, row in list(asm.open_rows.items()):
        if not row.choices:
            continue
        keys = canonical.keys_of_row(row_key)
        tokens = [parse_value(c.raw) for c in row.cells]
        if any(not t.is_number or not isinstance(t.value, int) for t in tokens):
            continue
        broken = []
        for cols in row.choices:
            values = dict.fromkeys(keys, 0)
            for c, t in zip(cols, tokens, strict=True):
                values[keys[c]] = t.value
            broken.append(_broken(asm, values, exclude))
        best = [i for i, b in enumerate(broken) if all(b < other for j, other in enumerate(broken) if j != i)]
        if len(best) != 1:
            continue
        win = best[0]
        rests_on = _rules({rule for j, other in enumerate(broken) if j != win for rule, _ in other - broken[win]})
        by_col = dict(zip(row.choices[win], row.cells, strict=True))
        for c, key in enumerate(keys):
            cell = by_col.get(c)
            if cell is None:
                asm.read(key, Cell("", row.where), row.label)
            else:
                asm.read(key, Cell(cell.raw, cell.where, col=c, rests_on=rests_on), row.label)
        asm.loose_tokens.pop(row_key, None)
        asm.warnings = [w for w in asm.warnings if w.code != "W_AMBIGUOUS_COLUMNS" or set(w.keys) != set(keys)]
        asm.warn(
            "I_INFERRED",
            f"{row_name(row_key)} 的 {len(row.cells)} 个数所在的列在版面上有 {len(row.choices)} 种可能；"
            f"按{rests_on}只有一种读法不多出不成立的勾稽关系，已按此读取，标记为推算值（{row.where.describe()}）",
            [k for c, k in enumerate(keys) if c in by_col],
        )


def _choose_page_grids(asm: Assembly, exclude: frozenset[str]) -> None:
    pages: dict[int | None, list[tuple[str, Row]]] = {}
    for row_key, row in asm.open_rows.items():
        if row.page_readings:
            pages.setdefault(row.readings_page, []).append((row_key, row))
    for page_rows in pages.values():
        tokens = {k: [parse_value(c.raw) for c in row.cells] for k, row in page_rows}
        if any(not t.is_number or not isinstance(t.value, int) for ts in tokens.values() for t in ts):
            continue
        grids = len(page_rows[0][1].page_readings)
        if any(len(row.page_readings) != grids for _, row in page_rows):
            continue
        options: dict[tuple[tuple[str, int], ...], int] = {}  # the page's values under a grid -> that grid
        for g in range(grids):
            if any(row.page_readings[g] is None for _, row in page_rows):
                continue  # some row's values do not fit this grid: the page is not laid out on it
            values: dict[str, int] = {}
            for row_key, row in page_rows:
                keys = canonical.keys_of_row(row_key)
                values.update(dict.fromkeys(keys, 0))
                for c, t in zip(row.page_readings[g], tokens[row_key], strict=True):  # type: ignore[arg-type]
                    values[keys[c]] = t.value  # type: ignore[assignment]
            options.setdefault(tuple(sorted(values.items())), g)
        if len(options) < 2:
            continue  # nothing for the identities to decide between (or no grid fits at all)
        found = list(options.values())
        broken = [_broken(asm, dict(v), exclude) for v in options]
        best = [i for i, b in enumerate(broken) if all(b < other for j, other in enumerate(broken) if j != i)]
        if len(best) != 1:
            if all(broken):
                _page_break(asm, page_rows, broken)
                for row_key, _ in page_rows:  # no grid holds: no row of the page is placed by itself either
                    asm.open_rows.pop(row_key, None)
            continue
        win = best[0]
        g = found[win]
        rests_on = _rules({rule for j, other in enumerate(broken) if j != win for rule, _ in other - broken[win]})
        read_keys = []
        for row_key, row in page_rows:
            keys = canonical.keys_of_row(row_key)
            by_col = dict(zip(row.page_readings[g], row.cells, strict=True))  # type: ignore[arg-type]
            for c, key in enumerate(keys):
                cell = by_col.get(c)
                if cell is None:
                    asm.read(key, Cell("", row.where), row.label)
                else:
                    asm.read(key, Cell(cell.raw, cell.where, col=c, rests_on=rests_on), row.label)
                    read_keys.append(key)
            asm.loose_tokens.pop(row_key, None)
            asm.open_rows.pop(row_key, None)
            asm.warnings = [w for w in asm.warnings if w.code != "W_AMBIGUOUS_COLUMNS" or set(w.keys) != set(keys)]
        where = page_rows[0][1].where.describe()
        asm.warn(
            "I_INFERRED",
            f"表三 {where} 起 {len(page_rows)} 行数值所在的列在版面上有 {len(options)} 种可能（该页没有列标题或完整的行）；"
            f"按{rests_on}只有一种读法不多出不成立的勾稽关系，已按此读取，标记为推算值",
            read_keys,
        )


def _page_break(asm: Assembly, page_rows: list[tuple[str, Row]], broken: list[frozenset[tuple[str, int]]]) -> None:
    """Every grid the page may have leaves an identity broken: the page's printed numbers break the table's
    arithmetic however they are placed. The identities broken under every grid are named on their cells of
    the page (which stay unread); a rule every grid breaks, but not always in one of those identities (a
    column's R3 in whichever column the grid puts the value), on all the page's cells that print a number."""
    # Rows printing only zeros read the same under every grid (and are filled with them): the others are named.
    open_keys = [
        k
        for row_key, row in page_rows
        if any(parse_value(c.raw).value for c in row.cells)
        for k in canonical.keys_of_row(row_key)
    ]
    printed = "；".join(
        f"{row_name(k)} {' '.join(c.raw.strip() for c in row.cells)}" for k, row in page_rows if row.cells
    )
    where = page_rows[0][1].where.describe()
    named: set[int] = set()
    for rule, n in sorted(frozenset.intersection(*broken), key=lambda b: b[1]):
        keys = tuple(k for _, k in EQUATIONS[n][1] if k in open_keys)
        if not keys:
            continue
        why = f"{where} 起这一页的各列位置没有列标题可对照，但无论按哪种可能的列位置读，这条勾稽关系都不成立"
        asm.breaks.append(PrintedBreak(rule, keys, printed, why))
        named.add(n)
    if not open_keys:
        return
    for rule in sorted(set.intersection(*({rule for rule, _ in b} for b in broken)), key=lambda r: int(r[1:])):
        if all(any(n in named for r, n in b if r == rule) for b in broken):
            continue  # already named on the identity every grid breaks
        why = f"{where} 起这一页的各列位置没有列标题可对照，但无论按哪种可能的列位置读，都有 {rule} 的勾稽关系不成立"
        asm.breaks.append(PrintedBreak(rule, tuple(open_keys), printed, why))


def _broken(asm: Assembly, row_values: Mapping[str, int], exclude: frozenset[str]) -> frozenset[tuple[str, int]]:
    """The identities (rule, index) that fail with the row's values put in, among those whose cells are all known."""
    out = set()
    for n, (rule, eq) in enumerate(EQUATIONS):
        total = 0
        known = True
        for a, k in eq:
            if k in row_values:
                v = row_values[k]
            elif k in exclude:
                v = 0
            elif asm.is_unknown(k):
                known = False
                break
            else:
                v = asm.values[k] or 0
            total += a * v
        if known and total != 0:
            out.add((rule, n))
    return frozenset(out)
