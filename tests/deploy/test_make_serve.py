"""`make serve` from the environment alone: gunicorn (not runserver) with DEBUG off serves the admin, its CSS and
the report page's scripts (report_form.js, the unsaved-changes guard) under their hashed names; and behind the nginx
site of deploy/ with the settings of deploy/production.env.example, over TLS."""

import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.deploy.envfile import ROOT, read_env_file
from tests.jobs import harness

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("gunicorn") is None, reason="gunicorn is not installed"),
]
SOURCE_STATIC = ROOT / "reports" / "static"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _base_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "CELERY_"))}
    env.update(
        DEBUG="off",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        LOG_FILE="",
        ADDR=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    return env


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextmanager
def _running(cmd, env, log_path: Path, url: str, context=None):
    """Start ``cmd`` in its own session, wait until ``url`` answers (a redirect is an answer), and stop the whole
    session afterwards."""
    log = open(log_path, "w+")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    try:
        error = None
        for _ in range(360):
            try:
                opener.open(url, timeout=2).read()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError as exc:
                error = exc
                assert proc.poll() is None, log_path.read_text()
                time.sleep(0.5)
        else:
            pytest.fail(f"{url} never answered ({error!r}):\n{log_path.read_text()}")
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass  # already ended, with all of its session
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def _login(opener, base: str, username: str, password: str, next_url: str) -> str:
    opener.open(f"{base}/admin/login/")
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)).cookiejar
    token = next(c.value for c in jar if c.name == "csrftoken")
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": next_url}
    request = urllib.request.Request(
        f"{base}/admin/login/?next={next_url}", data=urlencode(form).encode(), headers={"Referer": f"{base}/admin/"}
    )
    return opener.open(request).read().decode()


def _superuser(env: dict[str, str]) -> str:
    password = secrets.token_urlsafe(12)
    subprocess.run(
        [".venv/bin/python", "manage.py", "createsuperuser", "--noinput", "--username", "ops", "--email", "o@x.cn"],
        cwd=ROOT,
        env={**env, "DJANGO_SUPERUSER_PASSWORD": password},
        check=True,
        capture_output=True,
    )
    return password


