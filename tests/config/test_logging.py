"""Production logging: an unexpected error is logged with its traceback to stderr and to the rotating file, each
line with the request id (also in the X-Request-ID header) and the user; with ADMINS set it is mailed; the person
sees a Chinese page, never a traceback."""

import io
import logging
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from reports.admin import workflow
from tests.factories import import_file, make_user

pytestmark = pytest.mark.django_db


def boom(report):
    raise RuntimeError("a bug in the notice")


@pytest.fixture
def broken_page(monkeypatch):
    monkeypatch.setattr(workflow, "review_notice", boom)
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    return reverse("admin:reports_report_notice", args=[report.pk])


def test_an_error_is_logged_with_traceback_request_id_and_user(broken_page):
    client = Client(raise_request_exception=False)
    client.force_login(make_user("reviewer1"))
    (console,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    stderr = io.StringIO()
    original = console.setStream(stderr)  # the handler configured on sys.stderr, read here
    try:
        response = client.get(broken_page, HTTP_X_REQUEST_ID="clerk-screenshot-42")
    finally:
        console.setStream(original)
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器内部错误" in page and "Traceback" not in page and "RuntimeError" not in page
    assert response["X-Request-ID"] == "clerk-screenshot-42"
    logged = Path(settings.LOG_FILE).read_text(encoding="utf-8")
    line = next(line for line in logged.splitlines() if "clerk-screenshot-42" in line)
    assert "ERROR django.request" in line and "user reviewer1" in line
    tail = logged[logged.index(line) :]
    assert "Traceback" in tail and "a bug in the notice" in tail
    assert original is sys.stderr or getattr(original, "name", "") == "<stderr>"
    err = stderr.getvalue()  # and on stderr, the same
    assert "clerk-screenshot-42" in err and "user reviewer1" in err and "Traceback" in err


def test_every_response_has_a_request_id_and_a_forged_one_is_replaced(client):
    first, second = client.get("/admin/login/"), client.get("/admin/login/", HTTP_X_REQUEST_ID="bad id\nX: y")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert "\n" not in second["X-Request-ID"] and len(second["X-Request-ID"]) == 16


def test_errors_are_mailed_to_admins_when_set(broken_page, settings):
    settings.ADMINS = [("运维", "ops@example.com")]
    client = Client(raise_request_exception=False)
    client.force_login(make_user("reviewer1"))
    client.get(broken_page)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ops@example.com"]
    assert "a bug in the notice" in mail.outbox[0].body


def test_a_4xx_page_is_chinese(client):
    client.force_login(make_user("reviewer1"))
    response = client.get("/admin/reports/report/999999/timeline/")
    assert response.status_code == 404 and "未找到" in response.content.decode()
