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
disk — sent by curl to a real server (runserver), so the figure is the server's peak RSS alone.
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

        print("twenty 19 MB files in one request (a real server: runserver on 127.0.0.1:8110, curl streaming):")
        pile = []
        for n in range(20):
            p = tmp / f"scan-{n:02d}.pdf"
            p.write_bytes(b"%PDF-1.4\n" + os.urandom(19 * 1024 * 1024))
            pile.append(p)
        served_upload(pile, tmp, label="default 100 MB per request")
        served_upload(pile, tmp, request_limit=500 * 1024 * 1024, label="limit raised to 500 MB")


_SESSION = """
import os, sys
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.create_superuser("bench", "", "pw")
s = SessionStore()
s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(s.session_key)
"""


def _peak_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = {line.split(":")[0]: line.split()[1] for line in status.splitlines() if len(line.split()) > 1}
    return int(fields.get("VmHWM", 0)) / 1024, int(fields.get("VmRSS", 0)) / 1024


def served_upload(paths: list[Path], tmp: Path, *, request_limit: int = 100 * 1024 * 1024, label: str = "") -> None:
    import shutil
    import urllib.request

    if not shutil.which("curl"):
        print("  (curl not found: skipped)")
        return
    work = Path(tempfile.mkdtemp(prefix="nianbao-served-", dir=tmp))
    env = {
        **os.environ, "DEBUG": "off", "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{work}/db.sqlite3",
        "MEDIA_ROOT": str(work / "media"), "LOG_FILE": "", "ALLOWED_HOSTS": "127.0.0.1",
        "NIANBAO_UPLOAD_MAX_REQUEST_BYTES": str(request_limit), "FILE_UPLOAD_TEMP_DIR": str(work),
    }  # fmt: skip
    key = subprocess.run([PY, "-c", _SESSION.format(root=str(ROOT))], env=env, capture_output=True, text=True)
    session = key.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [PY, str(ROOT / "manage.py"), "runserver", "127.0.0.1:8110", "--noreload"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:8110/admin/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        idle, _ = _peak_mb(server.pid)
        token = "a" * 32
        args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect:", "-b",
                f"sessionid={session}; csrftoken={token}", "-H", "Referer: http://127.0.0.1:8110/",
                "-F", f"csrfmiddlewaretoken={token}"]  # fmt: skip
        args += [a for p in paths for a in ("-F", f"files=@{p}")]
        t = time.perf_counter()
        code = subprocess.run(
            [*args, "http://127.0.0.1:8110/admin/reports/report/import/"], capture_output=True, text=True
        )
        elapsed = time.perf_counter() - t
        peak, now = _peak_mb(server.pid)
        on_disk = sum(p.stat().st_size for p in (work / "media").rglob("*") if p.is_file()) / 1048576
        print(
            f"  {label}: HTTP {code.stdout or '—'} in {elapsed:.1f} s; server peak RSS {peak:.0f} MB "
            f"(idle {idle:.0f} MB, after {now:.0f} MB); kept on disk {on_disk:.0f} MB"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
