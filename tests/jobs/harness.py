"""A real Celery worker (subprocess) on Redis for the integration test and the import benchmark, and a pile of
distinct real reports to feed it."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "samples" / "002_cff4ace8f11033c3.txt"  # 卫辉市上乐村镇, 2023
REDIS_URL = os.environ.get("NIANBAO_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def redis_listening(url: str = REDIS_URL) -> bool:
    host_port = url.split("://", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def agency_of(n: int) -> str:
    return f"卫辉市测试{n:03d}镇"


def report_pile(count: int) -> bytes:
    """A zip of ``count`` real reports (the sample, each for its own township: distinct files, distinct reports)."""
    text = SAMPLE.read_text(encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(count):
            z.writestr(
                f"{n:03d}.txt", text.replace("卫辉市上乐村镇", agency_of(n)).replace("上乐村镇", f"测试{n:03d}镇")
            )
    return buf.getvalue()


def confirm_form(count: int) -> dict:
    """Tick every file of the pile, each under a new agency of the name it gives."""
    form = {}
    for n in range(count):
        form |= {f"include_{n}": "on", f"agency_{n}": "new", f"new_name_{n}": agency_of(n)}
        form |= {f"new_kind_{n}": "township", f"year_{n}": "2023"}
    return form


def database_url(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("postgresql"):
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{settings_dict.get('USER') or 'postgres'}@{host}:{port}/{settings_dict['NAME']}"
    return f"sqlite:///{settings_dict['NAME']}"


class Worker:
    """``celery -A config worker`` in its own process group (so a kill takes its pool processes too)."""

    def __init__(self, *, env: dict, queue: str, concurrency: int = 2, log: Path):
        self.env, self.queue, self.concurrency, self.log = env, queue, concurrency, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        name = f"{self.queue}-{uuid.uuid4().hex[:6]}@%h"
        args = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queue, "-n", name]
        args += ["-c", str(self.concurrency), "--pool", "prefork", "-l", "info", "--without-mingle"]
        args += ["--without-gossip"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no clean-up, no acknowledgement, as when a machine dies."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """A warm shutdown: the worker finishes what it runs, then its pool stops."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def worker_env(*, database_url: str, media_root: Path, queue: str, visibility_timeout: int = 3600) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="off",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        CELERY_VISIBILITY_TIMEOUT=str(visibility_timeout),
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
        SECRET_KEY=env.get("SECRET_KEY", "tests-only-not-a-secret"),
        DEBUG="off",
        LOG_FILE="",
        PYTHONPATH=str(ROOT),
    )
    return env


def _fresh_messaging(app) -> None:
    """Forget the connections, producers, queues and routes made for the earlier settings (even eager tasks
    acquire a producer), so that the next task goes where the settings now say."""
    app._pool = None
    app.__dict__.pop("amqp", None)


@contextmanager
def celery_on_redis(queue: str):
    """Send this process's tasks to Redis (queue ``queue``) instead of running them in place."""
    from config.celery import app

    keys = ("task_always_eager", "broker_url", "task_default_queue")
    old = {k: app.conf[k] for k in keys}
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    _fresh_messaging(app)
    try:
        yield app
    finally:
        from kombu import pools

        if app._pool is not None:
            app._pool.force_close_all()
        pools.reset()  # kombu's registry of producer pools, keyed by broker URL, would hand the closed ones back
        app.conf.update(old)
        _fresh_messaging(app)
        try:  # the queue is this run's own: nothing left behind in the shared Redis
            with app.connection_for_write(REDIS_URL) as conn:
                conn.default_channel.queue_delete(queue)
        except Exception:  # noqa: BLE001  (best effort)
            pass


def wait_for(check, *, timeout: float, every: float = 0.2, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
