"""Synthetic annual reports: the 2021 template filled with random figures, written in the layouts real
reports travel in, with or without a planted arithmetic defect. Pure Python; used by the layout tests, by
``tests/synth/make_fixtures.py`` (the fixtures under tests/fixtures/layouts/) and by
``benchmarks/synth.py`` (how many cells come out wrong over many random reports).

A report is a dict of the 200 canonical keys (``None`` = a zero the layout leaves blank is still 0 here:
the renderers decide what is printed). Rows, labels and columns come from :mod:`reports.canonical`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from reports import canonical

T3_ROWS = list(canonical.TABLE3_ROW_KEYS)
T3_COLS = list(canonical.TABLE3_COLUMN_KEYS)
T4_KEYS = list(canonical.TABLE4_KEYS)
APPLICANTS = T3_COLS[:6]
T2_ROWS = (
    ("规章", ("regulations", ("issued", "repealed", "in_force"))),
    ("行政规范性文件", ("normative_documents", ("issued", "repealed", "in_force"))),
)
T2_SINGLE = (("五", "行政许可", "licensing"), ("六", "行政处罚", "punishment"), ("六", "行政强制", "coercion"))


@dataclass
class Synth:
    values: dict[str, int]
    defects: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (rule, keys)
    agency: str = "示例县示例镇人民政府"
    year: int = 2023


def figures(rng: random.Random, defect: str | None = None) -> Synth:
    """Consistent figures (R1-R6 hold); ``defect`` plants one printed mistake: "row_total" (R2), "grand"
    (（七）总计 of one column and of 总计 one more than the outcomes, R1/R3), "t4" (a 表四 total, R4-R6)."""
    v: dict[str, int] = {}
    busy = rng.random() < 0.7
    for c in APPLICANTS:
        weight = 1.0 if c == "natural_person" else 0.3
        out = {
            r: (rng.randint(0, 9) if busy and rng.random() < 0.35 * weight else 0) for r in canonical.OUTCOME_ROW_KEYS
        }
        total = sum(out.values())
        forward = rng.randint(0, 3) if rng.random() < 0.3 else 0
        over = rng.randint(0, min(3, total + forward)) if rng.random() < 0.3 else 0
        new = total + forward - over
        col = {"new_received": new, "carried_over": over, "total_processed": total, "carried_forward": forward, **out}
        for r, x in col.items():
            v[canonical.t3(r, c)] = x
    for r in T3_ROWS:
        v[canonical.t3(r, "total")] = sum(v[canonical.t3(r, c)] for c in APPLICANTS)
    for b in canonical.TABLE4_BLOCK_KEYS:
        parts = [rng.randint(0, 4) if rng.random() < 0.4 else 0 for _ in range(4)]
        for col, x in zip(canonical.TABLE4_COLUMN_KEYS[:4], parts, strict=True):
            v[canonical.t4(b, col)] = x
        v[canonical.t4(b, "total")] = sum(parts)
    for _, (prefix, cols) in T2_ROWS:
        for col in cols:
            v[f"active_disclosure.{prefix}.{col}"] = rng.randint(0, 12) if prefix != "regulations" else 0
    for _, _, prefix in T2_SINGLE:
        v[f"active_disclosure.{prefix}.decisions"] = rng.randint(0, 40)
    v[canonical.FEES_KEY] = 0
    s = Synth(v)
    if defect == "row_total":
        r = rng.choice([r for r in T3_ROWS if v[canonical.t3(r, "total")] > 0] or T3_ROWS)
        v[canonical.t3(r, "total")] += rng.randint(1, 3)
        s.defects.append(("R2", tuple(canonical.keys_of_row(r))))
    elif defect == "grand":
        c = rng.choice(APPLICANTS)
        d = rng.randint(1, 3)
        for col in (c, "total"):
            v[canonical.t3("total_processed", col)] += d
            s.defects.append(("R3", (canonical.t3("total_processed", col),)))
    elif defect == "t4":
        b = rng.choice(canonical.TABLE4_BLOCK_KEYS)
        v[canonical.t4(b, "total")] += rng.randint(1, 3)
        s.defects.append(("R4", tuple(canonical.t4(b, c) for c in canonical.TABLE4_COLUMN_KEYS)))
    return s


# ---------------------------------------------------------------------------------------------------
# The text around the tables


def _head(s: Synth) -> list[str]:
    return [
        f"{s.agency}{s.year}年政府信息公开工作年度报告",
        f"本报告所列数据的统计期限自{s.year}年1月1日起至{s.year}年12月31日止。",
        "一、总体情况",
        f"{s.year}年，我镇认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开、依申请公开工作有序开展。",
        "二、主动公开政府信息情况",
    ]


TAIL = [
    "五、存在的主要问题及改进情况",
    "公开内容还不够全面。下一步将加强培训，提高公开质量。",
    "六、其他需要报告的事项",
    "本机关未收取信息处理费。",
]


def _num(x: int, blank_zero: bool) -> str:
    return "" if blank_zero and x == 0 else str(x)


# ---------------------------------------------------------------------------------------------------
# pdftotext -layout


def _place(line: str, x: float, text: str) -> str:
    start = max(int(round(x - len(text) / 2)), len(line) + 1 if line.strip() else 0)
    return line.ljust(start) + text


def layout_text(s: Synth, *, blank_zero: bool = True, page_break_at: str | None = None, shift: int = 3) -> str:
    """Text as ``pdftotext -layout`` prints the report: columns by position, zeros left blank (only 总计
    printed), optionally 表三 split by a page break before row ``page_break_at``, the next page laid out
    ``shift`` characters further right and without the column headers."""
    v = s.values
    out = _head(s)
    out += ["第二十条第（一）项", "   信息内容      本年制发件数       本年废止件数      现行有效件数"]
    for label, (prefix, cols) in T2_ROWS:
        line = "    " + label
        for x, col in zip((22, 39, 56), cols, strict=True):
            line = _place(line, x, str(v[f"active_disclosure.{prefix}.{col}"]))
        out.append(line)
    block = None
    for b, label, prefix in T2_SINGLE:
        if b != block:
            out += [f"第二十条第（{b}）项", "   信息内容                  本年处理决定数量"]
            block = b
        out.append(_place("   " + label, 34, str(v[f"active_disclosure.{prefix}.decisions"])))
    out += [
        "第二十条第（八）项",
        "   信息内容               本年收费金额（单位：万元）",
        _place("行政事业性收费", 34, "0"),
    ]
    out += ["三、收到和处理政府信息公开申请情况"]
    xs = [44.0, 50.0, 56.0, 62.0, 68.0, 74.0, 82.0]
    out += [
        _place("", 58, "申请人情况"),
        _place("", 58, "法人或其他组织"),
        "（本列数据的勾稽关系为：第一项加第二项之和，等",
        _place(
            _place(_place(_place(_place("", xs[0], "自然"), xs[1], "商业"), xs[2], "科研"), xs[3], "社会"),
            xs[4],
            "法律",
        ),
        _place("于第三项加第四项之和）", xs[6], "总计"),
        _place(_place(_place(_place("", xs[0], "人"), xs[3], "公益"), xs[4], "服务"), xs[5], "其他"),
        _place(_place(_place(_place("", xs[1], "企业"), xs[2], "机构"), xs[3], "组织"), xs[4], "机构"),
    ]
    grid = xs
    for r in T3_ROWS:
        if r == page_break_at:
            out += ["", "- 3 -", "\f"]
            grid = [x + shift for x in xs]
        label = canonical.TABLE3_ROW_BY_KEY[r].label
        line = ("      " if r not in ("new_received", "carried_over", "carried_forward") else "") + label[:18]
        for c, x in zip(T3_COLS, grid, strict=True):
            text = _num(v[canonical.t3(r, c)], blank_zero and c != "total")
            if text:
                line = _place(line, x, text)
        out.append(line)
    out += ["四、政府信息公开行政复议、行政诉讼情况", _place(_place("", 10, "行政复议"), 49, "行政诉讼")]
    t4x = [2, 7, 14, 20, 25, 30, 35, 40, 45, 50, 55, 61, 66, 71, 76]
    names = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    line = ""
    for x, n in zip(t4x, names, strict=True):
        line = _place(line, x, n)
    out.append(line)
    line = ""
    for x, k in zip(t4x, T4_KEYS, strict=True):
        text = _num(v[k], blank_zero and not k.endswith(".total"))
        if text:
            line = _place(line, x, text)
    out += [line, *TAIL]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------------
# pdftotext reading order (no -layout): one cell a line, nothing blank


def raw_text(s: Synth, *, blank_zero: bool = False) -> str:
    """``blank_zero``: the 表三 applicant cells holding 0 are left blank, so in reading order they are simply
    absent (only the 总计 column prints its zeros)."""
    v = s.values
    out = _head(s)
    out += ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    for label, (prefix, cols) in T2_ROWS:
        out += [label, *(str(v[f"active_disclosure.{prefix}.{c}"]) for c in cols)]
    block = None
    for b, label, prefix in T2_SINGLE:
        if b != block:
            out += [f"第二十条第（{b}）项", "信息内容", "本年处理决定数量"]
            block = b
        out += [label, str(v[f"active_disclosure.{prefix}.decisions"])]
    out += ["第二十条第（八）项", "信息内容", "本年收费金额（单位：万元）", "行政事业性收费", "0"]
    out += ["三、收到和处理政府信息公开申请情况", "申请人情况", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]  # fmt: skip
    for r in T3_ROWS:
        out.append(canonical.TABLE3_ROW_BY_KEY[r].label)
        out += [
            str(v[canonical.t3(r, c)])
            for c in T3_COLS
            if not (blank_zero and c != "total" and v[canonical.t3(r, c)] == 0)
        ]
    out += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"]
    out += ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    out += [str(v[k]) for k in T4_KEYS]
    out += TAIL
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------------
# HTML


def html(s: Synth, *, colspan: bool = False, blank_zero: bool = False) -> str:
    """The report as a portal page. ``colspan``: the column header row has one column more than the data
    rows (an empty spacer before 总计), so each data row's 总计 cell spans two grid columns."""
    v = s.values
    p = "".join(f"<p>{t}</p>" for t in _head(s))
    t2 = ["<table border='1'>", "<tr><td colspan='4'>第二十条第（一）项</td></tr>",
          "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"]  # fmt: skip
    for label, (prefix, cols) in T2_ROWS:
        t2.append(
            f"<tr><td>{label}</td>"
            + "".join(f"<td>{v[f'active_disclosure.{prefix}.{c}']}</td>" for c in cols)
            + "</tr>"
        )
    block = None
    for b, label, prefix in T2_SINGLE:
        if b != block:
            t2 += [
                f"<tr><td colspan='4'>第二十条第（{b}）项</td></tr>",
                "<tr><td>信息内容</td><td colspan='3'>本年处理决定数量</td></tr>",
            ]
            block = b
        t2.append(f"<tr><td>{label}</td><td colspan='3'>{v[f'active_disclosure.{prefix}.decisions']}</td></tr>")
    t2 += ["<tr><td colspan='4'>第二十条第（八）项</td></tr>", "<tr><td>信息内容</td><td colspan='3'>本年收费金额（单位：万元）</td></tr>",
           "<tr><td>行政事业性收费</td><td colspan='3'>0</td></tr>", "</table>"]  # fmt: skip
    spacer = "<td></td>" if colspan else ""
    t3 = ["<p>三、收到和处理政府信息公开申请情况</p><table border='1'>",
          f"<tr><td colspan='3' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
          f"<td colspan='{8 if colspan else 7}'>申请人情况</td></tr>",
          f"<tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td>{spacer}<td rowspan='2'>总计</td></tr>",
          "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td>"
          + ("<td></td>" if colspan else "") + "</tr>"]  # fmt: skip
    total_cell = "<td colspan='2'>{}</td>" if colspan else "<td>{}</td>"
    for r in T3_ROWS:
        label = canonical.TABLE3_ROW_BY_KEY[r].label
        cells = "".join(f"<td>{_num(v[canonical.t3(r, c)], blank_zero)}</td>" for c in APPLICANTS)
        cells += total_cell.format(v[canonical.t3(r, "total")])
        t3.append(f"<tr><td colspan='3'>{label}</td>{cells}</tr>")
    t3.append("</table>")
    t4 = ["<p>四、政府信息公开行政复议、行政诉讼情况</p><table border='1'>",
          "<tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr>",
          "<tr><td rowspan='2'>结果维持</td><td rowspan='2'>结果纠正</td><td rowspan='2'>其他结果</td>"
          "<td rowspan='2'>尚未审结</td><td rowspan='2'>总计</td><td colspan='5'>未经复议直接起诉</td><td colspan='5'>复议后起诉</td></tr>",
          "<tr>" + "".join(f"<td>{n}</td>" for n in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2) + "</tr>",
          "<tr>" + "".join(f"<td>{v[k]}</td>" for k in T4_KEYS) + "</tr>", "</table>"]  # fmt: skip
    tail = "".join(f"<p>{t}</p>" for t in TAIL)
    return (
        f"<html><head><meta charset='utf-8'></head><body>{p}{''.join(t2)}{''.join(t3)}{''.join(t4)}{tail}</body></html>"
    )


