"""Benchmark: `import_reports` of 1,000 documents (text, docx and PDF) on PostgreSQL, using both cores.
Targets: ≤ 3 minutes, peak memory ≤ 500 MB (the command and its parser processes together).

Run by hand: `.venv/bin/python benchmarks/import_reports.py [N]`. Builds the pile in /tmp from the corpus:
text and Word reports are given distinct agency names (so each becomes its own report); PDFs are copied with a
distinct trailing comment (so each is a new file: a new source version of an existing report).
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from _db import BENCH_URL, ROOT, setup_django, tree_rss_mb

PILE = Path("/tmp/nianbao-bench-pile")


def build_pile(n: int) -> dict[str, int]:
    from reports.parsing import parse_document

    shutil.rmtree(PILE, ignore_errors=True)
    PILE.mkdir(parents=True)
    fixtures = ROOT / "tests/fixtures"
    texts = sorted(fixtures.glob("samples/*.txt")) + sorted(fixtures.glob("corpus/generated/*_txt_layout.txt"))
    words = sorted(fixtures.glob("corpus/generated/*.docx"))
    pdfs = sorted(fixtures.glob("corpus/*/*.pdf"))
    counts = {"txt": int(n * 0.4), "docx": int(n * 0.4)}
    counts["pdf"] = n - counts["txt"] - counts["docx"]
    names = {p: parse_document(p).agency for p in texts + words}
    for i in range(counts["txt"]):
        src = texts[i % len(texts)]
        text = src.read_text(encoding="utf-8").replace(names[src], f"基准县第{i}镇人民政府")
        (PILE / f"t{i:04d}.txt").write_text(text, encoding="utf-8")
    for i in range(counts["docx"]):
        src = words[i % len(words)]
        out = io.BytesIO()
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item)
                if item.filename == "word/document.xml":
                    data = data.replace(names[src].encode(), f"基准县第{i}局".encode())
                zout.writestr(item, data)
        (PILE / f"w{i:04d}.docx").write_bytes(out.getvalue())
    for i in range(counts["pdf"]):
        src = pdfs[i % len(pdfs)]
        (PILE / f"p{i:04d}.pdf").write_bytes(src.read_bytes() + f"%bench {i}\n".encode())
    return counts


def main(n: int) -> None:
    setup_django()
    counts = build_pile(n)
    print(f"pile: {n} documents ({counts['txt']} text, {counts['docx']} docx, {counts['pdf']} PDF) in {PILE}")
    env = {**os.environ, "DATABASE_URL": BENCH_URL, "MEDIA_ROOT": "/tmp/nianbao-bench-media", "DEBUG": "off"}
    shutil.rmtree("/tmp/nianbao-bench-media", ignore_errors=True)
    cmd = [
        sys.executable,
        str(ROOT / "manage.py"),
        "import_reports",
        str(PILE),
        "--yes",
        "--create-agencies",
        "--jobs",
        "2",
    ]
    started = time.perf_counter()
    log = PILE.parent / "nianbao-bench-import.log"
    with open(log, "w") as out:  # a file, not a pipe: a full pipe would block the command
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.2)
    elapsed = time.perf_counter() - started
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = log.read_text()
    print(output.strip().splitlines()[-1])
    failed = [line for line in output.splitlines() if line.startswith("✖")]
    if failed:
        print(f"{len(failed)} failed, e.g. {failed[0]}")
    print(f"import_reports: {n} documents in {elapsed:.1f} s ({n / elapsed:.1f} per second; target ≤ 180 s)")
    print(f"peak memory of the command and its workers: {peak:.0f} MB (target ≤ 500 MB)")
    busy = cpu.ru_utime + cpu.ru_stime
    print(
        f"CPU time of the command and its parser processes: {busy:.0f} s (load average now {os.getloadavg()[0]:.1f}; "
        "wall time is only meaningful on an otherwise idle machine)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
