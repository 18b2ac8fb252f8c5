"""Shared set-up for the database benchmarks: a scratch PostgreSQL database, migrated, Django configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DATABASE", "nianbao_bench")
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}")


def setup_django(*, fresh: bool = True) -> None:
    """Point Django at the scratch database (recreated when fresh) and migrate it."""
    os.environ["DATABASE_URL"] = BENCH_URL
    # Measure as in production: DEBUG off (no query log, no debug cursor wrapper).
    os.environ["DEBUG"] = "off"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("MEDIA_ROOT", "/tmp/nianbao-bench-media")
    if fresh and BENCH_URL.startswith("postgres"):
        args = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *args, "--if-exists", BENCH_DB], check=True)
        subprocess.run(["createdb", *args, BENCH_DB], check=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total / 1024
