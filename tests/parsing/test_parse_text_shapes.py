"""Plain-text shapes of real conversions: reading order that carries a 表二 value past the next
block's caption (pdftotext of a browser's print), and -layout lines that start with the wrapped
pieces of a label spanning rows."""

from __future__ import annotations

from decimal import Decimal

from reports import canonical
from reports.parsing import labels as L
from reports.parsing import parse_document
from reports.parsing.document import TextLine
from reports.parsing.textlayout import read_layout_region
from reports.parsing.textslots import t3_by_slots

HEAD = [
    "某某县某某局2024年政府信息公开工作年度报告",
    "一、总体情况",
    "本局认真贯彻落实条例。",
    "二、主动公开政府信息情况",
]
T1_FULL = ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
           "规章", "0", "0", "0", "行政规范性文件", "4", "0", "34"]  # fmt: skip
TAIL = ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "无。",
        "六、其他需要报告的事项", "无。"]  # fmt: skip


def _t2(lines: list[str]) -> dict[str, object]:
    report = parse_document("\n".join(HEAD + lines + TAIL).encode(), "raw.txt")
    named = {k for w in report.warnings for k in w.keys}
    out = {}
    for key in ("licensing", "punishment", "coercion", "fees"):
        full = f"active_disclosure.{key}." + ("amount" if key == "fees" else "decisions")
        value = report.values[full]
        if value is None:
            assert full in named  # an unread cell is always named by a warning
        out[key] = value
    return out


def test_raw_order_in_place_is_read() -> None:
    lines = T1_FULL + ["第二十条第（五）项", "信息内容", "本年处理决定数量", "338", "行政许可",
                       "第二十条第（六）项", "信息内容", "本年处理决定数量", "行政处罚", "29", "行政强制", "1",
                       "第二十条第（八）项", "信息内容", "本年收费金额（单位：万元）", "行政事业性收费", "2.2"]  # fmt: skip
    assert _t2(lines) == {"licensing": 338, "punishment": 29, "coercion": 1, "fees": Decimal("2.2")}


def test_a_value_carried_past_the_next_caption_is_not_read() -> None:
    # 行政处罚 3 and 行政强制 blank, 收费 blank: the 3 comes after the next block's caption.
    lines = T1_FULL + ["第二十条第（五）项", "信息内容", "本年处理决定数量", "行政许可", "163",
                       "第二十条第（六）项", "信息内容", "本年处理决定数量", "行政处罚", "行政强制",
                       "第二十条第（八）项", "3", "信息内容", "本年收费金额（单位：万元）", "行政事业性收费"]  # fmt: skip
    got = _t2(lines)
    assert got["fees"] is None and got["punishment"] is None and got["coercion"] is None


def test_a_value_under_the_header_after_a_short_block_is_not_read() -> None:
    # 行政许可 163 is carried under the header of （六）, whose 行政处罚 is blank and 行政强制 is 5: the
    # block then holds two numbers for two rows, but the block before it is short of its number.
    lines = T1_FULL + ["第二十条第（五）项", "信息内容", "本年处理决定数量", "行政许可",
                       "第二十条第（六）项", "信息内容", "本年处理决定数量", "163", "行政处罚", "行政强制", "5",
                       "第二十条第（八）项", "信息内容", "本年收费金额（单位：万元）", "行政事业性收费", "2.2"]  # fmt: skip
    got = _t2(lines)
    assert got["punishment"] is None and got["coercion"] is None and got["licensing"] is None
    assert got["fees"] == Decimal("2.2")


def _lines(texts: list[str]) -> list[TextLine]:
    return [TextLine(t, i + 1, 1) for i, t in enumerate(texts)]


def test_layout_label_after_pieces_of_spanning_labels() -> None:
    region = _lines([
        "                2.重复申请                                                      0",
        "         3.要求提供公开出版物                                                        0",
        "三、本 （五）不",
        "                                                                            0",
        "年度办 予处理  4.无正当理由大量反复申请",
        "理结果             5.要求行政机关确认或重新出具已                                            0",
        "                获取信息",
    ])  # fmt: skip
    rows = read_layout_region("t3", region)
    keys = [m.key if (m := L.match_t3_row(r.label)) else None for r in rows]
    assert keys == ["not_processed_duplicate", "not_processed_publication", "not_processed_excessive",
                    "not_processed_confirmation"]  # fmt: skip
    assert [c.raw for c in rows[-1].cells] == ["0"]


