"""The OpenAPI schema is valid OpenAPI 3 and describes every API URL; the Swagger UI and Redoc pages load their
scripts from our own static files (drf-spectacular-sidecar), never from a CDN."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

from reports import canonical
from reports.roles import FILER, REVIEWER
from tests.api.conftest import api_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return api_client(make_user("reviewer", role=REVIEWER))


def test_the_schema_is_valid_openapi_and_covers_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)  # raises on an invalid document
    paths = set(schema["paths"])
    assert {
        "/api/agencies/", "/api/agencies/{id}/", "/api/reports/", "/api/reports/{id}/", "/api/reports/{id}/cells/",
        "/api/reports/{id}/issues/", "/api/reports/{id}/history/", "/api/reports/{id}/transition/", "/api/cells/",
        "/api/me/",
    } <= paths  # fmt: skip
    report = schema["paths"]["/api/reports/{id}/"]
    assert set(report) >= {"get", "patch"} and "put" not in report and "delete" not in report
    assert "409" in report["patch"]["responses"]
    params = {p["name"] for p in schema["paths"]["/api/reports/"]["get"]["parameters"]}
    assert {"year", "agency", "status", "page", "page_size"} <= params
    assert schema["components"]["securitySchemes"]  # the token scheme is described
    json_schema = client.get("/api/schema/?format=json")
    assert json_schema.status_code == 200 and json_schema.json() == schema


def test_the_docs_pages_load_nothing_from_outside(client):
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
        assert sources, url
        for src in sources:
            assert not src.startswith(("http:", "https:", "//")), (url, src)
        for name in re.findall(r"/static/(drf_spectacular_sidecar/[^\"']+)", page):
            assert finders.find(name), name  # shipped by the sidecar package, served as our static file
        # and the browser is told so: Redoc's own footer would otherwise fetch its logo from a CDN
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "img-src 'self' data: blob:" in policy and "http" not in policy
    assert '"validatorUrl": null' in client.get("/api/docs/").content.decode()  # no badge from the public validator
    assert api_client().get("/api/docs/").status_code in (401, 403)  # the docs are for signed-in users


def test_the_cell_names_are_the_canonical_keys():
    client = api_client(make_user("filer", role=FILER))
    rows = client.get("/api/cells/").json()
    assert [r["key"] for r in rows] == list(canonical.ALL_KEYS)
    assert [r["key"] for r in rows if r["decimal"]] == [canonical.FEES_KEY]
    assert all(r["label"] == canonical.LABELS[r["key"]] for r in rows)