def expected(s: Synth, blank_zero_t3: bool) -> dict[str, int | None]:
    """What a careful reader enters: the figures as printed; a zero left blank is blank (None)."""
    out: dict[str, int | None] = dict(s.values)
    if blank_zero_t3:
        for k in canonical.TABLE3_KEYS + canonical.TABLE4_KEYS:
            if out[k] == 0 and not k.endswith(".total"):
                out[k] = None
    return out


# ---------------------------------------------------------------------------------------------------
# Cells run together (a web page copied as text, a crawler's dump): each table one line, no separators


def runtogether_text(s: Synth, *, blank_zero: bool = False) -> str:
    """The report as crawlers keep it: paragraphs and headings on their lines, each table's cells run
    together on one line ("行政规范性文件4202356" for 42 / 0 / 2356). With ``blank_zero`` the zero cells of
    表三 and 表四 but the totals were blank on the page and leave nothing in the run."""
    v = s.values

    def cell(k: str) -> str:
        return "" if blank_zero and v[k] == 0 and not k.endswith(".total") else str(v[k])

    out = _head(s)
    t2 = "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
    for label, (prefix, cols) in T2_ROWS:
        t2 += label + "".join(str(v[f"active_disclosure.{prefix}.{c}"]) for c in cols)
    block = None
    for b, label, prefix in T2_SINGLE:
        if b != block:
            t2 += f"第二十条第（{b}）项信息内容本年处理决定数量"
            block = b
        t2 += label + str(v[f"active_disclosure.{prefix}.decisions"])
    t2 += "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0"
    out += [t2, "三、收到和处理政府信息公开申请情况"]
    t3 = "申请人情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）自然人法人或其他组织商业企业科研机构社会公益组织法律服务机构其他总计"
    groups = {"withheld_state_secret": "（三）不予公开", "unavailable_not_held": "（四）无法提供",
              "not_processed_petition": "（五）不予处理", "other_no_correction": "（六）其他处理",
              "granted": "三、本年度办理结果"}  # fmt: skip
    for r in T3_ROWS:
        t3 += (
            groups.get(r, "")
            + canonical.TABLE3_ROW_BY_KEY[r].label
            + "".join(cell(canonical.t3(r, c)) for c in T3_COLS)
        )
    out += [t3, "四、政府信息公开行政复议、行政诉讼情况"]
    t4 = "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
    t4 += "结果维持结果纠正其他结果尚未审结总计" * 2 + "".join(cell(k) for k in T4_KEYS)
    out += [t4, *TAIL]
    return "\n".join(out) + "\n"


