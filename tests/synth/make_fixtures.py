"""Writes the layout fixtures under tests/fixtures/layouts/ from the synthetic template (tests/synth/report.py).

    .venv/bin/python tests/synth/make_fixtures.py

Each fixture ``NAME.txt``/``NAME.html`` comes with ``NAME.json``: the figures as printed (blank = null) and
the planted defects. Fixed seeds, so the files are the same on every run; the tests read the files.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reports import canonical  # noqa: E402
from tests.synth.report import (  # noqa: E402
    T3_ROWS,
    expected,
    figures,
    html,
    layout_text,
    raw_text,
    runtogether_text,
    vertical_layout_text,
    without_sub_labels,
)

OUT = ROOT / "tests" / "fixtures" / "layouts"


def _write(name: str, text: str, s, blank_zero: bool, blank_t3: bool = False) -> None:
    ext = "html" if text.lstrip().startswith("<html") else "txt"
    (OUT / f"{name}.{ext}").write_text(text, encoding="utf-8")
    values = expected(s, blank_zero)
    if blank_t3:  # every zero of 表三 left blank, 总计 too
        values.update({k: None for k in canonical.TABLE3_KEYS if values[k] == 0})
    label = {"values": values, "x_defects": [{"rule": r, "keys": list(k)} for r, k in s.defects]}
    (OUT / f"{name}.json").write_text(json.dumps(label, ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    s = figures(random.Random(11), "grand")
    _write("colspan_total", html(s, colspan=True), s, False)
    s = figures(random.Random(12), "row_total")
    _write("lone_total_layout", layout_text(s), s, True)
    s = figures(random.Random(13), "grand")
    _write("page_break_layout", layout_text(s, page_break_at="unavailable_not_held", shift=4), s, True)
    s = figures(random.Random(14), "t4")
    _write("t4_defect_layout", layout_text(s), s, True)
    s = figures(random.Random(15), "grand")
    _write("raw_order_defect", raw_text(s), s, False)
    s = figures(random.Random(16), None)
    _write("raw_order_clean", raw_text(s), s, False)
    s = figures(random.Random(1), None)
    _write("run_together", runtogether_text(s), s, False)
    s = figures(random.Random(21), None)
    withheld = tuple(r for r in T3_ROWS if r.startswith("withheld_"))
    _write("sub_labels_missing", without_sub_labels(layout_text(s, blank_zero=False), withheld), s, False)
    _write("sub_row_dropped", without_sub_labels(layout_text(s, blank_zero=False), withheld, withheld[3]), s, False)
    # 表三 sub-rows without labels, zero cells blank: rows with nothing printed leave only their height.
    rest = tuple(r for r in T3_ROWS if r.startswith(("unavailable_", "not_processed_", "other_")))
    s = figures(random.Random(30), None)
    _write("height_placed", vertical_layout_text(s, withheld, pitch=1.2), s, False, True)
    tall = {"not_processed_confirmation": 3.7}
    _write(
        "height_ambiguous",
        vertical_layout_text(s, withheld + rest, pitch=1.63, headings=True, tall=tall),
        s,
        False,
        False,
    )
    s = figures(random.Random(76), "row_total")
    _write("height_defect", vertical_layout_text(s, withheld, pitch=1.2), s, False, True)

    # A blank labelled row beside a stretch of unlabelled value lines: the value line just above its label
    # (blank_label_below) or just below it (blank_label_above) may be any unlabelled row's, not its.
    def rows(*groups: str) -> tuple[str, ...]:
        return tuple(r for r in T3_ROWS if r.startswith(groups))

    s = figures(random.Random(40), None)
    unlabelled = rows("withheld_", "not_processed_", "other_")
    _write("blank_label_below", vertical_layout_text(s, unlabelled, pitch=1.63, headings=True), s, False, True)
    s = figures(random.Random(427), "t4")
    unlabelled = rows("withheld_", "unavailable_", "other_")
    tall = {"granted": 3.7, "withheld_enforcement_case": 3.7}
    _write("blank_label_above", vertical_layout_text(s, unlabelled, pitch=1.63, tall=tall), s, False, True)
    # A row of values that no height places, whose own total is not the sum of its cells (R2 whichever row).
    s = figures(random.Random(61), "row_total")
    text = vertical_layout_text(s, withheld + rest, pitch=1.63, headings=True)
    _write("unplaced_defect", text, s, False, True)
    # A table split by a page break whose second page shows neither headers nor a complete row, its values in
    # a few places only: the page's rows are read together under the one grid the identities leave
    # (page_grid_clean), or, when every grid breaks an identity, that is the report's error (page_grid_defect).
    s = figures(random.Random(104), None)
    _write("page_grid_clean", layout_text(s, page_break_at="unavailable_not_held", shift=3), s, True)
    s = figures(random.Random(103), "grand")
    _write("page_grid_defect", layout_text(s, page_break_at="unavailable_not_held", shift=3), s, True)


if __name__ == "__main__":
    main()
