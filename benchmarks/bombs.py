"""Hostile uploads: how fast they are refused and how much memory that takes.

    .venv/bin/python benchmarks/bombs.py

Run by hand; prints figures beside the targets of issue 10 (refused within 20 s, at most 400 MB peak RSS for one
parse), asserts nothing. The bombs are built here (tests/bombs.py), never stored:

- a .docx of about 1 MB whose word/document.xml expands to 1 GiB;
- a .xlsx of about 100 KB holding two million cells;
- a .xlsx of 250,000 random cells (compresses badly, so it passes the archive checks and is stopped while
  streaming by the cell budget).

Each is given to ``manage.py parse_report`` in a fresh process (wall time, peak RSS of that process) and uploaded
through the admin's 导入年报 page and its preview in a fresh Django process on a scratch SQLite database (time of
upload + preview, peak RSS of the process including Django itself). Last, twenty 19 MB files in one request: with
the default per-request limit (refused before the body is read), and with the limit raised so they stream to
disk (peak RSS of the request, bytes on disk).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bombs import docx_bomb, xlsx_cells  # noqa: E402

PY = sys.executable
TARGET_S, TARGET_MB = 20, 400

_MEASURE = """
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(repr((elapsed, peak, p.returncode, p.stdout[-400:], p.stderr[-400:])))
"""

_UPLOAD = """
import io, json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.update(DEBUG="off", SECRET_KEY="bench", DATABASE_URL="sqlite:///{db}", MEDIA_ROOT={media!r},
                  LOG_FILE="", NIANBAO_UPLOAD_MAX_REQUEST_BYTES={request_limit!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
user = get_user_model().objects.create_superuser("bench", "", "pw")
client = Client()
client.force_login(user)
files = []
for path in {paths!r}:
    f = open(path, "rb")
    files.append(f)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
response = client.post("/admin/reports/report/import/", {{"files": files}})
said = ""
if response.status_code == 302:
    page = client.get(response["Location"])
    said = page.content.decode()
else:
    said = response.content.decode()
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
on_disk = sum(p.stat().st_size for p in __import__("pathlib").Path({media!r}).rglob("*") if p.is_file())
marks = [m for m in ("压缩炸弹", "单元格", "超过单次上传的上限", "无法导入") if m in said]
print(json.dumps({{"status": response.status_code, "seconds": elapsed, "peak_mb": peak, "before_mb": before,
                   "disk_mb": on_disk / 1048576, "said": marks}}))
"""


def measure(cmd: list[str]) -> tuple[float, float, int, str, str]:
    out = subprocess.run([PY, "-c", _MEASURE, *cmd], capture_output=True, text=True, check=True).stdout
    return eval(out)  # noqa: S307 - our own child's repr


def parse_report(path: Path) -> None:
    env_cmd = [PY, str(ROOT / "manage.py"), "parse_report", str(path)]
    os.environ.update(DEBUG="off", SECRET_KEY="bench", LOG_FILE="")
    elapsed, peak, code, out, err = measure(env_cmd)
    said = (out + err).strip().splitlines()[-1] if (out + err).strip() else ""
    verdict = "ok" if elapsed <= TARGET_S and peak <= TARGET_MB and code != 0 else "OVER"
    print(f"  parse_report  {elapsed:6.2f} s  peak {peak:6.0f} MB  exit {code}  [{verdict}]  {said[:110]}")


def admin_upload(paths: list[Path], *, request_limit: int = 100 * 1024 * 1024, label: str = "") -> None:
    with tempfile.TemporaryDirectory(prefix="nianbao-bomb-") as tmp:
        code = _UPLOAD.format(
            root=str(ROOT), db=f"{tmp}/db.sqlite3", media=f"{tmp}/media", paths=[str(p) for p in paths],
            request_limit=str(request_limit),
        )  # fmt: skip
        out = subprocess.run([PY, "-c", code], capture_output=True, text=True)
        if out.returncode:
            print("  admin upload failed:", out.stderr[-800:])
            return
        r = json.loads(out.stdout.strip().splitlines()[-1])
        verdict = "ok" if r["seconds"] <= TARGET_S and r["peak_mb"] <= TARGET_MB else "OVER"
        print(
            f"  admin upload{label}  {r['seconds']:6.2f} s  peak {r['peak_mb']:6.0f} MB (Django alone "
            f"{r['before_mb']:.0f} MB)  status {r['status']}  on disk {r['disk_mb']:.0f} MB  [{verdict}]  "
            f"says: {'、'.join(r['said']) or '—'}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nianbao-bombs-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        docx = tmp / "expands-to-1GiB.docx"
        docx.write_bytes(docx_bomb(1 << 30))
        xlsx = tmp / "two-million-cells.xlsx"
        xlsx.write_bytes(xlsx_cells(2_000_000))
        stream = tmp / "250k-random-cells.xlsx"
        stream.write_bytes(xlsx_cells(250_000, columns=10, random_values=True, refs=True, dimension="A1:B2"))
        print(f"(bombs built in {time.perf_counter() - t:.0f} s)")
        for path, what in (
            (docx, "a .docx expanding to 1 GiB"),
            (xlsx, "a .xlsx of 2,000,000 cells"),
            (stream, "a .xlsx of 250,000 random cells (passes the archive checks)"),
        ):
            print(f"{what}: {path.stat().st_size / 1048576:.2f} MB   (targets: ≤ {TARGET_S} s, ≤ {TARGET_MB} MB)")
            parse_report(path)
            admin_upload([path])

        print("twenty 19 MB files in one request:")
        pile = []
        for n in range(20):
            p = tmp / f"scan-{n:02d}.pdf"
            p.write_bytes(b"%PDF-1.4\n" + os.urandom(19 * 1024 * 1024))
            pile.append(p)
        admin_upload(pile, label=" (default 100 MB per request)")
        admin_upload(pile, request_limit=500 * 1024 * 1024, label=" (limit raised to 500 MB)")


if __name__ == "__main__":
    main()
