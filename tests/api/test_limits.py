"""Bounded input on the API: a body over the limit is refused before it is read (413), requests over the per-user
rate wait (429), and anything that is not JSON — a broken body, NaN, a form upload — is refused in Chinese."""

from __future__ import annotations

import re

import pytest

from reports import canonical
from reports.roles import FILER
from reports.selectors import report_values
from tests.api.conftest import api_client
from tests.factories import make_report, make_user

pytestmark = pytest.mark.django_db

A = canonical.t3("new_received", "natural_person")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def mine():
    report = make_report()
    return report, api_client(make_user("filer", role=FILER, agency=report.agency))


def test_a_body_over_the_limit_is_refused_before_it_is_read(mine, settings):
    report, client = mine
    settings.NIANBAO_API_MAX_BODY_BYTES = 2000
    body = {"version": report.version, "cells": {A: 1}, "overview": "很长的文字" * 500}
    response = client.patch(f"/api/reports/{report.pk}/", body, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "过大" in response.json()["detail"]
    assert report_values(report)[A] is None
    # a whole report's worth of cells and texts fits the default limit many times over
    settings.NIANBAO_API_MAX_BODY_BYTES = 1024 * 1024
    full = {"version": report.version, "cells": dict.fromkeys(canonical.ALL_KEYS, 12345), "overview": "文字" * 20000}
    assert client.patch(f"/api/reports/{report.pk}/", full, format="json").status_code == 200


def test_writes_over_the_rate_wait(mine, settings):
    report, client = mine
    settings.NIANBAO_API_WRITE_RATE = "3/min"
    codes = []
    for n in range(5):
        version = client.get(f"/api/reports/{report.pk}/cells/").json()["version"]
        codes.append(client.patch(f"/api/reports/{report.pk}/", {"version": version, "cells": {A: n}}, format="json"))
    assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
    assert CHINESE.search(codes[-1].json()["detail"]) and "Retry-After" in codes[-1].headers
    assert report_values(report)[A] == 2
    assert client.get(f"/api/reports/{report.pk}/cells/").status_code == 200  # reading goes on


def test_reads_over_the_rate_wait(mine, settings):
    report, client = mine
    settings.NIANBAO_API_READ_RATE = "2/min"
    assert [client.get("/api/reports/").status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize(
    "body,content_type,status",
    [
        ('{"version": 1, "cells": {', "application/json", 400),
        ('{"version": 1, "cells": {"' + A + '": NaN}}', "application/json", 400),
        ("\xff\xfe", "application/json", 400),
        ("version=1", "application/x-www-form-urlencoded", 415),
    ],
    ids=["broken", "nan", "not-utf8", "form"],
)
def test_what_is_not_json_is_refused_in_chinese(mine, body, content_type, status):
    report, client = mine
    data = body.encode("latin-1") if body.startswith("\xff") else body
    response = client.patch(f"/api/reports/{report.pk}/", data, content_type=content_type)
    assert response.status_code == status, response.content
    assert CHINESE.search(response.json()["detail"])
    assert report_values(report)[A] is None