def without_sub_labels(text: str, group_rows: tuple[str, ...], drop: str | None = None) -> str:
    """Layout text whose sub-rows of a 表三 group lost their labels (numbers only), with the line of row
    ``drop`` missing altogether (a row dropped, or two rows merged into one line of the other's numbers)."""
    labels = {canonical.TABLE3_ROW_BY_KEY[r].label[:18]: r for r in group_rows}
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        key = next((r for lab, r in labels.items() if stripped.startswith(lab)), None)
        if key is None:
            out.append(line)
            continue
        if key == drop:
            continue
        label = next(lab for lab, r in labels.items() if r == key)
        start = line.index(label)
        out.append(line[:start] + " " * len(label) + line[start + len(label) :])
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------
# pdftotext -layout of a 表三 whose sub-rows print no labels and whose zero cells are blank


def _heading_pieces(text: str) -> tuple[str, str]:
    """（三）不予公开 as a narrow label cell prints it: "(三) 不" over "予公开"."""
    core = text[3:]
    return f"({text[1]}) {core[0]}", core[1:]


def vertical_layout_text(
    s: Synth,
    unlabelled: tuple[str, ...],
    *,
    pitch: float = 1.2,
    tall: dict[str, float] | None = None,
    headings: bool = False,
) -> str:
    """The report as ``pdftotext -layout`` prints it when 表三's rows in ``unlabelled`` lost their labels
    and every zero cell is blank: a row with nothing printed leaves no line, only its height.

    Rows are ``pitch`` font sizes high (``tall`` overrides a row's height); each cell's text is its own
    fragment, vertically centred in its row. With ``headings`` the group labels (（三）不予公开 …) print
    over two lines centred on their groups. The lines come out as poppler lays them out: fragments whose
    baselines are within half a font size share a line, and between two lines it starts
    ``floor(gap / font size)`` lines further down, at least one and at most five."""
    text = layout_text(s, blank_zero=False)
    lines = text.split("\n")
    first = next(i for i, ln in enumerate(lines) if ln.startswith("一、本年新收"))
    last = next(i for i, ln in enumerate(lines) if ln.startswith("四、结转下年度"))
    xs = [44.0, 50.0, 56.0, 62.0, 68.0, 74.0, 82.0]
    v = s.values
    frags: list[tuple[float, float, str]] = []  # (baseline in font sizes, x (a label's start: -x), text)
    y = 0.0
    spans: dict[str, tuple[float, float]] = {}
    for r in T3_ROWS:
        h = (tall or {}).get(r, pitch)
        base = y + h / 2
        group = canonical.TABLE3_ROW_BY_KEY[r].group_key
        if group:
            top, _ = spans.get(group, (y, y))
            spans[group] = (top, y + h)
        if r not in unlabelled:
            indent = 0 if r in ("new_received", "carried_over", "carried_forward") else 6
            frags.append((base, -indent, canonical.TABLE3_ROW_BY_KEY[r].label[:18]))
        for c, x in zip(T3_COLS, xs, strict=True):
            if v[canonical.t3(r, c)]:
                frags.append((base, x, str(v[canonical.t3(r, c)])))
        y += h
    if headings:
        for group, (top, bottom) in spans.items():
            rows = canonical.GROUPS[group][1]
            if not set(rows) & set(unlabelled):
                continue
            upper, lower = _heading_pieces(canonical.GROUPS[group][0])
            mid = (top + bottom) / 2
            frags += [(mid - 0.65, -6, upper), (mid + 0.65, -6, lower)]
    frags.sort()
    out: list[str] = []
    i = 0
    previous: list[tuple[float, float, str]] = []
    while i < len(frags):
        j = i
        while j < len(frags) and frags[j][0] - frags[i][0] < 0.5:
            j += 1
        group_frags = sorted(frags[i:j], key=lambda f: abs(f[1]))
        if previous:
            steps = min(max(int(group_frags[0][0] - previous[-1][0]), 1), 5)
            out += [""] * (steps - 1)
        line = ""
        for _, x, t in sorted(group_frags, key=lambda f: abs(f[1])):
            # a label (x < 0) starts at its column; a value is centred on its column
            line = line.ljust(int(-x)) + t if x < 0 else _place(line, x, t)
        out.append(line)
        previous = group_frags
        i = j
    return "\n".join([*lines[:first], *out, *lines[last + 1 :]])
