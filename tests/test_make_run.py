"""`make run` on a fresh database really serves the admin, with the five sample reports and a printed login."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()