def test_spanning_label_pieces() -> None:
    assert all(L.is_spanning_label_piece(t) for t in ("三、本", "年度办", "理结果", "（五）不", "予处理", "法提供"))
    assert not any(L.is_spanning_label_piece(t) for t in ("5.要求行政机关", "获取信息", "其", "2.重复申请"))


# --------------------------------------------------------------------------------------------------
# 表三 in reading order, one value a line


def _t3_table() -> dict[str, int]:
    """A 表三 satisfying every identity, with distinct-looking numbers."""
    t3 = canonical.t3
    v: dict[str, int] = {}
    for c_i, c in enumerate(canonical.APPLICANT_COLUMN_KEYS):
        outcomes = {r: (r_i * 3 + c_i * 5) % 7 for r_i, r in enumerate(canonical.OUTCOME_ROW_KEYS)}
        v.update({t3(r, c): x for r, x in outcomes.items()})
        v[t3("total_processed", c)] = sum(outcomes.values())
        v[t3("carried_forward", c)] = c_i + 1
        v[t3("carried_over", c)] = 2
        v[t3("new_received", c)] = sum(outcomes.values()) + c_i + 1 - 2
    for r in canonical.TABLE3_ROW_KEYS:
        v[t3(r, "total")] = sum(v[t3(r, c)] for c in canonical.APPLICANT_COLUMN_KEYS)
    return v


