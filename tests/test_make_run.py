"""`make run` on a fresh database really serves the admin, with the five sample reports and a printed login."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _import_through_the_embedded_worker(opener, jar, base):
    """With no broker configured, `make run`'s own worker thread reads and imports an upload."""
    upload_url = f"{base}/admin/reports/report/import/"
    opener.open(upload_url)
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = (ROOT / "tests" / "fixtures" / "corpus" / "generated" / "r08_txt_layout.txt").read_bytes()
    body, content_type = _multipart({"csrfmiddlewaretoken": token}, [("files", "r08.txt", data)])
    headers = {"Content-Type": content_type, "Referer": upload_url}
    response = opener.open(urllib.request.Request(upload_url, data=body, headers=headers))
    batch_url = response.geturl()
    assert "/import/" in batch_url and batch_url != upload_url
    page = ""
    for _ in range(360):  # the progress page, reloaded until the worker thread has read the file
        page = opener.open(batch_url).read().decode()
        if "nb-preview" in page:
            break
        time.sleep(0.5)
    assert "乐业县人力资源和社会保障局" in page, page[-2000:]
    form = {"csrfmiddlewaretoken": token, "include_0": "on", "agency_0": "new", "year_0": "2023"}
    form |= {"new_name_0": "乐业县人力资源和社会保障局", "new_kind_0": "department"}
    opener.open(urllib.request.Request(batch_url, data=urlencode(form).encode(), headers={"Referer": batch_url}))
    for _ in range(360):  # the import job runs on the same thread; its first look hands over to the reports
        page = opener.open(batch_url).read().decode()
        if "成功 1 个" in page:
            break
        time.sleep(0.5)
    assert "成功 1 个，跳过 0 个，失败 0 个" in page and "乐业县人力资源和社会保障局" in page, page[-2000:]


@pytest.mark.slow
def test_make_run_serves_admin_with_samples(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "NIANBAO_ADMIN_PASSWORD_FILE": str(tmp_path / "admin-password"),
        "ADDR": f"127.0.0.1:{port}",
    }
    env.pop("SECRET_KEY", None)
    env.pop("DEBUG", None)
    for name in ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL"):  # as a newcomer has it: no broker, no eager
        env.pop(name, None)
    log = open(tmp_path / "run.log", "w+")
    proc = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        login_page = None
        for _ in range(180):
            try:
                login_page = urllib.request.urlopen(f"{base}/admin/login/", timeout=2).read().decode()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "run.log").read_text()
                time.sleep(0.5)
        assert login_page and "登录" in login_page
        output = (tmp_path / "run.log").read_text()
        found = re.search(r"管理员账号：(\S+)\s+密码：(\S+)", output)
        assert found, output
        username, password = found.groups()

        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{base}/admin/login/")
        token = next(c.value for c in jar if c.name == "csrftoken")
        form = urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/reports/report/"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/admin/login/?next=/admin/reports/report/", data=form, headers={"Referer": f"{base}/admin/login/"}
        )
        changelist = opener.open(request).read().decode()
        for agency in (
            "彭阳县新集乡人民政府",
            "安远县版石镇人民政府",
            "卫辉市上乐村镇人民政府",
            "一平垣乡人民政府",
            "二塘乡人民政府",
            "洪泽区人民政府",
        ):
            assert agency in changelist
        _import_through_the_embedded_worker(opener, jar, base)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()
