"""How fast ``parse_document`` is, by format, and how much memory a 50-page PDF takes.

    .venv/bin/python benchmarks/parse.py [--runs 9]

Run by hand; prints figures and the targets beside them, asserts nothing. Every document of the
samples and the corpus is parsed ``--runs`` times after a warm-up; a file's time is its median, a
format's figure the median (and the slowest) of its files. .doc/.wps go through LibreOffice and are
shown apart, as conversion time. Then a 50-page PDF, made of corpus pages repeated, is parsed in a
fresh process: wall time, peak RSS of that process, and the Python heap's peak (tracemalloc).
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from reports.parsing import detect_format, parse_document  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
TARGET_MS = {"txt": 20, "html": 20, "docx": 50, "pdf": 150}
GROUP = {
    "txt": "txt",
    "html": "html",
    "docx": "docx",
    "xlsx": "xlsx",
    "xls": "xlsx",
    "pdf": "pdf",
    "doc": "doc",
    "wps": "doc",
}

_CHILD = """
import resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
from reports.parsing import parse_document
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
report = parse_document({path!r})
elapsed = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
parse_document({path!r})
heap = tracemalloc.get_traced_memory()[1]
print(f"{{elapsed * 1000:.0f}} ms; peak RSS {{after / 1024:.0f}} MB (of which {{before / 1024:.0f}} MB before parsing); "
      f"Python heap peak {{heap / 2**20:.1f}} MB; {{len(report.warnings)}} warnings")
"""


def documents() -> list[Path]:
    docs = sorted((FIXTURES / "samples").glob("*.txt"))
    docs += sorted(p for p in (FIXTURES / "corpus").glob("*/*") if p.suffix not in (".json", ".md"))
    return docs


def median_ms(path: Path, runs: int) -> float:
    data = path.read_bytes()
    parse_document(data, path.name)  # warm up: imports, caches
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        parse_document(data, path.name)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def fifty_page_pdf() -> bytes:
    sources = [pdfium.PdfDocument(p) for p in sorted((FIXTURES / "corpus").glob("*/*.pdf"))]
    out = pdfium.PdfDocument.new()
    i = 0
    while len(out) < 50:
        src = sources[i % len(sources)]
        out.import_pages(src, pages=list(range(min(len(src), 50 - len(out)))))
        i += 1
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    by_format: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for path in documents():
        fmt = GROUP[detect_format(path.read_bytes(), path.name)]
        ms = median_ms(path, 1 if fmt == "doc" else runs)
        by_format[fmt].append((ms, path.name))
    print(f"{'format':8} {'files':>5} {'median':>10} {'slowest':>10}  {'target':>8}  slowest file")
    for fmt in ("txt", "html", "docx", "xlsx", "pdf", "doc"):
        if fmt not in by_format:
            continue
        times = sorted(by_format[fmt])
        med = statistics.median(t for t, _ in times)
        target = f"≤{TARGET_MS[fmt]} ms" if fmt in TARGET_MS else ("(soffice)" if fmt == "doc" else "")
        print(f"{fmt:8} {len(times):>5} {med:>7.1f} ms {times[-1][0]:>7.1f} ms  {target:>8}  {times[-1][1]}")
    six = FIXTURES / "corpus" / "real" / "003_huaian_shi_2024.pdf"
    print(f"6-page text PDF ({six.name}): {median_ms(six, runs):.1f} ms (target ≤150 ms)")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(fifty_page_pdf())
        tmp.flush()
        child = _CHILD.format(root=str(ROOT), path=tmp.name)
        result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=False)
        print("50-page PDF, parse_document in a fresh process:", (result.stdout or result.stderr).strip(),
              "(target: peak ≤200 MB)")  # fmt: skip


if __name__ == "__main__":
    main()
