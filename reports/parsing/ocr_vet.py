"""Which numbers read from a picture are taken: never a guess, stricter than for text.

A number read by OCR is taken only when

1. every one of its characters is a digit the recogniser is sure of: the digit is its first reading
   (a letter read — O, D, l, I, S, B — is never turned into a digit), the digit holds nearly all the
   probability (counting only glyphs printed identically to it, e.g. "0"/"O" for a lone round
   glyph), no other digit is in the running, nothing was possibly missed or merged, and the glyph is
   as tall as a digit (not a dot or a speck);
2. and it is borne out by its neighbours: at least one identity it is part of — its row's total
   (R2, R4–R6) or its column's (R1, R3) — holds with every other cell of it read the same sure way.
   A misread digit breaks every identity it is in, so exactly that cell is left out; a report's own
   arithmetic mistake leaves the cells of the broken identity that another identity confirms, so the
   rules still report it. 表二 has no identities: there, the first condition alone decides.

A blank cell (no ink) counts as blank (0 in the sums) under the same second condition. Every cell
not taken is left unread — with its page, table, row and column named and what was read — so the
"nothing unread goes through" rule makes a person confirm it against the picture of the cell; the
box of every cell read from a picture is kept in its provenance for that picture.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from reports import canonical
from reports.parsing.assemble import Assembly
from reports.parsing.document import Document
from reports.parsing.infer import EQUATIONS, infer
from reports.parsing.normalize import clean_token, parse_value
from reports.parsing.types import CellSource, Value

# A digit is sure when it holds this much probability (with its twins) …
SURE = 0.97
# … its own first reading is at least this likely …
FIRST = 0.75
# … no other digit has more than this …
RIVAL = 0.01
# … and no character was possibly dropped or merged beside it.
DOUBT = 0.2
# A digit's ink is at least this tall, in text-line heights (a dot, a comma or a speck is not).
DIGIT_HEIGHT = 0.45
# A glyph that is a digit with at least this probability is legible enough to hold a proof against.
LEGIBLE = 0.6
DIGITS = frozenset("0123456789")
BLANK_GLYPHS = frozenset("-—–－―/／")

UNSURE = "W_OCR_UNSURE"
UNCONFIRMED = "W_OCR_UNCONFIRMED"


@dataclass(frozen=True)
class Verdict:
    sure: bool
    seen: str  # what was read, for the message
    why: str = ""
    digits: str = ""  # what was read taken as a figure (each glyph's likeliest digit), for the arithmetic


def vet(asm: Assembly, doc: Document, exclude: frozenset[str] = frozenset()) -> dict[str, Value]:
    """Leave unread every cell read from a picture that is not sure and confirmed; keep each one's box.

    Returns what was seen in each cell left unread (a number, or None when nothing legible), for
    :func:`~reports.parsing.infer.infer`: a cell the arithmetic proves is filled only when the proof
    agrees with what was seen — never over a figure that says otherwise.
    """
    pages = {p.number: p for p in doc.ocr}
    if not pages:
        return {}
    verdicts: dict[str, Verdict] = {}
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for key in canonical.ALL_KEYS:
        src = asm.provenance.get(key)
        if src is None or src.inferred or src.page not in pages:
            continue
        page = pages[src.page]
        box = _box(doc, src, page)
        if box is None:
            if not src.missing:
                verdicts[key] = Verdict(False, src.raw or "", "位置无法确定")
            continue
        left, top, right, bottom = page.scanned_box(box)
        # as fractions of the page as scanned (the PDF reader's convention), so the picture shows the cell
        boxes[key] = tuple(
            round(v, 4) for v in (left / page.width, top / page.height, right / page.width, bottom / page.height)
        )
        if src.missing:
            continue
        verdicts[key] = _judge(key, asm, src, page.glyphs_in(box))
    readings = {k: _reading(k, asm, v) for k, v in verdicts.items()}
    confirmed, proved = _settle(asm, verdicts, readings, exclude)
    left = {k: v for k, v in verdicts.items() if k not in confirmed}
    # Their "cannot be read as a number" notes are replaced by what OCR saw.
    asm.warnings[:] = [w for w in asm.warnings if not (w.code == "W_UNREADABLE_TOKEN" and set(w.keys) <= set(left))]
    for key in left:
        asm.values[key] = None
        asm.provenance[key] = replace(asm.provenance[key], missing=True, blank=False)
    unread = {k: v for k, v in left.items() if k not in proved}
    _warn(asm, {k: v for k, v in unread.items() if not v.sure}, UNSURE, "识别不确定")
    _warn(
        asm,
        {k: v for k, v in unread.items() if v.sure},
        UNCONFIRMED,
        "读得清楚，但与同行、同列的数不能相互印证（可能是识别错误，也可能是原表本身计算有误）",
    )
    for key, box in boxes.items():
        asm.provenance[key] = replace(asm.provenance[key], box=box, ocr=True)
    return {k: readings[k] for k in left}


def _settle(
    asm: Assembly, verdicts: dict[str, Verdict], readings: dict[str, Value], exclude: frozenset[str]
) -> tuple[set[str], dict[str, Value]]:
    """The sure cells an identity confirms, and the unsure cells whose reading the arithmetic bears out.

    An identity confirms its sure cells when it holds with every cell of it known (read from a text
    page, read surely, or borne out before) — or with one unsure cell taken as what it shows, which is
    then borne out too (two weak signs agreeing: the glyphs and the sum). Then the arithmetic proves
    what it can from the sure readings; a proof that agrees with what an unsure cell shows bears it out.
    Repeated until nothing more is confirmed.
    """
    base = _known_outside(asm, verdicts)
    sure = {k: _value(asm, k) for k, v in verdicts.items() if v.sure}
    unsure = {k: float(r) for k, r in readings.items() if not verdicts[k].sure and r is not None}
    confirmed: set[str] = {k for k in sure if k not in COVERED}  # 表二: certainty alone
    proved: dict[str, Value] = {}
    while True:
        grown = False
        known = {**base, **{k: float(v or 0) for k, v in proved.items()}, **sure}
        for _rule, eq in EQUATIONS:
            members = [k for _, k in eq]
            open_ = [k for k in members if k not in known]
            if len(open_) > 1 or (open_ and open_[0] not in unsure):
                continue
            values = {**known, **{k: unsure[k] for k in open_}}
            if abs(sum(a * values[k] for a, k in eq)) > 1e-9:
                continue
            for k in members:
                if k in sure and k not in confirmed:
                    confirmed.add(k)
                    grown = True
            for k in open_:
                proved[k] = readings[k]
                grown = True
        if not grown:
            grown = _prove(asm, verdicts, readings, confirmed, proved, exclude)
        if not grown:
            return confirmed, proved


def _prove(
    asm: Assembly,
    verdicts: dict[str, Verdict],
    readings: dict[str, Value],
    confirmed: set[str],
    proved: dict[str, Value],
    exclude: frozenset[str],
) -> bool:
    """What the arithmetic proves from the sure and borne-out cells, where it agrees with what an unsure
    cell shows (a row whose total is 0 proves each of its cells 0). True when something was borne out."""
    trial = copy.deepcopy(asm)
    for key, verdict in verdicts.items():
        if not verdict.sure and key not in proved:
            trial.values[key] = None
            trial.provenance[key] = replace(trial.provenance[key], missing=True, blank=False)
        elif key in proved:
            trial.values[key] = proved[key]
    infer(trial, exclude=exclude, readings={k: readings[k] for k in verdicts if not verdicts[k].sure})
    new = {
        k: trial.values[k]
        for k, v in verdicts.items()
        if not v.sure and k not in proved and trial.provenance[k].inferred and readings[k] is not None
    }
    proved.update(new)
    return bool(new)


def _known_outside(asm: Assembly, verdicts: dict[str, Verdict]) -> dict[str, float]:
    """Cells of 表三/表四 not read from a picture: from a text page, or absent from a 2019 report."""
    known: dict[str, float] = {}
    for key in COVERED:
        src = asm.provenance.get(key)
        if key in verdicts or src is None:
            continue
        if not src.missing and not src.inferred and (asm.values[key] is not None or src.blank):
            known[key] = _value(asm, key)
        elif src.missing and key in canonical.NOT_IN_2019 and src.location == "":
            known[key] = 0.0
    return known


def _value(asm: Assembly, key: str) -> float:
    value = asm.values[key]
    return float(value) if value is not None else 0.0  # a blank cell counts as 0


COVERED = frozenset(k for _rule, eq in EQUATIONS for _, k in eq)


def _reading(key: str, asm: Assembly, verdict: Verdict) -> Value:
    """The number seen in a cell (0 for a blank), or None when nothing legible was seen."""
    src = asm.provenance[key]
    if src.blank and verdict.sure:
        return 0
    token = parse_value(verdict.digits, key == canonical.FEES_KEY)
    return token.value if token.is_number else None


def _box(doc: Document, src: CellSource, page) -> tuple[float, float, float, float] | None:  # type: ignore[no-untyped-def]
    """The cell's grid box on the straightened page, in points with y upwards (as its characters are)."""
    if src.table is None or src.row is None or src.col is None or src.table >= len(doc.tables):
        return None
    rows = doc.tables[src.table].rows
    if src.row >= len(rows) or src.col >= len(rows[src.row]) or rows[src.row][src.col].box is None:
        return None
    left, top, right, bottom = rows[src.row][src.col].box  # fractions of the page, from its top left
    return (left * page.width, (1 - bottom) * page.height, right * page.width, (1 - top) * page.height)


