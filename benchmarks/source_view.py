"""How fast the report page's 原文对照 answers: a PDF page rendered to PNG, the boxes of a reading stored without
them, and another document's tables as read.

    .venv/bin/python benchmarks/source_view.py [--runs 7]

Run by hand; prints medians, asserts nothing. Targets: a page under 300 ms, the panel's data under 500 ms (both are
cached by the browser or the process after the first time).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.parsing import detect_format, parse_document  # noqa: E402
from reports.source_view import add_pdf_boxes, cell_places, document_as_read, render_pdf_page  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PDF = FIXTURES / "corpus" / "real" / "003_huaian_shi_2024.pdf"
OTHERS = [FIXTURES / "corpus" / "generated" / n for n in ("r01_html.html", "r02_docx.docx", "r02_xlsx.xlsx")]


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    data = PDF.read_bytes()
    ms, png = timed(lambda: render_pdf_page(data, 3), runs)
    print(f"PDF page → PNG ({PDF.name}, page 3): {ms:.0f} ms, {len(png) / 1024:.0f} KB  (target ≤ 300 ms)")
    parsed = parse_document(data, PDF.name).to_json()["provenance"]
    for src in parsed.values():
        src.pop("box", None)
    ms, _ = timed(lambda: add_pdf_boxes(cell_places(parsed), data), runs)
    print(f"boxes for a reading stored without them: {ms:.0f} ms  (target ≤ 500 ms)")
    for path in OTHERS:
        raw = path.read_bytes()
        fmt = detect_format(raw, path.name)
        ms, _ = timed(lambda raw=raw, fmt=fmt, name=path.name: document_as_read(raw, fmt, name), runs)
        print(f"tables as read, {fmt:5}: {ms:.0f} ms  (target ≤ 500 ms)")


if __name__ == "__main__":
    main()