def test_make_serve_runs_gunicorn_with_debug_off_and_serves_the_admin_with_its_css_and_scripts(tmp_path):
    port = _free_port()
    env = _base_env(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    with _running(["make", "serve"], env, tmp_path / "serve.log", f"{base}/admin/login/"):
        response = urllib.request.urlopen(f"{base}/admin/login/", timeout=10)
        login_page = response.read().decode()
        assert response.headers["Server"] == "gunicorn"  # not runserver's WSGIServer
        assert "登录" in login_page

        css = [u for u in _static_urls(login_page) if u.endswith(".css")]
        assert any(re.fullmatch(r"/static/admin/css/base\.[0-9a-f]{12}\.css", u) for u in css), css
        for url in css:
            answer = urllib.request.urlopen(base + url, timeout=10)
            assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/css"), url
            assert "immutable" in answer.headers["Cache-Control"]  # hashed names are cached for good
        unknown = urllib.request.Request(f"{base}/static/admin/css/no-such-file.css")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(unknown, timeout=10)
        assert missing.value.code == 404

        password = _superuser(env)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        add_page = _login(opener, base, "ops", password, "/admin/reports/report/add/")
        assert 'name="agency"' in add_page, add_page[:2000]
        urls = _static_urls(add_page)
        guard = [u for u in urls if re.fullmatch(r"/static/nianbao/report_form\.[0-9a-f]{12}\.js", u)]
        assert guard, urls
        for url in urls:
            answer = opener.open(base + url, timeout=10)
            assert answer.status == 200, url
            body = answer.read()
            if url in guard:
                assert body == (SOURCE_STATIC / "nianbao" / "report_form.js").read_bytes()

    output = (tmp_path / "serve.log").read_text()
    assert "Starting gunicorn" in output
    assert "runserver" not in output and "development server" not in output.lower()
    assert "CELERY_BROKER_URL is not set" in output  # and says so


def _tls_files(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def _nginx_config(tmp_path: Path, *, http_port: int, https_port: int, web_port: int, cert: Path, key: Path) -> Path:
    """deploy/nginx/nianbao.conf as shipped, with only ports, host name, certificate and log paths put here."""
    site = (ROOT / "deploy" / "nginx" / "nianbao.conf").read_text(encoding="utf-8")
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{web_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "nianbao.example.gov.cn": "127.0.0.1",
        "/etc/ssl/nianbao/fullchain.pem": str(cert),
        "/etc/ssl/nianbao/privkey.pem": str(key),
        "/var/log/nginx/": f"{tmp_path}/",
    }
    for old, new in replacements.items():
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    shutil.copy(ROOT / "deploy" / "nginx" / "log-format.conf", tmp_path / "log-format.conf")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-main.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/log-format.conf;
    include {tmp_path}/site.conf;
}}
"""
    )
    return main


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.mark.skipif(NGINX is None or shutil.which("openssl") is None, reason="nginx or openssl is not installed")
def test_behind_the_shipped_nginx_site_with_the_production_settings_it_is_https_only(tmp_path):
    web_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    env = _base_env(tmp_path, web_port)
    production = read_env_file()
    production.pop("CELERY_BROKER_URL")  # the worker is not what this test is about
    for key in ("DATABASE_URL", "MEDIA_ROOT", "STATIC_ROOT", "ALLOWED_HOSTS", "GUNICORN_BIND", "WEB_CONCURRENCY"):
        production.pop(key)
    env.update(production, SECRET_KEY=env["SECRET_KEY"], CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https_port}")
    cert, key = _tls_files(tmp_path)
    config = _nginx_config(tmp_path, http_port=http_port, https_port=https_port, web_port=web_port, cert=cert, key=key)
    tested = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr

    tls = ssl.create_default_context(cafile=str(cert))
    base = f"https://127.0.0.1:{https_port}"
    gunicorn_url = f"http://127.0.0.1:{web_port}/admin/login/"
    with (
        _running(["make", "serve"], env, tmp_path / "serve.log", gunicorn_url),
        _running(
            [NGINX, "-c", str(config), "-g", "daemon off;"], env, tmp_path / "nginx.log", f"{base}/admin/login/", tls
        ),
    ):
        response = urllib.request.urlopen(f"{base}/admin/login/", timeout=10, context=tls)
        page = response.read().decode()
        assert "登录" in page
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        cookie = response.headers["Set-Cookie"]
        assert "csrftoken=" in cookie and "Secure" in cookie
        request_id = response.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, passed through Django
        for url in _static_urls(page):
            assert urllib.request.urlopen(base + url, timeout=10, context=tls).status == 200, url

        plain = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            plain.open(f"http://127.0.0.1:{http_port}/admin/login/", timeout=10)
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"].startswith("https://127.0.0.1")
        # a login over https: the session and CSRF cookies are Secure, the CSRF referer check passes behind the proxy
        jar = CookieJar()
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), urllib.request.HTTPSHandler(context=tls)
        )
        changelist = _login(opener, base, "ops", _superuser(env), "/admin/reports/report/")
        assert "选择 年度报告 来修改" in changelist or 'id="changelist"' in changelist, changelist[:2000]
        assert {c.name: c.secure for c in jar} == {"csrftoken": True, "sessionid": True}
        # gunicorn itself, reached without the proxy's header, redirects to https too (SECURE_SSL_REDIRECT)
        with pytest.raises(urllib.error.HTTPError) as direct:
            plain.open(gunicorn_url, timeout=10)
        assert direct.value.code == 301
        # uploaded documents are never served from disk
        with pytest.raises(urllib.error.HTTPError) as media:
            urllib.request.urlopen(f"{base}/media/sources/x.pdf", timeout=10, context=tls)
        assert media.value.code == 404

    assert f"req={request_id}" in (tmp_path / "serve.log").read_text()  # gunicorn's access line carries nginx's id
    assert f"req={request_id}" in (tmp_path / "nianbao.access.log").read_text()


def test_serve_refuses_debug_on(tmp_path):
    env = _base_env(tmp_path, _free_port())
    env["DEBUG"] = "on"
    result = subprocess.run(["deploy/serve.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "DEBUG off" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # stopped before touching anything


def test_serve_stops_at_a_missing_secret_key_with_its_message(tmp_path):
    env = _base_env(tmp_path, _free_port())
    env.pop("SECRET_KEY")
    result = subprocess.run(["deploy/serve.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


@pytest.mark.skipif(
    importlib.util.find_spec("celery") is None or not (ROOT / "config" / "celery.py").exists(),
    reason="no Celery app (config/celery.py) to start",
)
@pytest.mark.skipif(
    not harness.redis_listening(), reason=f"no Redis answers at {harness.REDIS_URL} (.ci/run starts redis-server)"
)
def test_with_a_broker_make_serve_also_runs_the_worker_and_the_scheduler_and_stops_with_them(tmp_path):
    port = _free_port()
    env = _base_env(tmp_path, port)
    # a real Redis broker (memory:// is the web process's own in-process queue: make serve starts no worker for it),
    # on a queue of this run alone
    env.update(
        CELERY_BROKER_URL=harness.REDIS_URL,
        CELERY_TASK_DEFAULT_QUEUE=f"nianbao-serve-test-{secrets.token_hex(4)}",
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "beat-schedule"),
    )
    log = tmp_path / "serve.log"
    with _running(["make", "serve"], env, log, f"http://127.0.0.1:{port}/admin/login/") as proc:
        started = None
        for _ in range(120):
            started = re.search(
                r"make serve: web \S+ \(pid (\d+)\), worker \(pid (\d+)\), scheduler \(pid (\d+)\)", log.read_text()
            )
            if started and "ready." in log.read_text() and "beat: Starting" in log.read_text():
                break
            time.sleep(0.5)
        assert started, log.read_text()
        web, worker, scheduler = (int(p) for p in started.groups())
        for pid, program in ((web, "gunicorn"), (worker, "worker"), (scheduler, "beat")):
            assert program in Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ")
        os.kill(worker, signal.SIGTERM)  # the worker gone: the web server must not go on queueing jobs nobody runs
        proc.wait(timeout=60)
        assert proc.returncode is not None
        for pid in (web, scheduler):
            assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    assert "stopping the others" in log.read_text()
