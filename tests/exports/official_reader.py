"""Read an official-layout sheet back the way a person reads it: find the tables by their titles and labels, the
columns by their headers — independently of where the writer put them — and return the 200 cells."""

from openpyxl.worksheet.worksheet import Worksheet

from reports import canonical, layout


def cells_with(ws: Worksheet, text: str) -> list[tuple[int, int]]:
    return [(c.row, c.column) for row in ws.iter_rows() for c in row if c.value == text]


def one_cell(ws: Worksheet, text: str, *, below: int = 0) -> tuple[int, int]:
    found = [rc for rc in cells_with(ws, text) if rc[0] > below]
    assert found, f"{text!r} not found below row {below}"
    return found[0]


def merged_size(ws: Worksheet, row: int, col: int) -> tuple[int, int]:
    """(rows, columns) of the merged range starting at the cell, (1, 1) when not merged."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row == row and rng.min_col == col:
            return rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1
    return 1, 1


def read_values(ws: Worksheet) -> dict[str, object]:
    values: dict[str, object] = {}
    # 表二: each block is a caption, a header row (信息内容 + value headers) and its data rows.
    t2_top = one_cell(ws, layout.TABLE_TITLES["table2"])[0]
    for caption, headers, data_rows in layout.TABLE2_BLOCKS:
        cap_row = one_cell(ws, caption, below=t2_top)[0]
        header_row = cap_row + 1
        columns = {h: one_cell(ws, h, below=header_row - 1)[1] for h in headers}
        for offset, (label, keys) in enumerate(data_rows, start=1):
            assert ws.cell(header_row + offset, 1).value == label
            for key in keys:
                col_label = next(c.col_label for c in canonical.TABLE2_CELLS if c.key == key)
                values[key] = ws.cell(header_row + offset, columns[col_label]).value
    # 表三: columns from the two header rows under 申请人情况, rows from their verbatim labels.
    t3_top = one_cell(ws, layout.TABLE_TITLES["table3"])[0]
    h1 = one_cell(ws, "申请人情况", below=t3_top)[0]
    columns = {"natural_person": one_cell(ws, "自然人", below=h1)[1], "total": one_cell(ws, "总计", below=h1)[1]}
    for key, label in canonical.TABLE3_COLUMNS[1:-1]:
        columns[key] = one_cell(ws, label, below=h1 + 1)[1]
    t4_top = one_cell(ws, layout.TABLE_TITLES["table4"])[0]
    for row in canonical.TABLE3_ROWS:
        hits = [rc for rc in cells_with(ws, row.label) if t3_top < rc[0] < t4_top]
        assert len(hits) == 1, row.label
        r = hits[0][0]
        for col in canonical.TABLE3_COLUMN_KEYS:
            values[canonical.t3(row.key, col)] = ws.cell(r, columns[col]).value
    # 表四: 行政复议's five columns, then the two blocks under 行政诉讼; one data row under three header rows.
    review_row, review_col = one_cell(ws, "行政复议", below=t4_top)
    blocks = {"review": (review_row + 1, range(review_col, review_col + merged_size(ws, review_row, review_col)[1]))}
    for block, label in (("litigation_direct", "未经复议直接起诉"), ("litigation_after_review", "复议后起诉")):
        r, c = one_cell(ws, label, below=review_row)
        blocks[block] = (r + 1, range(c, c + merged_size(ws, r, c)[1]))
    data_row = review_row + 3
    for block, (header_row, cols) in blocks.items():
        assert [ws.cell(header_row, c).value for c in cols] == [label for _, label in canonical.TABLE4_COLUMNS]
        for col_key, col in zip(canonical.TABLE4_COLUMN_KEYS, cols, strict=True):
            values[canonical.t4(block, col_key)] = ws.cell(data_row, col).value
    return values
