"""A curious 填报员 of one agency walks every admin URL and every import path with the ids of another agency's
report, source, history, upload batch and user: nothing of the other agency is shown or changed, and no request
answers 500."""

import io
import re

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from agencies.models import Agency
from reports import canonical, services
from reports.models import CellComment, LoginAttempt, Report
from reports.roles import ADMINISTRATOR, FILER
from reports.selectors import report_values
from tests.admin.test_import_admin import upload
from tests.factories import FIXTURES, import_file, make_user

pytestmark = pytest.mark.django_db

THEIRS = "samples/000_0644fa4e77b34486.txt"
MINE = "samples/002_cff4ace8f11033c3.txt"


def admin_patterns(resolver=None, prefix="/admin/"):
    """(route, pattern) of every URL of the admin site."""
    urls = resolver.url_patterns if resolver is not None else admin.site.get_urls()
    for entry in urls:
        if isinstance(entry, URLResolver):
            yield from admin_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


@pytest.fixture
def world():
    theirs = import_file(THEIRS).report
    mine = import_file(MINE).report
    boss = make_user("boss", role=ADMINISTRATOR, is_superuser=True)
    services.cell_comment_add(report=theirs, key=canonical.ALL_KEYS[0], text="他们的批注", user=boss)
    their_filer = make_user("their_filer", role=FILER, agency=theirs.agency)
    their_client = Client()
    their_client.force_login(their_filer)
    token = upload(their_client, THEIRS).rstrip("/").rsplit("/", 1)[-1]
    LoginAttempt.objects.create(
        username="their_filer", ip_address="10.0.0.9", user_agent="x", http_accept="", path_info="/admin/login/",
        get_data="", post_data="", failures_since_start=2,
    )  # fmt: skip
    return {"theirs": theirs, "mine": mine, "their_filer": their_filer, "token": token, "boss": boss}


def fill(route: str, pattern: URLPattern, world) -> str | None:
    theirs = world["theirs"]
    source = theirs.sources.get()
    model_ids = {
        "report": theirs.pk,
        "agency": theirs.agency_id,
        "sourcedocument": source.pk,
        "user": world["their_filer"].pk,
        "loginattempt": LoginAttempt.objects.get().pk,
    }
    admin_of = getattr(getattr(pattern.callback, "model_admin", None), "model", None)
    values = {
        "report_id": theirs.pk,
        "source_id": source.pk,
        "token": world["token"],
        "version_id": theirs.history.latest().history_id,
        "app_label": "reports",
        "content_type_id": ContentType.objects.get_for_model(Report).pk,
        "id": world["their_filer"].pk,
    }
    url = route
    for name in [*pattern.pattern.converters, *_plain_groups(route)]:
        value = values.get(name)
        if name == "object_id":
            model = admin_of._meta.model_name if admin_of else _model_from_route(route)
            value = model_ids.get(model, theirs.pk)
        if value is None:
            return None
        url = _substitute(url, name, value)
    if "([^/]+)" in url:  # django-simple-history's version page: (object id, version id)
        url = url.replace("([^/]+)", str(model_ids.get(_model_from_route(route), theirs.pk)), 1)
        url = url.replace("([^/]+)", str(_version_of(admin_of, model_ids, theirs)), 1)
    return url.replace("^", "").replace("$", "")


def _version_of(model, model_ids, theirs):
    if model is Agency:
        return theirs.agency.history.latest().history_id
    return theirs.history.latest().history_id


def _plain_groups(route):
    return re.findall(r"\(\?P<(\w+)>", route)


def _substitute(route, name, value):
    route = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), route)
    return re.sub(rf"<(?:\w+:)?{name}>", str(value), route)


def _model_from_route(route):
    parts = [p for p in route.split("/") if p]
    return parts[2] if len(parts) > 2 else ""


def snapshot(world):
    theirs = Report.objects.get(pk=world["theirs"].pk)
    return (
        theirs.status, theirs.version, theirs.title, report_values(theirs), theirs.sources.count(),
        CellComment.objects.filter(report=theirs, resolved=False).count(), theirs.agency.name,
        list(Agency.objects.filter(pk=theirs.agency_id).values_list("members", flat=True)),
        world["boss"].__class__.objects.get(pk=world["boss"].pk).is_superuser,
        world["their_filer"].__class__.objects.get(pk=world["their_filer"].pk).password,
    )  # fmt: skip


def test_a_filer_of_another_agency_walks_every_admin_url(client, world):
    me = make_user("curious", role=FILER, agency=world["mine"].agency)
    client.force_login(me)
    client.raise_request_exception = True  # a 500 fails the test with its traceback
    theirs = world["theirs"]
    secret = theirs.agency.name
    before = snapshot(world)
    walked = 0
    for route, pattern in admin_patterns():
        url = fill(route, pattern, world)
        if url is None or "logout" in url:
            continue
        walked += 1
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404, 405), (url, response.status_code)
        if response.status_code == 200:
            assert secret not in response.content.decode(), f"{url} shows the other agency"
        for data in ({}, {"nb_action": "submit", "nb_comment_id": "1", "action": "delete_selected", "post": "yes",
                          "_selected_action": [theirs.pk], "include_0": "on", "agency_0": str(theirs.agency_id),
                          "year_0": "2023", "take_all": "1", "fingerprint": "x", "title": "改", "year": 2023,
                          "agency": theirs.agency_id, "template_version": "2021"}):  # fmt: skip
            response = client.post(url, data)
            assert response.status_code in (200, 302, 400, 403, 404, 405, 409), (url, response.status_code)
            if response.status_code == 200:
                assert secret not in response.content.decode(), f"POST {url} shows the other agency"
    assert walked > 40
    assert snapshot(world) == before


def test_every_import_path_refuses_another_agency(client, world):
    theirs = world["theirs"]
    me = make_user("curious", role=FILER, agency=world["mine"].agency)
    client.force_login(me)
    before = snapshot(world)
    # the other filer's upload batch: neither its preview nor its confirmation
    url = reverse("admin:reports_report_import_preview", args=[world["token"]])
    assert client.get(url).status_code == 403
    assert client.post(url, {"include_0": "on", "agency_0": str(theirs.agency_id), "year_0": "2023"}).status_code == 403
    # my own upload of their document, pointed at their agency: refused per file
    mine_url = upload(client, THEIRS)
    response = client.post(
        mine_url, {"include_0": "on", "agency_0": str(theirs.agency_id), "year_0": str(theirs.year)}, follow=True
    )
    said = " ".join(str(m) for m in response.context["messages"])
    assert "未导入" in said  # their agency is not one this user can choose: the file is not imported
    # the flat sheet naming their agency
    sheet = io.BytesIO(f"机关,年度\n{theirs.agency.name},{theirs.year}\n".encode())
    sheet.name = "flat.csv"
    response = client.post(
        reverse("admin:reports_report_flat_import"), {"import_file": sheet, "format": "1", "resource": "0"}
    )
    assert "找不到机关" in response.content.decode()
    # the comparison page and a workflow step
    assert client.post(reverse("admin:reports_report_diff", args=[theirs.pk]), {"take_all": "1"}).status_code == 404
    assert snapshot(world) == before
    assert (FIXTURES / THEIRS).exists()
