"""How fast and how right the OCR reader is on scanned reports, and how much memory it takes.

    .venv/bin/python benchmarks/ocr.py [SCAN ...]        (default: ../shared/corpus/scans/*.pdf)

Run by hand; prints figures and the targets beside them, asserts nothing. Each document is parsed in
a fresh process (the model loaded as a server process would, once): wall and CPU seconds per page
(the whole parse, narrative pages included), and that process's peak RSS. Where a label NAME.json
lies beside a document, its cells are scored as ../shared/tools/score.py does: wrong (a value that
differs from the label) and printed values read. Extra scans can be made with benchmarks/tools/make_scans.py.
On a machine shared with other work the times are pessimistic: compare CPU seconds too.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports import canonical  # noqa: E402

TARGET_S_PER_PAGE = 5.0
TARGET_RSS_MB = 1024

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from reports.parsing import parse_document
from reports.parsing.ocr_model import Recognizer
Recognizer.shared()  # a server loads the model once; its start is not a page's time
t, c = time.perf_counter(), time.process_time()
report = parse_document({path!r})
wall, cpu = time.perf_counter() - t, time.process_time() - c
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
pages = max((p.page or 0 for p in report.provenance.values()), default=0)
print(json.dumps({{"wall": wall, "cpu": cpu, "rss": rss, "record": report.to_json(), "warnings": len(report.warnings)}}))
"""


def pages_of(path: Path) -> int:
    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            return len(pdf)
        finally:
            pdf.close()
    return 1


def score(label: dict, record: dict) -> tuple[int, int, int]:
    """(wrong, printed values read, printed values) as score.py counts them."""
    want = canonical.flatten(label)
    got = canonical.flatten(record)
    lenient = set(label.get("x_lenient", []))
    wrong = printed = read = 0
    for key, expected in want.items():
        value = got.get(key)
        same = value is not None and expected is not None and abs(float(value) - float(expected)) < 1e-6
        if value is not None and not same and not (key in lenient and expected is None and float(value) == 0):
            wrong += 1
        if expected is not None and key not in lenient:
            printed += 1
            read += same
    return wrong, read, printed


def main(argv: list[str]) -> None:
    docs = [Path(a) for a in argv] or sorted((ROOT.parent / "shared" / "corpus" / "scans").glob("*.pdf"))
    if not docs:
        print("no scans given and ../shared/corpus/scans not found")
        return
    per_page: list[float] = []
    cpu_per_page: list[float] = []
    peak = 0.0
    totals = [0, 0, 0]
    for doc in docs:
        code = _CHILD.format(root=str(ROOT), path=str(doc))
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{doc.name}: failed\n{run.stderr[-800:]}")
            continue
        out = json.loads(run.stdout.strip().splitlines()[-1])
        n = pages_of(doc)
        per_page.append(out["wall"] / n)
        cpu_per_page.append(out["cpu"] / n)
        peak = max(peak, out["rss"])
        line = f"{doc.name}: {n} pages, {out['wall']:.1f} s ({out['wall'] / n:.1f} s/page, CPU {out['cpu'] / n:.1f} s/page), peak RSS {out['rss']:.0f} MB"
        label = doc.with_suffix(".json")
        if label.exists():
            wrong, read, printed = score(json.loads(label.read_text(encoding="utf-8")), out["record"])
            totals = [totals[0] + wrong, totals[1] + read, totals[2] + printed]
            line += f"; wrong {wrong}, printed values read {read}/{printed}"
        print(line)
    if per_page:
        print(
            f"\nseconds per page, median over {len(per_page)} documents: {statistics.median(per_page):.1f} "
            f"(CPU {statistics.median(cpu_per_page):.1f}; slowest {max(per_page):.1f}); target ≤ {TARGET_S_PER_PAGE:.0f}"
        )
        print(f"peak RSS: {peak:.0f} MB; target ≤ {TARGET_RSS_MB} MB")
    if totals[2]:
        wrong, read, printed = totals
        print(f"cells: wrong {wrong}; printed values read {read}/{printed} = {100 * read / printed:.2f} %")


if __name__ == "__main__":
    main(sys.argv[1:])
