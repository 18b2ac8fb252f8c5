"""Benchmark: the province's big jobs on PostgreSQL — `export_summary` of one year (about 29,000 reports; targets
≤ 60 s, ≤ 500 MB) and `check_reports` over one year and over both years (about 58,000 reports) in one process and
split over two (`--part 1/2`, `--part 2/2`, as two workers would; target ≤ 2 min for 60,000 with two).

Run by hand: `.venv/bin/python benchmarks/province_jobs.py [N]` (default 30,000 agencies). Uses the province
database of benchmarks/_province.py (built with COPY unless it already holds the same province). Every command
runs as a child process (manage.py), timed from outside; its peak resident memory is its own VmHWM at exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "nianbao_bench_province")
from _db import BENCH_URL, ROOT  # noqa: E402
from _province import province  # noqa: E402

# The child reports its own high-water mark (VmHWM) at exit.
WRAPPER = (
    "import atexit, runpy, sys\n"
    "def hwm():\n"
    "    line = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0]\n"
    "    print('NB_PEAK_KB', line.split()[1], file=sys.stderr)\n"
    "atexit.register(hwm)\n"
    "sys.argv = sys.argv[1:]\n"
    "sys.path.insert(0, sys.argv[0].rsplit('/', 1)[0])\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": BENCH_URL, "DEBUG": "off"}
    return subprocess.Popen(
        [sys.executable, "-c", WRAPPER, str(ROOT / "manage.py"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(child: subprocess.Popen, ok=(0,)) -> tuple[float, str]:
    out, err = child.communicate()
    if child.returncode not in ok:
        raise SystemExit(f"{child.args[3:]} failed ({child.returncode}):\n{out[-2000:]}{err[-2000:]}")
    return int(err.split("NB_PEAK_KB")[-1].split()[0]) / 1024, out.strip().splitlines()[-1] if out.strip() else ""


def run(*commands: list[str], ok=(0,)) -> tuple[float, list[tuple[float, str]]]:
    """Run the commands at the same time; wall seconds and (peak MB, last output line) of each."""
    started = time.perf_counter()
    children = [start(c) for c in commands]
    results = [finish(c, ok) for c in children]
    return time.perf_counter() - started, results


def main(n: int) -> None:
    province(n)
    from reports.models import Report

    year_reports = Report.objects.filter(year=2023).count()
    all_reports = Report.objects.count()
    print(f"machine load (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.xlsx"
        seconds, [(peak, out)] = run(["export_summary", "--year", "2023", "--output", str(path)])
        print(out)
        print(f"export_summary, {year_reports} reports: {seconds:.1f} s, peak memory {peak:.0f} MB, "
              f"file {path.stat().st_size / 1e6:.1f} MB (targets ≤ 60 s, ≤ 500 MB)")  # fmt: skip
    errors_found = (0, 1)  # 1: error-level issues found, as planted
    check = ["check_reports", "--quiet"]
    seconds, [(peak, out)] = run([*check, "--year", "2023"], ok=errors_found)
    print(out)
    print(f"check_reports --year 2023, one process: {year_reports} reports in {seconds:.1f} s "
          f"({seconds / year_reports * 1000:.2f} ms a report), peak memory {peak:.0f} MB")  # fmt: skip
    seconds, results = run([*check, "--part", "1/2"], [*check, "--part", "2/2"], ok=errors_found)
    for peak, out in results:
        print(f"  {out} (peak memory {peak:.0f} MB)")
    print(f"check_reports, all {all_reports} reports (2 years), two processes (--part 1/2, 2/2): {seconds:.1f} s "
          f"({seconds / all_reports * 1000:.2f} ms a report of wall time; target ≤ 2 min with two workers)")  # fmt: skip
    print(f"machine load (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000)
