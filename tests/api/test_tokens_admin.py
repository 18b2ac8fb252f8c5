"""API 令牌 in the admin: a 管理员 makes one for a user and sees its key once (only its hash is stored), can stop it,
and cannot make one for a superuser; a 填报员 cannot reach the page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import ApiToken
from reports.roles import ADMINISTRATOR, FILER
from tests.api.conftest import api_client
from tests.factories import make_report, make_user

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_makes_a_token_sees_it_once_and_can_stop_it():
    report = make_report()
    filer = make_user("system", role=FILER, agency=report.agency)
    boss = logged_in(make_user("boss", role=ADMINISTRATOR))
    response = boss.post(reverse("admin:reports_apitoken_add"), {"user": filer.pk, "name": "乡办公系统"}, follow=True)
    shown = " ".join(str(m) for m in response.context["messages"])
    key = re.search(r"nb_[\w-]+", shown).group(0)
    token = ApiToken.objects.get()
    assert key not in str(list(ApiToken.objects.values_list()))  # only the hash and a short prefix are stored
    assert token.prefix == key[:10] and token.created_by.username == "boss"
    listing = boss.get(reverse("admin:reports_apitoken_changelist")).content.decode()
    assert "乡办公系统" in listing and key not in listing
    assert key not in boss.get(reverse("admin:reports_apitoken_change", args=[token.pk])).content.decode()

    client = api_client(key=key)
    assert [r["id"] for r in client.get("/api/reports/").json()["results"]] == [report.pk]
    assert ApiToken.objects.get().last_used_at is not None

    boss.post(reverse("admin:reports_apitoken_change", args=[token.pk]), {"name": "乡办公系统", "revoked": "on"})
    assert ApiToken.objects.get().revoked
    assert client.get("/api/reports/").status_code == 401


def test_an_administrator_cannot_make_a_token_for_a_superuser():
    root = make_user("root", role=ADMINISTRATOR, is_superuser=True)
    boss = logged_in(make_user("boss", role=ADMINISTRATOR))
    response = boss.post(reverse("admin:reports_apitoken_add"), {"user": root.pk, "name": "万能钥匙"})
    assert response.status_code == 200 and not ApiToken.objects.exists()  # the form refuses the choice
    choices = boss.get(reverse("admin:reports_apitoken_add")).context["adminform"].form.fields["user"].queryset
    assert root not in choices and choices.filter(username="boss").exists()


def test_a_filer_cannot_reach_the_tokens():
    filer = logged_in(make_user("filer", role=FILER, agency=make_report().agency))
    assert filer.get(reverse("admin:reports_apitoken_changelist")).status_code == 403
    assert filer.post(reverse("admin:reports_apitoken_add"), {"user": 1, "name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_command_makes_lists_and_stops_tokens():
    from io import StringIO

    from django.core.management import call_command

    report = make_report()
    make_user("system", role=FILER, agency=report.agency)
    out = StringIO()
    call_command("api_token", "create", "system", "--name", "对接", "--days", "30", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert api_client(key=key).get(f"/api/reports/{report.pk}/").status_code == 200
    out = StringIO()
    call_command("api_token", "list", stdout=out)
    assert key[:10] in out.getvalue() and key not in out.getvalue() and "有效" in out.getvalue()
    call_command("api_token", "revoke", key[:10], stdout=StringIO())
    assert api_client(key=key).get(f"/api/reports/{report.pk}/").status_code == 401


def test_log_lines_of_a_token_request_name_its_user():
    import logging

    from config.requestlog import RequestContextFilter

    class Grab(logging.Handler):
        def __init__(self):
            super().__init__(level=logging.INFO)
            self.addFilter(RequestContextFilter())  # as the configured handlers do
            self.users: list[str] = []

        def emit(self, record):
            self.users.append(record.user)

    report = make_report()
    client = api_client(make_user("system", role=FILER, agency=report.agency))
    grab, logger = Grab(), logging.getLogger("reports.api.views")
    logger.addHandler(grab)
    try:
        version = client.get(f"/api/reports/{report.pk}/cells/").json()["version"]
        body = {"version": version, "cells": {"applications.granted.total": 1}}
        assert client.patch(f"/api/reports/{report.pk}/", body, format="json").status_code == 200
    finally:
        logger.removeHandler(grab)
    assert grab.users == ["system"]
