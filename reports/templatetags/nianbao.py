"""Template helpers that lay the admin grids out like the official template (reports/layout.py)."""

from django import template

from reports import canonical, layout
from reports.models.tables import disclosure_field

register = template.Library()


@register.simple_tag
def table3_header():
    return layout.TABLE3_HEADER


@register.simple_tag
def table4_header():
    return layout.TABLE4_HEADER


@register.filter
def t3_row(value) -> str:
    """A 表三 row key, or the key of the row at this position (the add page's forms have no row yet)."""
    if isinstance(value, int):
        return canonical.TABLE3_ROW_KEYS[value] if value < len(canonical.TABLE3_ROW_KEYS) else ""
    return value


@register.filter
def t4_block(value) -> str:
    if isinstance(value, int):
        return canonical.TABLE4_BLOCK_KEYS[value] if value < len(canonical.TABLE4_BLOCK_KEYS) else ""
    return value


@register.filter
def t3_labels(row_key: str):
    """The label cells that start on this 表三 row."""
    return layout.TABLE3_LABELS.get(row_key, ())


@register.simple_tag
def table2_rows(form):
    """表二 as rows of cells: captions, headers and data rows holding the form's bound fields."""
    rows = []
    for caption, headers, data_rows in layout.TABLE2_BLOCKS:
        rows.append([{"kind": "caption", "text": caption, "colspan": layout.TABLE2_WIDTH}])
        span = 3 // len(headers)
        rows.append(
            [{"kind": "header", "text": "信息内容", "colspan": 1}]
            + [{"kind": "header", "text": h, "colspan": span} for h in headers]
        )
        for label, keys in data_rows:
            rows.append(
                [{"kind": "label", "text": label, "colspan": 1}]
                + [{"kind": "cell", "field": form[disclosure_field(k)], "key": k, "colspan": span} for k in keys]
            )
    return rows


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


_FLAT_COLUMNS = {"agency": "机关", "year": "年度", "status": "状态", "template_version": "模板版本"}


@register.filter
def column_label(name: str) -> str:
    """The Chinese column of the flat sheet for a field name (a canonical key or a report field)."""
    from reports.resources import FLAT_LABELS

    if name in FLAT_LABELS:
        return FLAT_LABELS[name]
    return _FLAT_COLUMNS.get(name, name)
