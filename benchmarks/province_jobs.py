"""Benchmark: the province's big jobs on PostgreSQL — `export_summary` of one year (about 29,000 reports; targets
≤ 60 s, ≤ 500 MB) and `check_reports` over one year and over both years (about 58,000 reports) in one process and
split over two (`--part 1/2`, `--part 2/2`, as two workers would; target ≤ 2 min for 60,000 with two): first a
check that writes every issue (as after a change of the rules: all stored issues are made stale beforehand), then
a re-check of the unchanged data (which writes no issue row).

Run by hand: `.venv/bin/python benchmarks/province_jobs.py [N]` (default 30,000 agencies). Uses the province
database of benchmarks/_province.py (built with COPY unless it already holds the same province; `BENCH_DATABASE`
names it, default nianbao_bench_province). Every command runs as a child process (manage.py), timed from outside;
besides the wall time it prints the CPU time of the commands (user+sys) and of their PostgreSQL backends (read from
/proc at the child's exit, so on the same machine as the database), less sensitive to the machine's load; its peak
resident memory is its own VmHWM at exit. `BENCH_ONLY=check` or `BENCH_ONLY=export` runs one of the two.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "nianbao_bench_province")
from _db import BENCH_URL, ROOT  # noqa: E402
from _province import province  # noqa: E402

# The child reports its own high-water mark (VmHWM) at exit, and its PostgreSQL backends' CPU seconds before
# Django closes its connections (the backend process ends with its connection).
WRAPPER = (
    "import atexit, os, runpy, sys\n"
    "def hwm():\n"
    "    line = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0]\n"
    "    print('NB_PEAK_KB', line.split()[1], file=sys.stderr)\n"
    "from django.db import connections\n"
    "close_all = connections.close_all\n"
    "def pg_cpu():\n"
    "    for conn in connections.all(initialized_only=True):\n"
    "        if conn.vendor == 'postgresql' and conn.connection is not None:\n"
    "            pid = conn.connection.info.backend_pid\n"
    "            f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()\n"
    "            print('NB_PG_CPU', (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK'), file=sys.stderr)\n"
    "    close_all()\n"
    "connections.close_all = pg_cpu\n"
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


PG_CPU = [0.0]  # the backends' CPU seconds of the last run()


def finish(child: subprocess.Popen, ok=(0,)) -> tuple[float, str]:
    out, err = child.communicate()
    if child.returncode not in ok:
        raise SystemExit(f"{child.args[3:]} failed ({child.returncode}):\n{out[-2000:]}{err[-2000:]}")
    PG_CPU[0] += sum(float(part.split()[0]) for part in err.split("NB_PG_CPU")[1:])
    return int(err.split("NB_PEAK_KB")[-1].split()[0]) / 1024, out.strip().splitlines()[-1] if out.strip() else ""


def run(*commands: list[str], ok=(0,)) -> tuple[float, list[tuple[float, str]]]:
    """Run the commands at the same time; wall seconds and (peak MB, last output line) of each. Prints the load
    before and the CPU seconds the commands (user+sys) and their database backends used."""
    print(f"  load before: {load()}")
    PG_CPU[0] = 0.0
    before = os.times()
    started = time.perf_counter()
    children = [start(c) for c in commands]
    # each child's pipes are drained by a thread of its own: waiting on one while another fills its pipe would
    # stall that one and run the commands one after the other
    with ThreadPoolExecutor(len(children)) as pool:
        results = list(pool.map(lambda child: finish(child, ok), children))
    seconds = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    print(f"  CPU: commands {cpu:.1f} s, their PostgreSQL backends {PG_CPU[0]:.1f} s; load after: {load()}")
    return seconds, results


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def stale_issues() -> int:
    """Make every stored issue differ from what the rules find (as a change of the rules would): the next check
    replaces them all."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_validationissue SET fingerprint = 'stale'")
        n = cursor.rowcount
        cursor.execute("VACUUM ANALYZE reports_validationissue")
    return n


def main(n: int) -> None:
    province(n)
    from reports.models import Report

    only = os.environ.get("BENCH_ONLY", "")
    year_reports = Report.objects.filter(year=2023).count()
    all_reports = Report.objects.count()
    print(f"machine load (1, 5, 15 min): {load()}")
    if only in ("", "export"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "summary.xlsx"
            seconds, [(peak, out)] = run(["export_summary", "--year", "2023", "--output", str(path)])
            print(out)
            print(f"export_summary, {year_reports} reports: {seconds:.1f} s, peak memory {peak:.0f} MB, "
                  f"file {path.stat().st_size / 1e6:.1f} MB (targets ≤ 60 s, ≤ 500 MB)")  # fmt: skip
    if only not in ("", "check"):
        return
    errors_found = (0, 1)  # 1: error-level issues found, as planted
    check = ["check_reports", "--quiet"]
    seconds, [(peak, out)] = run([*check, "--year", "2023"], ok=errors_found)
    print(out)
    print(f"check_reports --year 2023, one process: {year_reports} reports in {seconds:.1f} s "
          f"({seconds / year_reports * 1000:.2f} ms a report), peak memory {peak:.0f} MB")  # fmt: skip
    for label in ("first check, every issue written", "re-check, unchanged data"):
        if label.startswith("first"):
            print(f"  {stale_issues():,} stored issues made stale")
        seconds, results = run([*check, "--part", "1/2"], [*check, "--part", "2/2"], ok=errors_found)
        for peak, out in results:
            print(f"  {out} (peak memory {peak:.0f} MB)")
        print(f"check_reports ({label}), all {all_reports} reports (2 years), two processes (--part 1/2, 2/2): "
              f"{seconds:.1f} s ({seconds / all_reports * 1000:.2f} ms a report of wall time; target ≤ 2 min with "
              f"two workers)")  # fmt: skip
    print(f"machine load (1, 5, 15 min): {load()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000)