def _judge(key: str, asm: Assembly, src: CellSource, found: list) -> Verdict:  # type: ignore[type-arg]
    glyphs = [g for c, g in sorted(found, key=lambda cg: (cg[1].token, cg[0].cx)) if not c.text.isspace()]
    seen = "".join(g.text for g in glyphs)
    digits = _digits(glyphs)
    if src.blank:
        if all(g.text in BLANK_GLYPHS and g.prob >= SURE and g.doubt <= DOUBT for g in glyphs):
            return Verdict(True, seen)
        return Verdict(False, seen, "空白格中的笔画无法确认", digits)
    if asm.values[key] is None:
        return Verdict(False, seen, digits=digits)
    if clean_token(seen) != clean_token(src.raw or ""):
        return Verdict(False, seen, "单元格中的文字位置无法确定", digits)
    decimal = key == canonical.FEES_KEY
    for g in glyphs:
        if g.text == "." and decimal:
            if g.prob < SURE or g.doubt > DOUBT:
                return Verdict(False, seen, digits=digits)
            continue
        if g.text not in DIGITS or g.digit != g.text:
            return Verdict(False, seen, f"“{g.text}”不是有把握的数字", digits)
        if g.digit_prob < SURE or g.prob < FIRST or g.rival_prob > RIVAL or g.doubt > DOUBT:
            return Verdict(False, seen, digits=digits)
        if g.height < DIGIT_HEIGHT:
            return Verdict(False, seen, "笔画大小不像数字", digits)
    return Verdict(True, seen, digits=digits)


