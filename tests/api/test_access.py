"""A 填报员's token reaches only their own agencies' reports, exactly as in the admin: another agency's report is a
404 for every read and every write (the same answer as for an id that does not exist), and nothing of it changes.
A token without a role, a stopped or expired token, or an inactive user gets nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from reports import canonical
from reports.models import Report
from reports.roles import FILER, REVIEWER
from reports.selectors import report_values
from tests.api.conftest import api_client, make_token
from tests.factories import UserFactory, import_file, make_report, make_user

pytestmark = pytest.mark.django_db

THEIRS = "samples/000_0644fa4e77b34486.txt"
MINE = "samples/002_cff4ace8f11033c3.txt"
KEY = canonical.t3("new_received", "natural_person")


@pytest.fixture
def world():
    theirs = import_file(THEIRS).report
    mine = import_file(MINE).report
    me = make_user("me", role=FILER, agency=mine.agency)
    return {"theirs": theirs, "mine": mine, "me": me, "client": api_client(me)}


def snapshot(report):
    report = Report.objects.get(pk=report.pk)
    return report.status, report.version, report.title, report_values(report), report.issues.count()


def api_patterns(resolver=None, prefix="/"):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from api_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and prefix.startswith("/api/"):
            yield prefix + str(entry.pattern)


def fill(route: str, pk: int) -> str:
    url = re.sub(r"\(\?P<pk>[^)]*\)", str(pk), route)
    url = re.sub(r"<(?:\w+:)?pk>", str(pk), url)
    url = re.sub(r"\\\.\(\?P<format>[^)]*\)", ".json", url)
    url = re.sub(r"<(?:\w+:)?format>", "json", url)
    return url.replace("^", "").replace("$", "").replace("/?", "/").replace("\\", "")


def test_the_filer_sees_only_their_own_agency_and_reports(world):
    client, mine, theirs = world["client"], world["mine"], world["theirs"]
    listed = client.get("/api/reports/").json()
    assert [r["id"] for r in listed["results"]] == [mine.pk] and listed["count"] == 1
    assert [a["id"] for a in client.get("/api/agencies/").json()["results"]] == [mine.agency_id]
    assert client.get(f"/api/reports/{mine.pk}/cells/").json()["cells"] == {
        k: (float(v) if k == canonical.FEES_KEY and v is not None else v) for k, v in report_values(mine).items()
    }
    bulk = client.get("/api/reports/values/").json()
    assert [(r["report"], r["version"]) for r in bulk["results"]] == [(mine.pk, mine.version)]
    assert bulk["results"][0]["cells"] == client.get(f"/api/reports/{mine.pk}/cells/").json()["cells"]
    # filtering by the other agency's id reads exactly like filtering by an id that does not exist
    other = client.get(f"/api/reports/?agency={theirs.agency_id}").json()
    nobody = client.get("/api/reports/?agency=987654").json()
    assert other == nobody and other["count"] == 0


def test_every_api_url_with_another_agencys_ids_is_a_404_and_changes_nothing(world):
    client, theirs = world["client"], world["theirs"]
    client.raise_request_exception = True  # a 500 fails with its traceback
    before = snapshot(theirs)
    secret = theirs.agency.name
    walked = 0
    cells = {KEY: 999}
    bodies = {
        "post": {"action": "submit", "version": theirs.version, "agency": theirs.agency_id, "year": 2030,
                 "cells": cells},
        "patch": {"version": theirs.version, "cells": cells, "title": "改"},
    }  # fmt: skip
    for route in api_patterns():
        if "<pk>" not in route and "(?P<pk>" not in route:
            continue
        pk = theirs.agency_id if "agencies" in route else theirs.pk
        url = fill(route, pk)
        missing = fill(route, 987654)
        walked += 1
        for method in ("get", "post", "patch", "put", "delete"):
            response = getattr(client, method)(url, bodies.get(method, {}), format="json")
            assert response.status_code in (404, 405), (method, url, response.status_code)
            assert secret not in response.content.decode(), (method, url)
            if response.status_code == 404:  # no oracle: the same answer as for an id nobody has
                nothing = getattr(client, method)(missing, bodies.get(method, {}), format="json")
                assert (nothing.status_code, nothing.json()) == (404, response.json()), (method, url)
    assert walked >= 8
    assert snapshot(theirs) == before


def test_the_filer_cannot_create_a_report_for_another_agency(world):
    client, theirs = world["client"], world["theirs"]
    response = client.post("/api/reports/", {"agency": theirs.agency_id, "year": 2030}, format="json")
    nothing = client.post("/api/reports/", {"agency": 987654, "year": 2030}, format="json")
    assert response.status_code == nothing.status_code == 400
    assert response.json() == nothing.json()
    assert "无权" in response.json()["agency"][0]
    assert not Report.objects.filter(agency=theirs.agency, year=2030).exists()


def test_a_reviewer_sees_every_agency(world):
    reviewer = make_user("rev", role=REVIEWER)
    client = api_client(reviewer)
    ids = {r["id"] for r in client.get("/api/reports/").json()["results"]}
    assert ids == {world["mine"].pk, world["theirs"].pk}
    assert client.get(f"/api/reports/{world['theirs'].pk}/cells/").status_code == 200


def test_a_user_without_a_role_gets_nothing():
    make_report()
    nobody = UserFactory(username="nobody")
    client = api_client(nobody)
    response = client.get("/api/reports/")
    assert response.status_code == 403 and "权限" in response.json()["detail"]
    assert client.get("/api/me/").json()["roles"] == []


@pytest.mark.parametrize(
    "state", ["revoked", "expired", "inactive_user", "wrong_key", "no_token"], ids=lambda s: s.replace("_", "-")
)
def test_a_bad_token_is_refused(world, state):
    me = world["me"]
    if state == "revoked":
        client = api_client(key=make_token(me, revoked=True))
    elif state == "expired":
        client = api_client(key=make_token(me, expires_at=timezone.now() - timedelta(minutes=1)))
    elif state == "inactive_user":
        key = make_token(me)
        me.is_active = False
        me.save()
        client = api_client(key=key)
    elif state == "wrong_key":
        make_token(me)
        client = api_client(key="nb_" + "x" * 43)
    else:
        client = api_client()
    response = client.get(f"/api/reports/{world['mine'].pk}/cells/")
    assert response.status_code == 401, response.content
    assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"])  # said in Chinese
    assert world["mine"].agency.name not in response.content.decode()


def test_me_names_the_token_user_and_their_agencies(world):
    data = world["client"].get("/api/me/").json()
    assert data["username"] == "me" and data["roles"] == [FILER] and data["sees_all"] is False
    assert [a["name"] for a in data["agencies"]] == [world["mine"].agency.name]


def test_the_browsable_pages_render_for_a_signed_in_filer_and_show_only_their_agency(world):
    from django.test import Client

    client = Client()
    client.force_login(world["me"])
    client.raise_request_exception = True
    mine, theirs = world["mine"], world["theirs"]
    for url in (
        "/api/", "/api/agencies/", f"/api/agencies/{mine.agency_id}/", "/api/reports/", "/api/reports/values/",
        f"/api/reports/{mine.pk}/", f"/api/reports/{mine.pk}/cells/", f"/api/reports/{mine.pk}/issues/",
        f"/api/reports/{mine.pk}/history/", "/api/cells/", "/api/me/",
    ):  # fmt: skip
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), url
        assert theirs.agency.name not in response.content.decode(), url
    assert client.get(f"/api/reports/{theirs.pk}/", HTTP_ACCEPT="text/html").status_code == 404
    # a session write needs the CSRF token, as every form of the site does
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(world["me"])
    response = csrf.patch(
        f"/api/reports/{mine.pk}/", {"version": mine.version, "cells": {KEY: 1}}, content_type="application/json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
