"""The parser on random filled templates (tests/synth/report.py): cells wrong, printed values read, and
planted defects reported, per layout. Run by hand; prints figures, asserts nothing.

    .venv/bin/python benchmarks/synth.py [--reports 50]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports import canonical  # noqa: E402
from reports.parsing import parse_document  # noqa: E402
from reports.rules import ReportFacts, evaluate, guess_agency_kind  # noqa: E402
from tests.synth.report import (  # noqa: E402
    T3_ROWS,
    figures,
    html,
    layout_text,
    raw_text,
    runtogether_text,
    vertical_layout_text,
)

ARITHMETIC = {"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R14", "R19"}
GROUPS = ("withheld_", "unavailable_", "not_processed_", "other_")


def _unlabelled(s, rng: random.Random) -> tuple[str, str, str]:
    """表三 with the sub-rows of some groups printed without labels, zero cells blank (rows with nothing
    printed leave only their height), random row heights, group labels printed or not."""
    groups = tuple(g for g in GROUPS if rng.random() < 0.5) or GROUPS[:1]
    pitch = rng.choice([1.05, 1.2, 1.4, 1.63, 2.0, 2.4])
    tall = {r: rng.choice([2.3, 3.7]) for r in T3_ROWS if rng.random() < 0.05}
    rows = tuple(r for r in T3_ROWS if r.startswith(groups))
    return vertical_layout_text(s, rows, pitch=pitch, tall=tall, headings=rng.random() < 0.5), "txt", "t3"


# Each layout: the text, its kind, and which zero cells it leaves blank ("" none, "zero" of 表三/表四
# except totals, "t3" every zero of 表三).
LAYOUTS = {
    "layout": lambda s, rng: (layout_text(s), "txt", "zero"),
    "layout+page break": lambda s, rng: (layout_text(s, page_break_at="unavailable_not_held", shift=3), "txt", "zero"),
    "layout, no sub-labels": _unlabelled,
    "raw order": lambda s, rng: (raw_text(s), "txt", ""),
    "html": lambda s, rng: (html(s), "html", ""),
    "html colspan": lambda s, rng: (html(s, colspan=True), "html", ""),
    "cells run together": lambda s, rng: (runtogether_text(s), "txt", ""),
    "run together, blanks": lambda s, rng: (runtogether_text(s, blank_zero=True), "txt", "zero"),
}


def _shown(k: str, v: int, blank: str) -> bool:
    if v or not blank:
        return True
    if blank == "t3":
        return k not in canonical.TABLE3_KEYS
    return not (k in canonical.TABLE3_KEYS + canonical.TABLE4_KEYS and not k.endswith(".total"))


_SPLITS = re.compile(r"(\d+) 串数字中 (\d+) 串只有唯一拆分")


def main() -> None:
    n = argparse.ArgumentParser()
    n.add_argument("--reports", type=int, default=50)
    count = n.parse_args().reports
    print(f"{'layout':20} {'cells':>7} {'wrong':>6} {'read':>8} {'defects':>8} {'reported':>9} {'false':>6}")
    for name, render in LAYOUTS.items():
        rng = random.Random(name)
        cells = wrong = printed = read = planted = reported = false = runs = unique = 0
        for i in range(count):
            s = figures(rng, (None, "row_total", "grand", "t4")[i % 4])
            text, ext, blank = render(s, rng)
            p = parse_document(text.encode("utf-8"), f"synth.{ext}")
            for w in p.warnings:
                m = _SPLITS.search(w.message) if w.code == "I_RUN_TOGETHER" else None
                if m:
                    runs, unique = runs + int(m.group(1)), unique + int(m.group(2))
            for k in canonical.ALL_KEYS:
                v = s.values[k]
                shown = _shown(k, v, blank)
                cells += 1
                got = p.values[k]
                if got is not None and got != v:
                    wrong += 1
                if shown:
                    printed += 1
                    read += got == v
            errs = [i for i in evaluate(ReportFacts.from_parsed(p, agency_kind=guess_agency_kind(p.agency)))
                    if i.severity == "error" and i.rule in ARITHMETIC]  # fmt: skip
            false += not s.defects and bool(errs)
            for _, keys in s.defects:
                planted += 1
                reported += any(set(keys) & set(e.keys) for e in errs)
        splits = f"  runs of digits split: {unique} of {runs} unique" if runs else ""
        print(f"{name:20} {cells:>7} {wrong:>6} {read / printed:>8.2%} {planted:>8} {reported:>9} {false:>6}{splits}")


if __name__ == "__main__":
    main()