def _digits(glyphs: list) -> str:  # type: ignore[type-arg]
    """The glyphs as the figure they most likely show (a round "O" as 0), or "" when some glyph is no digit."""
    out = []
    for g in glyphs:
        if g.text == ".":
            out.append(".")
        elif g.digit and g.digit != "." and g.digit_prob >= LEGIBLE and g.height >= DIGIT_HEIGHT:
            out.append(g.digit)
        else:
            return ""
    return "".join(out)


def _warn(asm: Assembly, cells: dict[str, Verdict], code: str, what: str) -> None:
    """One warning per table row, naming the page, the row and each cell with what was read."""
    by_row: dict[tuple[int | None, str], list[str]] = {}
    for key in canonical.ALL_KEYS:
        if key in cells:
            src = asm.provenance[key]
            by_row.setdefault((src.page, key.rsplit(".", 1)[0]), []).append(key)
    for (page, _), keys in by_row.items():
        parts = []
        for k in keys:
            v = cells[k]
            col = canonical.short_label(k).rsplit(" ", 1)[-1]
            note = f"读作“{v.seen}”" if v.seen else "未读出"
            if v.why:
                note += f"，{v.why}"
            parts.append(f"{col}（{note}）")
        row = canonical.short_label(keys[0]).rsplit(" ", 1)[0]
        where = f"第{page}页 " if page else ""
        asm.warn(code, f"{where}{row} {'、'.join(parts)}：{what}，请对照原件图像录入", keys)
