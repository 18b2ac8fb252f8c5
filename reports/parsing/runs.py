"""Tables whose cells ran together: a web page copied as text or a crawler's dump prints a row's label and
its numbers with nothing between them ("行政规范性文件4202356" for 42 / 0 / 2356; "一、本年新收…5620000058"
for 56, 2, 0, 0, 0, 0, 58).

A run of digits is split into the row's cells only where exactly one split is possible under plain
plausibility (no number but 0 starts with 0) and the template's identities: a 表三 row's total is the sum of
its six applicant cells (R2), each 表四 block's total the sum of its four (R4-R6); where a 表三 row still
has several splits, the whole table's column identities (R1, R3) may single one out. A value that needed an
identity to be chosen is marked inferred, naming it; a run with no split or with more than one is left
unread with a message saying that the cells ran together. Nothing here reads a row whose own figures do
not add up: such a report's mistake cannot be told from another split.

But it is still shown. Where no reading of the printed digits adds up — a 表三 row's run that no split into
two to seven numbers (blank cells may be absent) makes total the others, 表四's run that no split into
blocks does, the whole 表三 whose rows each add up but whose columns (R1, R3) hold under no combination —
the report's own figures break that identity however they are read: a PrintedBreak names the cells, and
the rules report it as an arithmetic error for as long as the cells stay unread.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from reports import canonical
from reports.parsing import labels as L
from reports.parsing.document import TextLine
from reports.parsing.normalize import norm
from reports.parsing.rows import Cell, Row, Where
from reports.parsing.types import PrintedBreak

_RUN_T3 = re.compile(r"\d+")
_RUN_T2 = re.compile(r"\d+(?:\.\d+)?")
_RAN = re.compile(r"[\u4e00-\u9fff）)”\"]\d{3,}")
_LABEL_START = re.compile(r"[一二三四]、|[（(][一二三四五六七][）)]|\d[.．]")
MAX_SPLITS = 64  # more ways than this to split one run: ambiguous anyway, stop counting
MAX_NODES = 200_000
MAX_COMBINATIONS = 20_000
T3_ROWS = list(canonical.TABLE3_ROW_KEYS)


@dataclass
class RunStats:
    runs: int = 0  # runs of digits that had to be split
    unique: int = 0  # of which exactly one split was possible

    def note(self, table: str) -> tuple[str, str, tuple[str, ...]]:
        return (
            "I_RUN_TOGETHER",
            f"{table} 的单元格在文本中连在一起（没有分隔）：{self.runs} 串数字中 {self.unique} 串只有唯一拆分，"
            "已按此读取；其余未读取",
            (),
        )


# A 表三/表四 line of digits alone that cannot be one cell: seven or more digits (a million applications), or a
# leading zero. It is a row whose label is missing or stands apart, its cells run together ("0100001").
_T3_ROW_RUN = re.compile(r"\d{7,}|0\d+")


def ran_together(region: list[TextLine], table: str = "") -> bool:
    """The region prints labels and numbers run together rather than in cells, lines or columns."""
    texts = [ln.text.strip() for ln in region if ln.text.strip()]
    for t in texts:
        if re.fullmatch(r"[\d.,\s|\t]+", t) and not (table in ("t3", "t4") and _T3_ROW_RUN.fullmatch(t)):
            return False  # numbers on lines of their own: cells are separated
    found = _RAN.findall("".join(texts))
    return len(found) >= 2 or any(len(f) > 7 for f in found)


def _splits(run: str, k: int, last_is_sum: bool) -> list[tuple[int, ...]] | None:
    """Every split of ``run`` into ``k`` numbers without leading zeros (the last the sum of the others when
    ``last_is_sum``); None when there are too many to matter."""
    out: list[tuple[int, ...]] = []
    nodes = 0

    def rec(i: int, parts: list[int]) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES or len(out) > MAX_SPLITS:
            return False
        left = k - len(parts)
        if last_is_sum and left == 1:
            if run[i:] == str(sum(parts)):
                out.append((*parts, sum(parts)))
            return True
        if left == 0:
            if i == len(run):
                out.append(tuple(parts))
            return True
        rest = len(run) - i
        for n in range(1, rest - left + 2):
            tok = run[i : i + n]
            if n > 1 and tok[0] == "0":
                break
            if not rec(i + n, [*parts, int(tok)]):
                return False
        return True

    if not rec(0, []):
        return None
    return out


@lru_cache(maxsize=4096)
def _adds_up_somehow(run: str, most: int) -> bool | None:
    """Whether some reading of ``run`` as two to ``most`` numbers (blank cells absent: fewer numbers) has
    its last the sum of the others, or the run is a lone 0; None when there are too many readings to tell."""
    if run == "0":
        return True
    for k in range(2, most + 1):
        found = _splits(run, k, last_is_sum=True)
        if found is None:
            return None
        if found:
            return True
    return False


def _blocks_somehow(run: str, n: int) -> bool | None:
    """Whether ``run`` reads as at most ``n`` 表四 blocks that each add up (a blank block absent)."""
    if not run:
        return True
    if n == 0:
        return False
    for cut in range(1, len(run) + 1):
        head = _adds_up_somehow(run[:cut], 5)
        if head is None:
            return None
        if head:
            rest = _blocks_somehow(run[cut:], n - 1)
            if rest is None or rest:
                return rest
    return False


def _segments(text: str, pattern: re.Pattern[str], ordinals: bool) -> list[tuple[str, str, int]]:
    """(label before, digit run, offset) pairs. A digit right before "." or "、" is the next row's or section's
    ordinal ("…00000001.属于国家秘密", "4、政府信息公开行政复议…"), not a cell."""
    out: list[tuple[str, str, int]] = []
    label_from = 0
    for m in pattern.finditer(text):
        run, end = m.group(), m.end()
        if ordinals and end < len(text) and text[end] in ".．、" and "." not in run:
            run, end = run[:-1], end - 1
        if not run:
            continue
        out.append((text[label_from : m.start()], run, m.start()))
        label_from = end
    return out


UNLABELLED = "\x00"  # marks the start of a line of digits alone


def _keyed(segments: list[tuple[str, str, int]], by_order: list[str]) -> list[tuple[str, str, str | None]]:
    """(label, run, row key) of each segment. A group heading that names no row of its own ("（三）不予公开",
    its first row's cells run on after it), followed by lines of digits alone, gives its rows by the template's
    order — only when there are exactly as many runs as the group has rows (a row dropped or two merged would
    shift the rest: then none is placed). A heading repeated where a page break cut the group (merged labels
    restart on the new page) continues it. The keys so given are added to ``by_order``."""

    def heading(i: int) -> str | None:
        label = segments[i][0]
        return L.is_group_header(label.replace(UNLABELLED, "")) if _t3_key(label) is None else None

    def unlabelled_after(i: int) -> int:
        j = i + 1
        while j < len(segments) and segments[j][0] == UNLABELLED:
            j += 1
        return j

    out: list[tuple[str, str, str | None]] = []
    i = 0
    while i < len(segments):
        group = heading(i)
        if group is not None:
            j = unlabelled_after(i)
            while j < len(segments) and (heading(j) == group or _top_heading(segments[j][0])):
                j = unlabelled_after(j)  # the group goes on after a page break, its headings repeated
            keys = L.GROUP_ROWS[group]
            if j - i == len(keys):
                out.extend((segments[i + n][0], segments[i + n][1], keys[n]) for n in range(j - i))
                by_order.extend(keys)
                i = j
                continue
        label = segments[i][0]
        out.append((label, segments[i][1], _t3_key(label)))
        i += 1
    return out


def _top_heading(label: str) -> bool:
    """Only the heading of the rows 三、本年度办理结果, repeated on a new page: it names no row or group."""
    return norm(label.replace(UNLABELLED, "")) in ("三、本年度办理结果", "本年度办理结果")


def _t3_key(label: str) -> str | None:
    starts = [0] + [m.start() for m in _LABEL_START.finditer(label)]
    for s in starts:
        m = L.match_t3_row(label[s:])
        if m is not None and m.strength == 2:
            return m.key
    return None


def _where(region: list[TextLine]) -> Where:
    first = next((ln for ln in region if ln.text.strip()), region[0])
    return Where(page=first.page, line=first.line)


def read_t3(
    region: list[TextLine], notes: list[tuple[str, str, tuple[str, ...]]], breaks: list[PrintedBreak]
) -> list[Row]:
    # A line of digits alone is a row of its own whose label is missing: marked, so that its run is not
    # joined to the run of the row before.
    text = "".join(
        UNLABELLED + ln.text.strip() if _T3_ROW_RUN.fullmatch(ln.text.strip()) else ln.text.strip() for ln in region
    )
    where = _where(region)
    found: dict[str, tuple[str, str]] = {}
    last = -1
    by_order: list[str] = []
    for label, run, key in _keyed(_segments(text, _RUN_T3, ordinals=True), by_order):
        if key is None or T3_ROWS.index(key) <= last:
            continue
        last = T3_ROWS.index(key)
        found[key] = (label, run)
    if by_order:
        notes.append(
            (
                "I_ROWS_BY_ORDER",
                "表三 这些行没有行名，按模板行序读取（该组的数字行数与模板的行数相同）："
                + "、".join(canonical.short_label(canonical.t3(k, "total")).rsplit(" ", 1)[0] for k in by_order),
                (),
            )
        )
    stats = RunStats()
    cands: dict[str, list[tuple[int, ...]] | None] = {}
    # A row printed in full has seven numbers, so at least seven digits. A shorter run means the page left
    # its blank cells empty and they left nothing in the runs: then no run shows where its numbers stand
    # (a seven-way split could still exist by chance and be wrong), and none is read.
    shown_blanks = all(len(run) >= 7 for _, run in found.values())
    for key, (_, run) in found.items():
        stats.runs += 1
        cands[key] = _splits(run, 7, last_is_sum=True) if shown_blanks else None
    if found and not shown_blanks:
        notes.append(
            (
                "W_RUN_TOGETHER",
                "表三 的数字连在一起，且空白格没有印出（有的行不足 7 位数字）：无法确定各数所在的列，表三未读取",
                tuple(k for key in found for k in canonical.keys_of_row(key)),
            )
        )
    chosen: dict[str, tuple[tuple[int, ...], str]] = {}
    for key, c in cands.items():
        if c is not None and len(c) == 1:
            chosen[key] = (c[0], "" if len(found[key][1]) == 7 else "R2")
        elif not c and _adds_up_somehow(found[key][1], 7) is False:
            breaks.append(
                PrintedBreak(
                    "R2",
                    canonical.keys_of_row(key),
                    found[key][1],
                    "这一行连在一起的数字无论拆成几个数（空白格可能没有印出），最后一个都不等于其余之和",
                )
            )
    open_rows = [k for k, c in cands.items() if c and len(c) > 1]
    if open_rows and len(found) == len(T3_ROWS) and all(cands[k] for k in T3_ROWS):
        combos = 1
        for k in open_rows:
            combos *= len(cands[k])  # type: ignore[arg-type]
        if combos <= MAX_COMBINATIONS:
            fits = []
            r3_holds = False  # under some combination
            for pick in itertools.product(*(cands[k] for k in open_rows)):  # type: ignore[misc]
                table = {k: v for k, (v, _) in chosen.items()} | dict(zip(open_rows, pick, strict=True))
                r3_holds = r3_holds or _r3_holds(table)
                if _columns_hold(table):
                    fits.append(pick)
                    if len(fits) > 1:
                        break
            if len(fits) == 1:
                for k, v in zip(open_rows, fits[0], strict=True):
                    chosen[k] = (v, "R1、R2、R3")
            elif not fits:
                breaks.append(_columns_break(open_rows, {k: found[k][1] for k in open_rows}, r3_holds))
    stats.unique = len(chosen)
    rows = []
    for key in T3_ROWS:
        if key not in found:
            continue
        label = found[key][0]
        if key in chosen:
            values, rule = chosen[key]
            cells = tuple(Cell(str(v), where, col=j, rests_on=rule) for j, v in enumerate(values))
            rows.append(Row("t3", (label,), cells, where, positioned=True, explicit_blanks=True))
        else:
            # The run stays with its row, unplaced: what inference proves there must agree with it.
            row = Row("t3", (label,), (Cell(found[key][1], where),), where, ordered=False)
            row.notes.append("runs")
            rows.append(row)
    if stats.runs:
        notes.append(stats.note("表三"))
    return rows


def _columns_break(open_rows: list[str], printed: dict[str, str], r3_holds: bool) -> PrintedBreak:
    """Every row adds up under some split, but no combination of the open rows' splits makes the columns hold
    (R1, R3): the table breaks them however it is read; named on the open rows, whose reading is unknown.
    The rule is R3 when no combination satisfies it, else R1."""
    keys = tuple(k for r in open_rows for k in canonical.keys_of_row(r))
    shown = "、".join(
        f"{canonical.short_label(canonical.t3(r, 'total')).split(' ')[0]}“{printed[r]}”" for r in open_rows
    )
    why = "“第一项+第二项=第三项+第四项”" if r3_holds else "“（七）总计=各项办理结果之和”"
    return PrintedBreak(
        "R1" if r3_holds else "R3",
        keys,
        shown,
        f"每行连在一起的数字都能拆成合计相符的各列，但无论怎样组合，各列都不满足{why}",
    )


def _r3_holds(table: dict[str, tuple[int, ...]]) -> bool:
    return all(sum(table[k][c] for k in canonical.OUTCOME_ROW_KEYS) == table["total_processed"][c] for c in range(7))


def _columns_hold(table: dict[str, tuple[int, ...]]) -> bool:
    for c in range(7):
        col = {k: v[c] for k, v in table.items()}
        if col["new_received"] + col["carried_over"] != col["total_processed"] + col["carried_forward"]:
            return False
        if sum(col[k] for k in canonical.OUTCOME_ROW_KEYS) != col["total_processed"]:
            return False
    return True


def read_t4(
    region: list[TextLine], notes: list[tuple[str, str, tuple[str, ...]]], breaks: list[PrintedBreak]
) -> list[Row]:
    text = "".join(ln.text.strip() for ln in region)
    run = "".join(r for _, r, _ in _segments(text, _RUN_T3, ordinals=True))
    if not run:
        return []
    where = _where(region)
    stats = RunStats(runs=1)
    # Fifteen cells printed are at least fifteen digits; fewer means blank cells left nothing (see read_t3).
    found = _blocks(run, 3) if len(run) >= 15 else []
    if found is not None and len(found) == 1:
        stats.unique = 1
        rule = "" if len(run) == 15 else "R4、R5、R6"
        cells = tuple(Cell(str(v), where, col=j, rests_on=rule) for j, v in enumerate(found[0]))
        notes.append(stats.note("表四"))
        return [Row("t4", (), cells, where, positioned=True, explicit_blanks=True)]
    notes.append(stats.note("表四"))
    if found == [] and _blocks_somehow(run, 3) is False:
        breaks.append(
            PrintedBreak(
                "R4",
                canonical.TABLE4_KEYS,
                run,
                "表四 连在一起的数字无论怎样拆成三栏（空白格可能没有印出），各栏总计都不能同时等于分项之和",
            )
        )
    notes.append(
        ("W_RUN_TOGETHER", f"表四 的数字连在一起（“{run}”），无法唯一拆分成各列，未读取", canonical.TABLE4_KEYS)
    )
    return [Row("t4", (), (), where)]


def _blocks(run: str, n: int) -> list[tuple[int, ...]] | None:
    """Splits of ``run`` into ``n`` 表四 blocks of four numbers and their total."""
    if n == 0:
        return [()] if not run else []
    out: list[tuple[int, ...]] = []
    for cut in range(5, len(run) - 5 * (n - 1) + 1):
        head = _splits(run[:cut], 5, last_is_sum=True)
        if head is None:
            return None
        if not head:
            continue
        tail = _blocks(run[cut:], n - 1)
        if tail is None:
            return None
        out.extend(h + t for h in head for t in tail)
        if len(out) > MAX_SPLITS:
            return None
    return out


T2_CELLS = {"regulations": 3, "normative_documents": 3, "licensing": 1, "punishment": 1, "coercion": 1, "fees": 1}


def read_t2(
    region: list[TextLine], notes: list[tuple[str, str, tuple[str, ...]]], breaks: list[PrintedBreak]
) -> list[Row]:
    text = "".join(ln.text.strip() for ln in region)
    where = _where(region)
    rows = []
    stats = RunStats()
    unread = []
    for label, run, _ in _segments(text, _RUN_T2, ordinals=False):
        tail = re.split(r"数|件数|万元）|\)", label)[-1]
        key = L.match_t2_row(tail)
        if key not in T2_CELLS:
            continue
        k = T2_CELLS[key]
        if k == 1:
            ok = run == "0" or run[0] != "0" or run.startswith("0.")
            cells = (Cell(run, where),) if ok else ()
        else:
            stats.runs += 1
            found = _splits(run, k, last_is_sum=False) if "." not in run else []
            if found is not None and len(found) == 1:
                stats.unique += 1
                cells = tuple(Cell(str(v), where) for v in found[0])
            else:
                cells = ()
                unread.append((key, tail))
        rows.append(Row("t2", (tail,), cells, where))
    if stats.runs:
        notes.append(stats.note("表二"))
    for key, tail in unread:
        keys = tuple(k for k in canonical.TABLE2_KEYS if k.startswith(f"active_disclosure.{key}."))
        notes.append(("W_RUN_TOGETHER", f"表二 “{tail}”的数字连在一起，无法唯一拆分成各列，未读取", keys))
    return rows
