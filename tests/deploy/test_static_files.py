"""With DEBUG off, after `collectstatic` into the production storage, every static file a page links to answers
200 through WhiteNoise: all admin CSS, and the report page's scripts with report_form.js (the unsaved-changes
guard) — the pages link the hashed names the manifest holds."""

import gzip
import json
import re

import pytest
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.test import Client

from tests.factories import import_file, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert not settings.DEBUG
    return json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _source(name: str) -> bytes:
    for finder in get_finders():
        found = finder.find(name)
        if found:
            return open(found, "rb").read()
    raise AssertionError(f"{name} has no source")


def test_every_admin_stylesheet_and_nianbao_script_is_served_with_debug_off(collected):
    client = Client()  # a new client loads the middleware now, so WhiteNoise indexes the collected files
    names = [n for n in collected if n.startswith(("admin/css/", "nianbao/")) and n.endswith((".css", ".js"))]
    assert "admin/css/base.css" in names and "nianbao/report_form.js" in names
    for name in names:
        response = client.get(f"/static/{collected[name]}")
        assert response.status_code == 200, name
        body = _body(response)
        if name.endswith(".js"):
            assert body == _source(name), name
        else:
            assert body, name
    # gzip copies are served to browsers that ask
    response = client.get(f"/static/{collected['nianbao/report_form.js']}", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(_body(response)) == _source("nianbao/report_form.js")


def test_the_report_page_links_scripts_and_styles_that_answer_with_debug_off(collected):
    report = import_file("samples/002_cff4ace8f11033c3.txt").report
    client = Client()
    client.force_login(make_user("reviewer1"))
    page = client.get(f"/admin/reports/report/{report.pk}/change/")
    assert page.status_code == 200
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.content.decode())
    assert f"/static/{collected['nianbao/report_form.js']}" in urls
    assert f"/static/{collected['nianbao/admin.css']}" in urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get("/static/nianbao/no-such-script.js").status_code == 404
