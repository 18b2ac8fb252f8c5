"""With deploy/production.env.example and a SECRET_KEY, `manage.py check --deploy --fail-level WARNING` is clean;
the nginx site and the example agree with the settings on the upload limit; every setting the code reads is in the
example."""

import os
import re
import secrets
import subprocess
import sys

import pytest

from tests.deploy.envfile import EXAMPLE, ROOT, read_env_file

HTTPS_KEYS = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")


def _check_deploy(values: dict[str, str]) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8", **values}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_production_example():
    values = read_env_file()
    assert values["SECRET_KEY"] == "", "the example must not carry a key anyone could copy"
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = _check_deploy(values)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_check_deploy_names_what_a_site_without_the_https_settings_lacks():
    values = {k: v for k, v in read_env_file().items() if k not in HTTPS_KEYS}
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = _check_deploy(values)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, result.stderr


def test_the_example_has_no_secret_key_and_the_settings_refuse_to_start_without_one():
    values = read_env_file()
    result = _check_deploy(values)  # SECRET_KEY= as shipped
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# Read by settings.py but not needed on a production site: make run's printed-password file, and the size of a
# rotating log file the example leaves off (several processes must not rotate one file).
NOT_FOR_PRODUCTION = {"NIANBAO_ADMIN_PASSWORD_FILE", "LOG_FILE_MAX_BYTES", "LOG_FILE_BACKUPS"}


def test_every_setting_read_from_the_environment_is_in_the_production_example():
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""env\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))
    assert {"SECRET_KEY", "DATABASE_URL", "SECURE_SSL_REDIRECT"} <= read  # the pattern finds them
    missing = read - NOT_FOR_PRODUCTION - set(read_env_file())
    assert not missing, f"add to {EXAMPLE.name}: {sorted(missing)}"


def test_nginx_body_limit_matches_the_upload_limit(settings):
    site = (ROOT / "deploy" / "nginx" / "nianbao.conf").read_text(encoding="utf-8")
    sizes = re.findall(r"^\s*client_max_body_size\s+(\d+)m;", site, re.MULTILINE)
    assert len(sizes) == 1, sizes
    nginx_bytes = int(sizes[0]) * 1024 * 1024
    assert nginx_bytes == int(read_env_file()["NIANBAO_UPLOAD_MAX_REQUEST_BYTES"])
    assert nginx_bytes == settings.NIANBAO_UPLOAD_MAX_REQUEST_BYTES  # the default a site gets without the example
