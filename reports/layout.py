"""The official layout of the three tables (国办公开办函〔2021〕30号), as data.

Pure Python. Used by the admin grids and by the Excel export so both draw the tables exactly like the template:
header rows with their merged cells, and for 表三 the label cells (with row/column spans) of every row.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports import canonical


@dataclass(frozen=True)
class Span:
    text: str
    rowspan: int = 1
    colspan: int = 1


T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# 表三 header: three rows; the label area is three columns wide.
TABLE3_HEADER: tuple[tuple[Span, ...], ...] = (
    (Span(T3_NOTE, rowspan=3, colspan=3), Span("申请人情况", colspan=7)),
    (Span("自然人", rowspan=2), Span("法人或其他组织", colspan=5), Span("总计", rowspan=2)),
    (Span("商业企业"), Span("科研机构"), Span("社会公益组织"), Span("法律服务机构"), Span("其他")),
)
TABLE3_LABEL_COLUMNS = 3


def _table3_labels() -> dict[str, tuple[Span, ...]]:
    """For each 表三 row key, the label cells that START on that row (spans continue on the rows below)."""
    labels: dict[str, tuple[Span, ...]] = {}
    seen_groups: set[str] = set()
    result_rows = [
        r for r in canonical.TABLE3_ROWS if r.key in canonical.OUTCOME_ROW_KEYS or r.key == "total_processed"
    ]
    for row in canonical.TABLE3_ROWS:
        cells: list[Span] = []
        if row.key == result_rows[0].key:
            cells.append(Span("三、本年度办理结果", rowspan=len(result_rows)))
        if row.key in ("new_received", "carried_over", "carried_forward"):
            cells.append(Span(row.label, colspan=3))
        elif row.group is None:
            cells.append(Span(row.label, colspan=2))
        else:
            if row.group not in seen_groups:
                seen_groups.add(row.group)
                size = sum(1 for r in canonical.TABLE3_ROWS if r.group == row.group)
                cells.append(Span(row.group, rowspan=size))
            cells.append(Span(row.label))
        labels[row.key] = tuple(cells)
    return labels


TABLE3_LABELS: dict[str, tuple[Span, ...]] = _table3_labels()

# 表二: four blocks, each a caption row, a header row and its data rows; four columns wide.
TABLE2_BLOCKS: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    (
        "第二十条第（一）项",
        ("本年制发件数", "本年废止件数", "现行有效件数"),
        (
            (
                "规章",
                (
                    "active_disclosure.regulations.issued",
                    "active_disclosure.regulations.repealed",
                    "active_disclosure.regulations.in_force",
                ),
            ),
            (
                "行政规范性文件",
                (
                    "active_disclosure.normative_documents.issued",
                    "active_disclosure.normative_documents.repealed",
                    "active_disclosure.normative_documents.in_force",
                ),
            ),
        ),
    ),
    ("第二十条第（五）项", ("本年处理决定数量",), (("行政许可", ("active_disclosure.licensing.decisions",)),)),
    (
        "第二十条第（六）项",
        ("本年处理决定数量",),
        (
            ("行政处罚", ("active_disclosure.punishment.decisions",)),
            ("行政强制", ("active_disclosure.coercion.decisions",)),
        ),
    ),
    ("第二十条第（八）项", ("本年收费金额（单位：万元）",), (("行政事业性收费", (canonical.FEES_KEY,)),)),
)
TABLE2_WIDTH = 4  # 信息内容 + three value columns

# 表四: three header rows over fifteen cells.
TABLE4_HEADER: tuple[tuple[Span, ...], ...] = (
    (Span("行政复议", colspan=5), Span("行政诉讼", colspan=10)),
    (
        *(Span(label, rowspan=2) for _, label in canonical.TABLE4_COLUMNS),
        Span("未经复议直接起诉", colspan=5),
        Span("复议后起诉", colspan=5),
    ),
    tuple(Span(label) for _ in range(2) for _, label in canonical.TABLE4_COLUMNS),
)

TABLE_TITLES = {
    "table2": "二、主动公开政府信息情况",
    "table3": "三、收到和处理政府信息公开申请情况",
    "table4": "四、政府信息公开行政复议、行政诉讼情况",
}
