"""The grid engine on grids shaped like real conversions: a browser's print of a portal's HTML table
slices rows at page breaks (thin rows of merged-cell continuations, a row's values and its label in
two slices), and a 表四 data row may be printed with every cell empty."""

from __future__ import annotations

import pytest

from reports import canonical
from reports.parsing.document import Document, GridCell, Table, TextLine
from reports.parsing.engine import build_report
from reports.parsing.slices import tidy_rows
from reports.parsing.types import ParsedReport

Grid = list[tuple[GridCell, ...]]
TOP = "三、本年度办理结果"
GROUP_LABEL = {"withheld": "（三）不予公开", "unavailable": "（四）无法提供", "not_processed": "（五）不予处理",
               "other": "（六）其他处理"}  # fmt: skip


def _cell(text: str, merged: bool = False) -> GridCell:
    return GridCell(text, merged)


def _values(i: int) -> list[str]:
    """Row i's numbers: distinct per row, adding up along the row (R2)."""
    return [str(i), "1", "0", "0", "0", "0", str(i + 1)]


def t3_grid(*, sub_labels: bool = True) -> Grid:
    """表三 as an HTML table with rowspans reads: 3 label columns, 7 value columns."""
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    rows: Grid = [
        (_cell(note), _cell(note, True), _cell(note, True), _cell("申请人情况"), *[_cell("申请人情况", True)] * 6),
        (*[_cell(note, True)] * 3, _cell("自然人"), _cell("法人或其他组织"), *[_cell("法人或其他组织", True)] * 4,
         _cell("总计")),
        (*[_cell(note, True)] * 3, _cell("自然人", True), _cell("商业企业"), _cell("科研机构"), _cell("社会公益组织"),
         _cell("法律服务机构"), _cell("其他"), _cell("总计", True)),
    ]  # fmt: skip
    previous_group = None
    for i, r in enumerate(canonical.TABLE3_ROWS):
        values = [_cell(v) for v in _values(i)]
        if r.key in ("new_received", "carried_over", "carried_forward"):
            label = (_cell(r.label), _cell(r.label, True), _cell(r.label, True))
        elif r.group_key is None:
            top = _cell(TOP, merged=r.key != "granted")
            label = (top, _cell(r.label), _cell(r.label, True))
        else:
            group = GROUP_LABEL[r.group_key]
            label = (_cell(TOP, True), _cell(group, merged=r.group_key == previous_group),
                     _cell(r.label if sub_labels else ""))  # fmt: skip
        previous_group = r.group_key
        rows.append((*label, *values))
    return rows


def _report(*tables: Grid) -> ParsedReport:
    doc = Document(
        format="pdf",
        lines=(TextLine("三、收到和处理政府信息公开申请情况", 1),),
        tables=tuple(Table(tuple(rows), i, after_line=1) for i, rows in enumerate(tables)),
    )
    return build_report(doc, source="grid", fmt="pdf", sha256="")


def _row_at(grid: Grid, key: str) -> int:
    return 3 + canonical.TABLE3_ROW_KEYS.index(key)


def _t3_values_read(report: ParsedReport) -> None:
    for i, r in enumerate(canonical.TABLE3_ROWS):
        for col, want in zip(canonical.TABLE3_COLUMN_KEYS, _values(i), strict=True):
            assert report.values[canonical.t3(r.key, col)] == int(want), (r.key, col)


def test_the_plain_grid_reads() -> None:
    _t3_values_read(_report(t3_grid(sub_labels=False)))


def test_a_thin_row_of_continuations_at_a_page_break_is_dropped() -> None:
    # The page ends under 2.其他法律行政法规禁止公开: the label columns go on to the page foot, the
    # rest of that strip is one empty block.
    grid = t3_grid(sub_labels=False)
    at = _row_at(grid, "withheld_law_prohibited") + 1
    thin = (_cell(TOP, True), _cell(GROUP_LABEL["withheld"], True), _cell(""), *[_cell("", True)] * 7)
    page_one, page_two = grid[:at] + [thin], grid[at:]
    report = _report(page_one, page_two)
    _t3_values_read(report)
    assert not [w for w in report.warnings if w.code.startswith("W_") and set(w.keys) & set(canonical.TABLE3_KEYS)]


