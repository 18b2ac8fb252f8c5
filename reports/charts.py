"""Small server-side SVG charts for the overview page: no JavaScript, no CDN (the machines may be offline).

Pure Python. Every text is escaped here; the caller may mark the returned markup safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

Number = int | float | Decimal

PALETTE = ("#2f6f9f", "#c8a040", "#7a9a3a", "#b5533c", "#6b5b95", "#888888")
FONT = 'font-family="sans-serif" font-size="12"'


def _fmt(value: Number | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = value.normalize()
    return f"{value:,}" if isinstance(value, int) else str(value)


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None], str]],
    *,
    title: str,
    width: int = 600,
    label_width: int = 110,
    bar: int = 13,
) -> str:
    """Horizontal bars: for each category one bar per series (e.g. this year and last year), values at the end."""
    top, gap = 26, 8
    group = bar * len(series) + gap
    height = top + group * len(categories) + 22
    peak = max([float(v) for _, values, _ in series for v in values if v is not None] + [0.0])
    scale = (width - label_width - 60) / peak if peak else 0.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nb-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" {FONT} font-weight="bold">{escape(title)}</text>',
    ]
    for i, category in enumerate(categories):
        y0 = top + i * group
        out.append(
            f'<text x="{label_width - 6}" y="{y0 + group / 2 - 2:.0f}" {FONT} text-anchor="end">{escape(category)}</text>'
        )
        for j, (name, values, color) in enumerate(series):
            value = values[i]
            y = y0 + j * bar
            length = float(value) * scale if value is not None else 0.0
            out.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar - 2}" fill="{color}">'
                f"<title>{escape(category)} {escape(name)}：{_fmt(value)}</title></rect>"
            )
            out.append(
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 3}" {FONT} fill="#333">{_fmt(value)}</text>'
            )
    legend_y = height - 6
    x = label_width
    for name, _, color in series:
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{x + 14}" y="{legend_y}" {FONT}>{escape(name)}</text>')
        x += 14 + 14 * len(name) + 16
    out.append("</svg>")
    return "".join(out)


def stacked_bar(parts: Sequence[tuple[str, int, str]], *, title: str, width: int = 600) -> str:
    """One bar split into parts (e.g. agencies by status), with a legend giving each part's count."""
    total = sum(v for _, v, _ in parts)
    bar_y, bar_h = 22, 26
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nb-chart" role="img" viewBox="0 0 {width} 84" '
        f'width="{width}" height="84" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" {FONT} font-weight="bold">{escape(title)}</text>',
    ]
    x = 0.0
    for label, value, color in parts:
        if not value:
            continue
        w = value / total * width
        out.append(
            f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" fill="{color}">'
            f"<title>{escape(label)}：{value}</title></rect>"
        )
        if w > 24:
            out.append(
                f'<text x="{x + w / 2:.1f}" y="{bar_y + 17}" {FONT} fill="#fff" text-anchor="middle">{value}</text>'
            )
        x += w
    if not total:
        out.append(f'<rect x="0" y="{bar_y}" width="{width}" height="{bar_h}" fill="#eee"/>')
    lx = 0
    for label, value, color in parts:
        out.append(f'<rect x="{lx}" y="62" width="10" height="10" fill="{color}"/>')
        text = f"{label} {value}"
        out.append(f'<text x="{lx + 14}" y="72" {FONT}>{escape(text)}</text>')
        lx += 14 + 13 * len(label) + 8 * len(str(value)) + 18
    out.append("</svg>")
    return "".join(out)