def _raw_t3(values: dict[str, int], before_header: list[str] = ()) -> str:  # type: ignore[assignment]
    lines = HEAD + T1_FULL + ["三、收到和处理政府信息公开申请情况", *before_header, "申请人情况",
                              "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "法人或其他组织",
                              "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]  # fmt: skip
    for row in canonical.TABLE3_ROWS:
        lines.append(row.label)
        lines.extend(str(values[k]) for k in canonical.keys_of_row(row.key))
    return "\n".join(lines + TAIL[1:])


def test_reading_order_t3_with_one_number_of_the_text_before_it() -> None:
    values = _t3_table()
    report = parse_document(_raw_t3(values, before_header=["3"]).encode(), "raw.txt")
    assert {k: report.values[k] for k in values} == values
    assert any(w.code == "I_EXTRA_NUMBER" for w in report.warnings)


def test_reading_order_t3_with_one_number_too_many_that_no_drop_explains() -> None:
    values = _t3_table()
    broken = dict(values)
    broken[canonical.t3("granted", "total")] += 1  # R2 fails in that row whatever number is dropped
    report = parse_document(_raw_t3(broken, before_header=["3"]).encode(), "raw.txt")
    named = {k for w in report.warnings for k in w.keys}
    assert not any(w.code == "I_EXTRA_NUMBER" for w in report.warnings)
    for k in values:
        assert report.values[k] is None or report.values[k] == broken[k]
        if report.values[k] is None:
            assert k in named


# --------------------------------------------------------------------------------------------------
# One cell a line, blank cells as empty lines (LibreOffice "save as text")


def _cell_lines(values: dict[str, int], *, extra_after: str | None = None) -> str:
    """表三 and 表四 as LibreOffice writes a Word table as text; zero cells other than totals blank."""
    lines = HEAD + T1_FULL + ["三、收到和处理政府信息公开申请情况", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                              "申请人情况", "", "自然人", "法人或其他组织", "总计", "", "", "商业企业", "科研机构",
                              "社会公益组织", "法律服务机构", "其他", ""]  # fmt: skip
    group = None
    for row in canonical.TABLE3_ROWS:
        if row.group and row.group != group:
            lines.append(row.group)
        group = row.group
        lines.append(row.label)
        if row.key == extra_after:
            lines.append("")  # the label cell has a second, empty paragraph
        for key in canonical.keys_of_row(row.key):
            v = values[key]
            lines.append(str(v) if v or key.endswith(".total") else "")
        lines.extend(["", ""])
    lines += [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议",
        "行政诉讼",
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        "复议后起诉",
        "",
        "",
        *["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
    ]
    lines += ["2", "", "1", "", "3"] + [""] * 4 + ["0"] + ["1", "1", "", "", "2"]
    return "\n".join(lines + TAIL[2:])


def test_one_cell_a_line_with_empty_lines_for_blank_cells() -> None:
    values = _t3_table()
    report = parse_document(_cell_lines(values).encode(), "saved_as_text.txt")
    for key, v in values.items():
        got = report.values[key]
        assert got == (v if v or key.endswith(".total") else None), key
        assert (got is None) == report.provenance[key].blank
    t4 = [report.values[k] for k in canonical.TABLE4_KEYS]
    assert t4 == [2, None, 1, None, 3, None, None, None, None, 0, 1, 1, None, None, 2]
    assert sum(w.code == "I_READ_BY_LINES" for w in report.warnings) == 2


def test_one_cell_a_line_with_a_line_too_many_is_not_read() -> None:
    # carried_over's label cell has an empty second paragraph: its cells move one line on and its
    # total falls outside the row, so nothing of 表三 is read that way.
    values = _t3_table()
    report = parse_document(_cell_lines(values, extra_after="carried_over").encode(), "saved_as_text.txt")
    assert not any(w.code == "I_READ_BY_LINES" and "表三" in w.message for w in report.warnings)
    named = {k for w in report.warnings for k in w.keys}
    for key, v in values.items():
        got = report.values[key]
        if got is None and not report.provenance[key].blank:
            assert key in named
        else:
            assert got == (v if v or key.endswith(".total") else None) or report.provenance[key].inferred, key


def _zero_table_lines(first_row: list[str]) -> list[TextLine]:
    texts = []
    for row in canonical.TABLE3_ROWS:
        texts.append(row.label)
        texts.extend(first_row if row.key == "new_received" else [""] * 6 + ["0"])
        texts.append("")
    return _lines(texts)


def test_an_empty_total_after_a_printed_cell_is_not_read_by_lines() -> None:
    # ["0", "", …, ""] could be ["", "0", …] moved one line on by an empty paragraph before it.
    assert t3_by_slots(_zero_table_lines(["0"] + [""] * 6)) is None
    rows = t3_by_slots(_zero_table_lines(["0"] + [""] * 5 + ["0"]))
    assert rows is not None and [c.raw for c in rows[0].cells] == ["0", "", "", "", "", "", "0"]


T4_RAW_HEAD = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼", "结果", "结果", "其他", "尚未",
               "维持", "纠正", "结果", "审结"]  # fmt: skip
T4_BLOCK_HEAD = ["结果", "结果", "其他", "尚未", "维持", "纠正", "结果", "审结"]


def _t4_past_heading(after: list[str]) -> object:
    """表四 in pdftotext reading order, cut by the 五 heading: two blocks before it, the third after it."""
    lines = [*HEAD, *T1_FULL, "三、收到和处理政府信息公开申请情况", *T4_RAW_HEAD, "2", "1", "0", "0",
             "未经复议直接起诉", "合计", "3", *T4_BLOCK_HEAD, "1", "0", "1", "0",
             "五、存在的主要问题及改进情况", "复议后起诉", "合计", "2", *after,
             "（一）上年度问题改进情况。无。", "六、其他需要报告的事项", "无。"]  # fmt: skip
    return parse_document("\n".join(lines).encode(), "raw.txt")


def test_t4_in_reading_order_runs_on_past_the_next_heading() -> None:
    report = _t4_past_heading([*T4_BLOCK_HEAD, "1", "0", "0", "0", "合计", "1"])
    got = [report.values[k] for k in canonical.TABLE4_KEYS]
    assert got == [2, 1, 0, 0, 3, 1, 0, 1, 0, 2, 1, 0, 0, 0, 1]
    assert any(w.code == "I_TABLE_AFTER_HEADING" for w in report.warnings)


def test_t4_past_the_heading_is_taken_only_with_exactly_the_missing_numbers() -> None:
    # One number short after the heading: nothing is placed, every cell named as unread.
    report = _t4_past_heading([*T4_BLOCK_HEAD, "1", "0", "0", "合计", "1"])
    named = {k for w in report.warnings for k in w.keys}
    assert all(report.values[k] is None and k in named for k in canonical.TABLE4_KEYS)