def test_a_row_sliced_in_two_is_joined() -> None:
    # The border of （六）其他处理 is drawn a little below the top of its first row: the row's numbers
    # start in the upper slice and go on (merged) into the lower one, which holds the group label.
    grid = t3_grid(sub_labels=False)
    at = _row_at(grid, "other_no_correction")
    row = grid[at]
    upper = (row[0], _cell(""), _cell(""), *row[3:])
    lower = (_cell(TOP, True), _cell(GROUP_LABEL["other"]), _cell("", True), *[_cell(c.text, True) for c in row[3:]])
    following = [(r[0], _cell(GROUP_LABEL["other"], True), r[2], *r[3:]) for r in grid[at + 1 : at + 3]]
    grid[at : at + 3] = [upper, lower, *following]
    report = _report(grid)
    _t3_values_read(report)


def test_a_label_slice_below_the_numbers_is_joined() -> None:
    # （七）总计 printed in the lower slice of its row, its numbers in the upper one.
    grid = t3_grid()
    at = _row_at(grid, "total_processed")
    row = grid[at]
    upper = (_cell(TOP, True), _cell(""), _cell(""), *row[3:])
    lower = (_cell(""), _cell("（七）总计"), _cell(""), *[_cell(c.text, True) for c in row[3:]])
    grid[at : at + 1] = [upper, lower]
    _t3_values_read(_report(grid))


def test_a_blank_row_is_not_a_slice() -> None:
    grid = t3_grid(sub_labels=False)
    blank = (_cell(TOP, True), _cell(GROUP_LABEL["withheld"], True), *[_cell("")] * 8)
    rows = tuple(grid[:6] + [blank])
    assert len(tidy_rows(rows)) == 7
    sliced = (_cell(TOP, True), _cell(GROUP_LABEL["withheld"], True), _cell(""), *[_cell("", True)] * 7)
    assert len(tidy_rows(tuple(grid[:6] + [sliced]))) == 6


def test_a_row_beside_a_spanning_group_label_is_no_subtotal() -> None:
    # One row too many under （三）不予公开 (all without labels): its first row is not a printed subtotal
    # of the group just because the group's spanning label stands beside it. Nothing there is read.
    grid = t3_grid(sub_labels=False)
    at = _row_at(grid, "withheld_state_secret")
    extra = (_cell(TOP, True), _cell(GROUP_LABEL["withheld"], True), _cell(""), *[_cell(v) for v in ["5"] * 6 + ["30"]])
    grid.insert(at + 3, extra)
    report = _report(grid)
    assert not report.printed_subtotals
    for r in canonical.GROUPS["withheld"][1]:
        assert report.values[canonical.t3(r, "total")] is None
    assert any(w.code == "W_ROWS_UNPLACED" for w in report.warnings)


def _t4_grid(data: tuple[GridCell, ...]) -> Grid:
    blocks = ("行政复议", "未经复议直接起诉", "复议后起诉")
    cols = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    return [
        (_cell("行政复议"), *[_cell("行政复议", True)] * 4, _cell("行政诉讼"), *[_cell("行政诉讼", True)] * 9),
        (*[_cell(c) for c in cols], _cell(blocks[1]), *[_cell(blocks[1], True)] * 4, _cell(blocks[2]),
         *[_cell(blocks[2], True)] * 4),
        (*[_cell(c, True) for c in cols], *[_cell(c) for c in cols], *[_cell(c) for c in cols]),
        data,
    ]  # fmt: skip


def _t4_report(grid: Grid) -> ParsedReport:
    doc = Document(
        format="pdf",
        lines=(TextLine("四、政府信息公开行政复议、行政诉讼情况", 1),),
        tables=(Table(tuple(grid), 0, after_line=1),),
    )
    return build_report(doc, source="grid", fmt="pdf", sha256="")


def test_an_empty_t4_data_row_is_read_as_blank() -> None:
    report = _t4_report(_t4_grid(tuple(_cell("") for _ in range(15))))
    for key in canonical.TABLE4_KEYS:
        assert report.values[key] is None
        assert report.provenance[key].blank and not report.provenance[key].missing
    assert not any(set(w.keys) & set(canonical.TABLE4_KEYS) for w in report.warnings)


def test_an_empty_merged_strip_under_t4_is_no_data_row() -> None:
    report = _t4_report(_t4_grid((_cell(""), *[_cell("", True)] * 14)))
    for key in canonical.TABLE4_KEYS:
        assert report.provenance[key].missing
    assert any(set(w.keys) >= set(canonical.TABLE4_KEYS) for w in report.warnings)


def test_a_number_in_a_cell_merged_across_value_columns_is_not_given_a_column() -> None:
    # The border between 其他 and 总计 is missing in one row: the total's number is in a cell that
    # spans both columns, and the grid cannot tell which one it is printed in.
    grid = t3_grid()
    at = _row_at(grid, "not_processed_confirmation")
    row = list(grid[at])
    total = row[9].text
    row[8], row[9] = _cell(total), _cell(total, True)
    grid[at] = tuple(row)
    report = _report(grid)
    for col in ("other", "total"):
        key = canonical.t3("not_processed_confirmation", col)
        assert report.values[key] is None or report.provenance[key].inferred
        assert any(key in w.keys and w.code == "W_MERGED_CELL" for w in report.warnings)


