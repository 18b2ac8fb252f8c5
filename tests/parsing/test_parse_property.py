"""Random valid reports, rendered into the text layouts of the samples, parse back exactly.

A valid report satisfies every identity (each column of 表三: 一+二 = （七）+四 and （七） = the outcome
rows; each row: 总计 = the applicant columns; each block of 表四: 总计 = its parts). The renderer also
draws the label variants of FORMAT.md §4.1; in the indented layout zero cells may be left blank,
which must come back as blank (None), not as 0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import canonical
from reports.parsing import parse_document
from tests.parsing.helpers import RENDERERS

COUNTS = st.one_of(st.just(0), st.integers(0, 9), st.integers(0, 300), st.integers(0, 5_000_000))
SMALL = st.one_of(st.just(0), st.just(0), st.integers(0, 3), st.integers(0, 60))
AGENCIES = ("某某县某某镇人民政府", "某某市生态环境局", "某某区某某街道办事处", "某某县人力资源和社会保障局")
VARIANTS = ("halfwidth", "ji", "law_regs", "no_quotes", "heji", "weihu")


@st.composite
def valid_values(draw: st.DrawFn) -> dict[str, Any]:
    v: dict[str, Any] = {k: draw(COUNTS) for k in canonical.TABLE2_KEYS if k != canonical.FEES_KEY}
    v[canonical.FEES_KEY] = draw(st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False))
    t3 = canonical.t3
    for c in canonical.APPLICANT_COLUMN_KEYS:
        outcomes = {r: draw(SMALL) for r in canonical.OUTCOME_ROW_KEYS}
        processed = sum(outcomes.values())
        forward = draw(SMALL)
        over = draw(st.integers(0, processed + forward))
        v.update({t3(r, c): x for r, x in outcomes.items()})
        v[t3("total_processed", c)] = processed
        v[t3("carried_forward", c)] = forward
        v[t3("carried_over", c)] = over
        v[t3("new_received", c)] = processed + forward - over
    for r in canonical.TABLE3_ROW_KEYS:
        v[t3(r, "total")] = sum(v[t3(r, c)] for c in canonical.APPLICANT_COLUMN_KEYS)
    for b in canonical.TABLE4_BLOCK_KEYS:
        parts = [draw(SMALL) for _ in range(4)]
        v.update({canonical.t4(b, c): x for c, x in zip(canonical.TABLE4_COLUMN_KEYS, parts, strict=False)})
        v[canonical.t4(b, "total")] = sum(parts)
    return v


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=valid_values(),
    layout=st.sampled_from(sorted(RENDERERS)),
    agency=st.sampled_from(AGENCIES),
    year=st.integers(2021, 2026),
    variants=st.fixed_dictionaries({name: st.booleans() for name in VARIANTS}),
    blank_zeros=st.booleans(),
)
def test_rendered_reports_parse_back_exactly(
    values: dict[str, Any], layout: str, agency: str, year: int, variants: dict[str, bool], blank_zeros: bool
) -> None:
    expected = dict(values)
    if layout == "indented" and blank_zeros:
        expected = {k: (None if v == 0 and k != canonical.FEES_KEY else v) for k, v in values.items()}
    text = RENDERERS[layout](expected, agency, year, variants)
    report = parse_document(text.encode("utf-8"), f"{layout}.txt")
    assert report.agency == agency and report.year == year and report.template == "2021"
    got = {k: report.values[k] for k in canonical.ALL_KEYS}
    assert got == expected
    for key, value in expected.items():
        src = report.provenance[key]
        assert not src.inferred and not src.missing
        assert src.blank == (value is None)
    assert isinstance(report.values[canonical.FEES_KEY], int | Decimal)
