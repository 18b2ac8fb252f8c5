"""How fast and how lean the PDF reader is. Run by hand; prints figures, asserts nothing.

    .venv/bin/python benchmarks/pdf_reader.py [--runs 15]

For every corpus PDF: the median time of ``read_pdf`` and, when the engine exists, of the whole
``parse_document``. Then a 50-page PDF (corpus pages repeated) is read in a fresh process to report
its time and peak memory (max RSS, and the Python heap's peak from tracemalloc).

Last, the ratio the parser is held to: parsing every corpus PDF (``parse_document``) against pypdfium2's
raw text extraction of the same files, measured in this one process, the two interleaved file by file,
the best of ``--runs`` rounds each (the best run is the one least disturbed by a loaded machine).
Target: at most 5x.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from reports.parsing.pdf import read_pdf  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "corpus"

_CHILD = """
import resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
from reports.parsing.pdf import read_pdf
data = open({path!r}, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
doc = read_pdf(data)
elapsed = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
read_pdf(data)
heap = tracemalloc.get_traced_memory()[1]
print(f"{{doc.pages}} pages, {{len(doc.lines)}} lines, {{len(doc.tables)}} tables: {{elapsed * 1000:.0f}} ms; "
      f"max RSS {{after / 1024:.0f}} MB ({{before / 1024:.0f}} MB before reading, {{len(data) / 2**20:.1f}} MB file); "
      f"Python heap peak {{heap / 2**20:.1f}} MB")
"""


def _median_ms(fn, runs: int) -> str:
    """Median wall and CPU time: on a busy machine the CPU time is the steadier figure."""
    fn()  # warm up
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return f"{statistics.median(wall) * 1000:.1f}/{statistics.median(cpu) * 1000:.1f} ms"


def _engine():
    try:
        from reports.parsing import parse_document  # type: ignore[attr-defined]
    except ImportError:
        return None
    return parse_document


def _fifty_pages() -> bytes:
    sources = [pdfium.PdfDocument(p) for p in sorted(CORPUS.glob("*/*.pdf"))]
    out = pdfium.PdfDocument.new()
    i = 0
    while len(out) < 50:
        src = sources[i % len(sources)]
        out.import_pages(src, pages=list(range(min(len(src), 50 - len(out)))))
        i += 1
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _raw_text(data: bytes) -> int:
    """pypdfium2's plain text extraction of every page: the floor any PDF reading stands on."""
    pdf = pdfium.PdfDocument(data)
    try:
        n = 0
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            n += len(textpage.get_text_range())
            textpage.close()
            page.close()
        return n
    finally:
        pdf.close()


def ratio_to_raw_text(paths: list[Path], runs: int) -> tuple[float, float, float]:
    """(best parse seconds, best raw-text seconds, ratio) over all the files, interleaved round by round."""
    from reports.parsing import parse_document

    files = [(p.name, p.read_bytes()) for p in paths]
    best_parse = best_raw = float("inf")
    for _ in range(runs):
        parse = raw = 0.0
        for name, data in files:
            t = time.perf_counter()
            _raw_text(data)
            raw += time.perf_counter() - t
            t = time.perf_counter()
            parse_document(data, name)
            parse += time.perf_counter() - t
        best_parse, best_raw = min(best_parse, parse), min(best_raw, raw)
    return best_parse, best_raw, best_parse / best_raw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    engine = _engine()
    print(f"median of {runs} runs, wall/CPU time; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'file':40} {'pages':>5} {'read_pdf':>17} {'parse_document':>17}")
    for path in sorted(CORPUS.glob("*/*.pdf")):
        data = path.read_bytes()
        doc = read_pdf(data)
        reader = _median_ms(lambda data=data: read_pdf(data), runs)
        whole = "n/a"
        if engine is not None:
            try:
                whole = _median_ms(lambda data=data, path=path: engine(data, path.name), runs)
            except Exception as exc:  # the engine is someone else's work in progress: report, go on
                whole = f"error: {type(exc).__name__}"
        print(f"{path.parent.name + '/' + path.name:40} {doc.pages:>5} {reader:>17} {whole:>17}")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(_fifty_pages())
        tmp.flush()
        child = _CHILD.format(root=str(ROOT), path=tmp.name)
        result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=False)
        print("50-page PDF:", (result.stdout or result.stderr).strip())
    pdfs = sorted(CORPUS.glob("*/*.pdf"))
    parse, raw, ratio = ratio_to_raw_text(pdfs, runs)
    print(
        f"parse_document vs pypdfium2 raw text, {len(pdfs)} PDFs, best of {runs} interleaved rounds: "
        f"{parse * 1000:.0f} ms vs {raw * 1000:.0f} ms = {ratio:.2f}x (target <= 5x)"
    )


if __name__ == "__main__":
    main()