def test_a_label_wrapped_across_two_slices_is_joined() -> None:
    grid = t3_grid()
    at = _row_at(grid, "not_processed_confirmation")
    row = grid[at]
    upper = (*row[:2], _cell("5.要求行政机关确认或重新出具已获"), *row[3:])
    lower = (*[_cell(c.text, True) for c in row[:2]], _cell("取信息"), *[_cell(c.text, True) for c in row[3:]])
    grid[at : at + 1] = [upper, lower]
    report = _report(grid)
    _t3_values_read(report)
    assert report.provenance[canonical.t3("not_processed_confirmation", "total")].label.endswith("已获取信息")


def _split_at(grid: Grid, key: str, drop_top_label: bool) -> tuple[Grid, Grid]:
    """The table broken before row ``key``; the second part drawn without the 三、本年度办理结果 column."""
    at = _row_at(grid, key)
    second = [tuple(row[1:]) if drop_top_label and row[0].text == TOP else row for row in grid[at:]]
    return grid[:at], second


def test_a_continuation_table_of_another_width_is_read_by_its_numbers() -> None:
    grid = t3_grid(sub_labels=False)
    first, second = _split_at(grid, "withheld_process_info", drop_top_label=True)
    # The rows after 四、结转 keep the full width; all rows of the second part must be one width.
    second = [row if len(row) == 9 else (row[0], *row[2:]) for row in second]
    report = _report(first, second)
    _t3_values_read(report)


def test_a_continuation_table_whose_columns_cannot_be_told_is_not_read() -> None:
    # The second part has empty columns at the right and every total left blank: the seven value
    # columns could start right after the labels or one further. Nothing there is read.
    grid = t3_grid(sub_labels=False)
    first, second = _split_at(grid, "withheld_process_info", drop_top_label=True)
    second = [(row[0], _cell(""), *row[-7:-1], *[_cell("")] * 3) for row in second]
    report = _report(first, second)
    named = {k for w in report.warnings for k in w.keys}
    row = "withheld_process_info"
    for col in canonical.TABLE3_COLUMN_KEYS:
        key = canonical.t3(row, col)
        assert report.values[key] is None or report.provenance[key].inferred
        assert key in named


def _header_rows(grid: Grid) -> tuple[Grid, Grid]:
    return grid[:3], grid[3:]


def test_a_header_cut_by_a_page_break_is_put_together() -> None:
    # The second header row is cut: "商业" at the foot of one page, "企业" at the top of the next.
    grid = t3_grid()
    head, data = _header_rows(grid)
    upper = (
        *head[2][:4],
        _cell("商业"),
        _cell("科研"),
        _cell("社会公益"),
        _cell("法律服务"),
        _cell("其他"),
        head[2][9],
    )
    lower = (*[_cell("")] * 4, _cell("企业"), _cell("机构"), _cell("组织"), _cell("机构"), _cell(""), _cell(""))
    report = _report([*head[:2], upper], [lower, *data])
    _t3_values_read(report)


def test_a_header_sharing_a_slice_with_the_first_row_is_kept_apart() -> None:
    # The second header row is carried to the next page, where the first row's label cell reaches up
    # beside it; its 商业企业 cell and the first row's total share a slice.
    grid = t3_grid()
    head, data = _header_rows(grid)
    first = data[0]
    label = first[0].text
    names = ("科研机构", "社会公益组织", "法律服务机构", "其他")
    top = (_cell(label), _cell(label, True), _cell(label, True), _cell(""), _cell(""), *map(_cell, names), _cell(""))
    middle = (*[_cell(label, True)] * 3, _cell(""), _cell("商业企业"), *[_cell(n, True) for n in names], first[9])
    bottom = (*[_cell(label, True)] * 3, *first[3:9], _cell(first[9].text, True))
    remnant = (*head[2][:4], *[_cell("", True)] * 5, head[2][9])
    report = _report([*head[:2], remnant], [top, middle, bottom, *data[1:]])
    _t3_values_read(report)


def test_an_empty_slice_beside_a_row_label_is_part_of_that_row() -> None:
    # 一、本年新收… reaches up beside an empty strip (the rest of a header carried over a page break):
    # the strip is not a blank row of its own.
    grid = t3_grid()
    at = _row_at(grid, "new_received")
    row = grid[at]
    strip = (row[0], _cell(row[0].text, True), _cell(row[0].text, True), *[_cell("")] * 7)
    grid[at : at + 1] = [strip, (*[_cell(row[0].text, True)] * 3, *row[3:])]
    report = _report(grid)
    _t3_values_read(report)
    assert not report.provenance[canonical.t3("new_received", "total")].blank


