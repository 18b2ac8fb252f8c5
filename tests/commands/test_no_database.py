"""Commands run before `migrate` (or against a database that does not answer) say what to do, never a traceback.
Each runs in its own process against a real, empty SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = FIXTURES / "samples" / "004_0d8d98ed0f7285a4.txt"


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "on"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def empty_db(tmp_path):
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("check_reports", "--year", "2023"), 2),
        (("export_summary", "--year", "2023", "--output", "{tmp}/county.xlsx"), 1),
        (("export_report", "--agency", "二塘乡", "--year", "2023", "--output", "{tmp}/r.xlsx"), 1),
        (("import_reports", str(SAMPLE), "--dry-run"), 1),
    ],
    ids=lambda v: v[0] if isinstance(v, tuple) else str(v),
)
def test_before_migrate_a_command_says_to_migrate(empty_db, tmp_path, args, code):
    done = manage(empty_db, *(a.format(tmp=tmp_path) for a in args))
    assert done.returncode == code
    assert "python manage.py migrate" in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_clerks_precheck_of_a_file_needs_no_database(empty_db):
    done = manage(empty_db, "check_reports", "--file", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert "R13" in done.stdout and "不与库中的上年报告比较" in done.stderr and "Traceback" not in done.stderr


def test_unreachable_database_is_named():
    done = manage("postgres://postgres@127.0.0.1:1/nianbao", "check_reports", "--year", "2023")
    assert done.returncode == 2
    assert "无法连接数据库" in done.stderr and "Traceback" not in done.stderr
