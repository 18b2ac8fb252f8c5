"""The pieces: label normalisation and matching (FORMAT.md §4.1), headings, row placement by template
order, inference, and the 2019 template (no 2019 document is in the corpus, so it is built here)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports import canonical
from reports.parsing import labels as L
from reports.parsing import parse_document
from reports.parsing.assemble import Assembly, assemble_t3
from reports.parsing.headings import heading_number
from reports.parsing.infer import infer
from reports.parsing.normalize import norm, parse_value, split_ordinal
from reports.parsing.rows import Cell, Row, Where

# --------------------------------------------------------------------------------------------------
# §4.1 label variants


@pytest.mark.parametrize(
    ("seen", "key"),
    [
        ("(二) 部分公开 (区分处理的, 只记这一情形, 不记其他情形)", "partially_granted"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
        ("2.其他法律法规禁止公开", "withheld_law_prohibited"),
        ('3.危及"三安全一稳定"', "withheld_security_stability"),
        ("3.危及三安全一稳定", "withheld_security_stability"),
        ("1. 属于国家秘密", "withheld_state_secret"),
        ("(三) 不予公开 1. 属于国家秘密", "withheld_state_secret"),
        ("三、本 （一）予以公开", "granted"),
        ("本年度办理结果\t(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)", "partially_granted"),
        ("5.要求行政机关确认或重新出具已 获取信息", "not_processed_confirmation"),
        ("5.要求行政机关确认或重新出具已", "not_processed_confirmation"),
        ("2.申请人逾期未按收费通知要求缴 纳费用、行政机关不再处理其政府信 息公开申请", "other_unpaid_fee"),
        ("2.其他法律行政止公开", "withheld_law_prohibited"),
        ("（七）总计", "total_processed"),
        ("(七) 总计", "total_processed"),
        ("3.其他", "other_other"),
        ("四、结转下年度继续办理", "carried_forward"),
        ("一、本年新收政府信息公开申请数量", "new_received"),
    ],
)
def test_row_labels_and_their_variants(seen: str, key: str) -> None:
    match = L.match_t3_row(seen)
    assert match is not None and match.key == key


@pytest.mark.parametrize(
    "fragment",
    [
        "（三）不",
        "予公开",
        "年度办",
        "理结果",
        "三、本年度办理结果",
        "行政机关不再处理其政府信息公开",
        "申请",
        "信息公开申请",
        "",
    ],
)
def test_fragments_name_no_row(fragment: str) -> None:
    assert L.match_t3_row(fragment) is None


@pytest.mark.parametrize(
    ("seen", "group"),
    [
        ("（三）不予公开", "withheld"),
        ("（五 ）不\n予以处理", "not_processed"),
        ("(六)其他处理", "other"),
        ("(四)无法提供", "unavailable"),
    ],
)
def test_group_headers(seen: str, group: str) -> None:
    assert L.is_group_header(seen) == group


def test_an_ordinal_must_agree() -> None:
    assert L.match_t3_row("2.属于国家秘密") is None
    assert L.match_t3_row("6.其他") is None


def test_normalisation_recipe() -> None:
    assert norm("（五 ）不予以处理") == "(五)不予处理"
    assert norm("结果 维护") == "结果维持"
    assert norm("合计") == "总计"
    assert norm("规 章") == "规章"
    assert norm("\u3000第二十条第（一）项\u00a0") == "第二十条第(一)项"
    ordinal, rest = split_ordinal(norm("1、 总体情况"))
    assert ordinal is not None and ordinal.number == 1 and rest == "总体情况"


@pytest.mark.parametrize(
    ("text", "number"),
    [("一、总体情况", 1), ("1、 总体情况", 1), ("2.主动公开政府信息情况", 2), ("三、收到和处理政府信息公开申请情况", 3),
     ("4、政府信息公开行政复议、行政诉讼情况", 4), ("五、存在的主要问题及改进措施", 5), ("五、存在问题及改进情况", 5),
     ("政府信息公开工作存在的主要问题及改进情况", 5), ("六、其他需要报告的事项", 6), ("总体情况", 1)],
)  # fmt: skip
def test_headings(text: str, number: int) -> None:
    assert heading_number(text) == number


@pytest.mark.parametrize(
    "text", ["（一）主动公开", "三、本年度办理结果", "四、结转下年度继续办理", "全文包括总体情况、主动公开政府信息情况"]
)
def test_not_headings(text: str) -> None:
    assert heading_number(text) is None


@pytest.mark.parametrize(
    ("raw", "status", "value"),
    [("0", "number", 0), ("12", "number", 12), ("3,985,758", "number", 3985758), ("—", "blank", None),
     ("-", "blank", None), ("/", "blank", None), ("无", "blank", None), ("", "blank", None), ("若干", "text", None),
     ("-1", "text", None), ("2.5", "text", None), ("５", "number", 5)],
)  # fmt: skip
def test_count_tokens(raw: str, status: str, value: object) -> None:
    token = parse_value(raw)
    assert (token.status, token.value) == (status, value)


def test_fee_tokens_keep_decimals() -> None:
    assert parse_value("7730.28", decimal=True).value == Decimal("7730.28")
    assert parse_value("0.35", decimal=True).value == Decimal("0.35")


# --------------------------------------------------------------------------------------------------
# Placing rows on the template


def _row(label: str, values: list[str] | None, *, grid: bool = False, group: str | None = None) -> Row:
    where = Where(line=1)
    if values is None:
        return Row("t3", (label,) if label else (), (), where, group=group)
    if grid:
        cells = tuple(Cell(v, where, col=i) for i, v in enumerate(values))
        return Row("t3", (label,) if label else (), cells, where, positioned=True, explicit_blanks=True, group=group)
    cells = tuple(Cell(v, where) for v in values)
    return Row("t3", (label,) if label else (), cells, where, group=group)


def _full_rows(skip: set[str] = frozenset(), unlabelled: set[str] = frozenset()) -> list[Row]:  # type: ignore[assignment]
    rows = []
    for i, r in enumerate(canonical.TABLE3_ROWS):
        if r.key in skip:
            continue
        label = "" if r.key in unlabelled else r.label
        rows.append(_row(label, [str(i)] * 6 + [str(6 * i)]))
    return rows


def test_rows_without_labels_are_placed_by_order_only_when_the_count_fits() -> None:
    withheld = {r.key for r in canonical.TABLE3_ROWS if r.group_key == "withheld"}
    asm = Assembly()
    assemble_t3(_full_rows(unlabelled=withheld), asm, "2021", True)
    for i, r in enumerate(canonical.TABLE3_ROWS):
        assert asm.values[canonical.t3(r.key, "total")] == 6 * i
    assert any(w.code == "I_ROWS_BY_ORDER" for w in asm.warnings)

    rows = [r for r in _full_rows(unlabelled=withheld) if not (r.labels == () and r.cells[0].raw == "7")]
    asm = Assembly()
    assemble_t3(rows, asm, "2021", True)  # one unlabelled row fewer: none of them can be placed
    for key in withheld:
        assert asm.values[canonical.t3(key, "total")] is None
    assert any(w.code == "W_ROWS_UNPLACED" for w in asm.warnings)


def test_group_header_carrying_the_first_subrow() -> None:
    # Sample 001: "(三)不予公开" with the numbers of 1.属于国家秘密 on its line, then sub-rows 2-8 unlabelled.
    withheld = [r.key for r in canonical.TABLE3_ROWS if r.group_key == "withheld"]
    rows = []
    for i, r in enumerate(canonical.TABLE3_ROWS):
        label = "（三）不予公开" if r.key == withheld[0] else ("" if r.key in withheld else r.label)
        rows.append(_row(label, [str(i)] * 6 + [str(6 * i)]))
    asm = Assembly()
    assemble_t3(rows, asm, "2021", True)
    assert asm.values[canonical.t3(withheld[0], "total")] == 6 * 4
    assert asm.values[canonical.t3(withheld[-1], "total")] == 6 * 11
    assert not asm.subtotals


def test_printed_group_subtotal_is_kept_apart() -> None:
    rows = []
    for i, r in enumerate(canonical.TABLE3_ROWS):
        if r.key == "unavailable_not_held":
            rows.append(_row("（四）无法提供", ["9"] * 6 + ["54"]))
        rows.append(_row(r.label, [str(i)] * 6 + [str(6 * i)]))
    asm = Assembly()
    assemble_t3(rows, asm, "2021", True)
    assert asm.subtotals["applications.unavailable_subtotal.total"] == 54
    assert asm.values[canonical.t3("unavailable_not_held", "total")] == 6 * 12


def test_single_other_row_of_a_2021_report_is_other_other() -> None:
    other = {"other_no_correction", "other_unpaid_fee", "other_other"}
    rows = []
    for i, r in enumerate(canonical.TABLE3_ROWS):
        if r.key == "other_no_correction":
            rows.append(_row("（六）其他处理", ["0"] * 7))
        elif r.key not in other:
            rows.append(_row(r.label, [str(i)] * 6 + [str(6 * i)]))
    asm = Assembly()
    assemble_t3(rows, asm, "2021", True)
    assert asm.values[canonical.t3("other_other", "total")] == 0
    assert asm.values[canonical.t3("other_no_correction", "total")] is None
    assert any(w.code == "W_SINGLE_OTHER_ROW" for w in asm.warnings)


def test_a_short_row_is_never_shifted() -> None:
    rows = _full_rows()
    rows[2] = _row(canonical.TABLE3_ROWS[2].label, ["4", "4", "4", "4", "24"])
    asm = Assembly()
    assemble_t3(rows, asm, "2021", True)
    keys = canonical.keys_of_row("granted")
    assert all(asm.values[k] is None for k in keys)
    assert any(w.code == "W_SHORT_ROW" and set(w.keys) == set(keys) for w in asm.warnings)


def test_labels_out_of_template_order_are_not_trusted() -> None:
    rows = _full_rows()
    rows.insert(20, _row("（一）予以公开", ["9"] * 6 + ["54"]))
    asm = Assembly()
    assemble_t3(rows, asm, "2021", True)
    assert asm.values[canonical.t3("granted", "total")] == 12
    assert any(w.code == "W_EXTRA_ROW" for w in asm.warnings)


# --------------------------------------------------------------------------------------------------
# Inference


def _read_all(asm: Assembly, grid: dict[str, list[int | None]]) -> None:
    for r, vals in grid.items():
        for key, v in zip(canonical.keys_of_row(r), vals, strict=True):
            asm.read(key, Cell("" if v is None else str(v), Where(line=1)), r)


def test_zero_intake_proves_every_outcome_zero() -> None:
    """The outcome rows are on the page and show no number: each cell shows 0 or nothing, as 一 and 二 prove."""
    asm = Assembly()
    _read_all(asm, {"new_received": [0] * 7, "carried_over": [0] * 7})
    for n, r in enumerate(canonical.TABLE3_ROW_KEYS[2:]):
        for k in canonical.keys_of_row(r):
            asm.missing(k, r, Where(line=10 + n))
    for k in canonical.TABLE4_KEYS:
        asm.read(k, Cell("0", Where()), None)
    infer(asm)
    assert all(asm.values[k] == 0 for k in canonical.TABLE3_KEYS)
    assert asm.provenance[canonical.t3("granted", "natural_person")].inferred
    assert not asm.provenance[canonical.t3("new_received", "natural_person")].inferred


def test_zero_intake_proves_nothing_the_page_does_not_show() -> None:
    """Only 一 and 二 were found: the zeros would rest on R1/R3 and non-negativity alone, so a （七） printed
    3 against a zero intake (a broken R1) would be hidden. The cells stay unread, with the reason."""
    asm = Assembly()
    _read_all(asm, {"new_received": [0] * 7, "carried_over": [0] * 7})
    for k in canonical.TABLE4_KEYS:
        asm.read(k, Cell("0", Where()), None)
    infer(asm)
    assert asm.values[canonical.t3("granted", "natural_person")] is None
    assert asm.values[canonical.t3("total_processed", "total")] is None
    assert any(w.code == "W_INFERENCE_UNCHECKED" for w in asm.warnings)


def test_inference_never_guesses() -> None:
    asm = Assembly()
    _read_all(asm, {"new_received": [3, 0, 0, 0, 0, 0, 3], "carried_over": [0] * 7})
    for k in canonical.TABLE4_KEYS:
        asm.read(k, Cell("0", Where()), None)
    infer(asm)
    # 3 applications could have ended in any outcome: nothing is proved for 自然人 outcomes
    assert asm.values[canonical.t3("granted", "natural_person")] is None
    # nor 0 for 商业企业, found nowhere on the page: non-negativity alone is no cross-check (issue 11)
    assert asm.values[canonical.t3("granted", "commercial")] is None


def test_a_contradiction_stops_inference() -> None:
    asm = Assembly()
    _read_all(asm, {"new_received": [1, 0, 0, 0, 0, 0, 1], "carried_over": [0] * 7, "total_processed": [5] * 6 + [30]})
    for k in canonical.TABLE4_KEYS:
        asm.read(k, Cell("0", Where()), None)
    infer(asm)
    assert asm.values[canonical.t3("granted", "commercial")] is None
    assert any(w.code == "W_INFERENCE_CONFLICT" for w in asm.warnings)


def test_a_proof_must_agree_with_the_numbers_a_short_row_printed() -> None:
    asm = Assembly()
    _read_all(asm, {"new_received": [0] * 7, "carried_over": [0] * 7})
    for n, r in enumerate(canonical.TABLE3_ROW_KEYS[2:]):
        for k in canonical.keys_of_row(r):
            asm.missing(k, r, Where(line=10 + n))
    asm.loose_tokens["granted"] = [parse_value("5")]
    infer(asm)
    assert asm.values[canonical.t3("granted", "natural_person")] is None
    assert asm.values[canonical.t3("partially_granted", "natural_person")] == 0


# --------------------------------------------------------------------------------------------------
# The 2019 template


REPORT_2019 = """某某县某某局2020年政府信息公开工作年度报告
本报告统计期限自2020年1月1日起至2020年12月31日止。
一、总体情况
2020年，我局认真贯彻落实条例。
二、主动公开政府信息情况
第二十条第（一）项\t\t\t
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t2\t2\t15
第二十条第（五）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t12\t-1\t340
其他对外管理服务事项\t3\t0\t20
第二十条第（六）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t20\t2\t150
行政强制\t5\t0\t8
第二十条第（八）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t
行政事业性收费\t4\t0\t
第二十条第（九）项\t\t\t
信息内容\t采购项目数量\t采购总金额\t
政府集中采购\t6\t251000元\t
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况
\t自然人\t法人或其他组织\t\t\t\t\t总计
\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他
"""


def _report_2019_text() -> str:
    rows = []
    for r in canonical.TABLE3_ROWS:
        if r.key in ("other_no_correction", "other_unpaid_fee"):
            continue
        label = "（六）其他处理" if r.key == "other_other" else r.label
        values = [1, 0, 0, 0, 0, 0, 1] if r.key in ("new_received", "granted", "total_processed") else [0] * 7
        rows.append(label + "\t" + "\t".join(map(str, values)))
    tail = [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议\t\t\t\t\t行政诉讼",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉",
        "\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
        "\t".join(["1", "0", "0", "0", "1"] + ["0"] * 10),
        "五、存在的主要问题及改进情况",
        "无。",
        "六、其他需要报告的事项",
        "无。",
    ]
    return REPORT_2019 + "\n".join(rows + tail) + "\n"


def test_2019_report() -> None:
    report = parse_document(_report_2019_text().encode("utf-8"), "2019.txt")
    v = report.values
    assert report.template == "2019" and report.year == 2020 and report.agency == "某某县某某局"
    assert v["active_disclosure.licensing.decisions"] == 340
    assert v["active_disclosure.coercion.decisions"] == 8
    assert v["active_disclosure.normative_documents.issued"] is None  # different columns in 2019
    assert v[canonical.t3("other_other", "total")] == 0
    assert all(v[k] is None for k in canonical.NOT_IN_2019)
    assert v[canonical.t3("granted", "total")] == 1
    legacy = report.legacy_2019 or {}
    assert legacy["normative_documents"] == {"new_made": 2, "new_published": 2, "total_published": 15}
    assert legacy["licensing"]["change"] == -1
    assert legacy["other_services"]["decisions"] == 20
    assert legacy["procurement"] == {"projects": 6, "amount": "251000元"}
    warned = {k for w in report.warnings for k in w.keys}
    assert set(canonical.NOT_IN_2019) <= warned
    assert "active_disclosure.fees.amount" in warned
    assert any(w.code == "W_TEMPLATE_2019" and not w.keys for w in report.warnings)


def test_2019_report_as_html_grid() -> None:
    lines = _report_2019_text().split("\n")
    html = ["<html><body>"]
    table: list[str] = []
    for line in lines:
        if "\t" in line:
            table.append("<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>")
        else:
            if table:
                html.append("<table>" + "".join(table) + "</table>")
                table = []
            html.append(f"<p>{line}</p>")
    report = parse_document("\n".join(html).encode("utf-8"), "2019.html")
    assert report.template == "2019"
    assert report.values["active_disclosure.punishment.decisions"] == 150
    assert (report.legacy_2019 or {})["regulations"] == {"new_made": 0, "new_published": 0, "total_published": 0}
    assert report.values[canonical.t3("total_processed", "total")] == 1