def test_a_label_spilling_over_a_whole_row_is_no_row() -> None:
    # At a page foot the rest of （六）其他处理 ("处理") fills a strip as wide as the table.
    grid = t3_grid(sub_labels=False)
    at = _row_at(grid, "other_other") + 1
    spill = (_cell(TOP, True), _cell("处理"), *[_cell("处理", True)] * 8)
    grid.insert(at, spill)
    _t3_values_read(_report(grid))


def test_a_column_name_lost_in_the_header_is_where_the_template_puts_it() -> None:
    # No border between the 勾稽关系 note and 自然人: the name runs into the note's cell.
    grid = t3_grid()
    note = grid[0][0].text
    grid[1] = (*[_cell(note, True)] * 3, _cell(note, True), *grid[1][4:])
    grid[2] = (*[_cell(note, True)] * 3, _cell(note, True), *grid[2][4:])
    _t3_values_read(_report(grid))


def test_a_continuation_table_repeating_the_header_is_read() -> None:
    grid = t3_grid(sub_labels=False)
    first, second = _split_at(grid, "withheld_process_info", drop_top_label=True)
    second = [row if len(row) == 9 else (row[0], *row[2:]) for row in second]
    header = [(row[0], *row[2:]) for row in grid[:3]]  # the header again, one label column fewer
    _t3_values_read(_report(first, [*header, *second]))


def _t2_grid(headers: tuple[str, str, str]) -> Grid:
    return [
        (_cell("第二十条第（一）项"), *[_cell("第二十条第（一）项", True)] * 3),
        (_cell("信息内容"), *[_cell(h) for h in headers]),
        (_cell("规章"), _cell(""), _cell(""), _cell("")),
        (_cell("行政规范性文件"), _cell("1"), _cell(""), _cell("7")),
    ]


def test_a_t2_header_with_a_glyph_mapped_to_no_character_still_names_its_column() -> None:
    """A PDF whose font maps a glyph to no character (U+FFFD, as a browser prints without the font) reads
    "□年制发件数": the rest of the header names one column only, so the row is read by it."""
    report = _report(_t2_grid(("\ufffd年制发件数", "\ufffd年废止件数", "现行有效件数")))
    assert report.values["active_disclosure.normative_documents.issued"] == 1
    assert report.values["active_disclosure.normative_documents.repealed"] is None
    assert report.values["active_disclosure.normative_documents.in_force"] == 7


def test_a_t2_header_too_damaged_to_name_one_column_leaves_the_row_unread() -> None:
    """Three characters lost, or a header that two column names could spell: the row with a blank cell is not
    given columns by guess."""
    report = _report(_t2_grid(("\ufffd\ufffd\ufffd发件数", "\ufffd年废止件数", "现行有效件数")))
    assert report.values["active_disclosure.normative_documents.issued"] is None
    assert report.values["active_disclosure.normative_documents.in_force"] is None
    assert any(w.code == "W_SHORT_ROW" and "行政规范性文件" in w.message for w in report.warnings)


@pytest.mark.parametrize("label", ["5.要求行政机关确认或重新出具已获取信息", "（此行边框缺失）"])
def test_a_continuation_row_drawn_with_its_label_across_its_value_cells_is_refused_alone(label: str) -> None:
    """A browser's print left out the borders of one row's value cells on the page after the break: its label
    cell runs across five of them. The rest of the continuation is read by the header's columns; that row —
    known label or not — is not read by them (its numbers, if any, are hidden under the label) and is named."""
    grid = t3_grid()
    first, second = _split_at(grid, "unavailable_not_held", drop_top_label=False)
    at = canonical.TABLE3_ROW_KEYS.index("not_processed_confirmation") - canonical.TABLE3_ROW_KEYS.index(
        "unavailable_not_held"
    )
    row = second[at]
    second[at] = (*row[:2], _cell(label), *[_cell(label, True)] * 5, _cell(""), _cell(""))
    report = _report(first, second)
    named = {k for w in report.warnings for k in w.keys}
    for i, r in enumerate(canonical.TABLE3_ROWS):
        for col, want in zip(canonical.TABLE3_COLUMN_KEYS, _values(i), strict=True):
            key = canonical.t3(r.key, col)
            if r.key == "not_processed_confirmation":
                assert report.values[key] is None or report.provenance[key].inferred
                assert key in named
            else:
                assert report.values[key] == int(want), key
