"""The source panel's views: where every cell came from in each stored version, a PDF page as an image, and the
tables of other documents as read — checked like the source download."""

import pytest
from django.urls import reverse

from reports import canonical
from reports.models import SourceDocument
from reports.roles import FILER
from reports.source_view import cell_places
from tests.admin.test_access import login_as
from tests.factories import import_file

pytestmark = pytest.mark.django_db

PDF = "corpus/real/001_huaian_hongze_qu_2023.pdf"
HTML = "corpus/generated/r01_html.html"
CELL = canonical.t3("new_received", "natural_person")


def panel(client, report):
    source = report.sources.get()
    response = client.get(reverse("admin:reports_report_source_panel", args=[report.pk, source.pk]))
    assert response.status_code == 200
    return response.json()


def test_pdf_cells_have_their_page_and_box_and_the_page_renders(admin_client):
    report = import_file(PDF).report
    data = panel(admin_client, report)
    assert data["kind"] == "pdf" and data["pages"] >= 4
    place = data["cells"][CELL]
    assert place["page"] == 3 and place["raw"] == "21"
    left, top, right, bottom = place["box"]
    assert 0 < left < right < 1 and 0 < top < bottom < 1 and right - left < 0.1 and bottom - top < 0.05
    # the next column's cell stands right of it on the same line
    other = data["cells"][canonical.t3("new_received", "commercial")]["box"]
    assert other[0] >= right - 0.001 and abs(other[1] - top) < 0.005
    page = admin_client.get(data["page_url"] + "3.png")
    assert page.status_code == 200 and page["Content-Type"] == "image/png"
    assert page.content.startswith(b"\x89PNG\r\n\x1a\n") and len(page.content) > 10_000
    assert admin_client.get(data["page_url"] + "99.png").status_code == 404


def test_a_reading_stored_without_boxes_gets_them_from_the_pdf(admin_client):
    report = import_file(PDF).report
    source = report.sources.get()
    fresh = panel(admin_client, report)["cells"]
    parsed = source.parsed
    for src in parsed["provenance"].values():  # as stored before the reader kept boxes (and dropped table 0)
        src.pop("box", None)
        if src.get("table") == 0:
            del src["table"]
    SourceDocument.objects.filter(pk=source.pk).update(parsed=parsed)
    report.refresh_from_db()
    old = panel(admin_client, report)["cells"]
    assert old[CELL]["box"] == fresh[CELL]["box"]
    first_table = "active_disclosure.regulations.issued"
    assert old[first_table]["table"] == 0 and old[first_table]["box"] == fresh[first_table]["box"]


def test_html_tables_as_read_and_the_cell_position(admin_client):
    report = import_file(HTML).report
    data = panel(admin_client, report)
    assert data["kind"] == "document"
    read = [p for p in data["cells"].values() if p.get("raw") and "table" in p]
    assert len(read) >= 50
    for place in read:  # every cell read from a table points at the grid cell that holds what it read
        text, merged = data["tables"][place["table"]]["rows"][place["row"]][place["col"]]
        assert text.strip() == place["raw"]
    page = reverse("admin:reports_report_source_page", args=[report.pk, report.sources.get().pk, 1])
    assert admin_client.get(page).status_code == 404


def test_another_agencys_filer_gets_not_found(client):
    mine = import_file("samples/002_cff4ace8f11033c3.txt").report
    theirs = import_file(PDF).report
    login_as(client, FILER, "filer", mine.agency)
    for name, args in [
        ("admin:reports_report_source_panel", [theirs.pk, theirs.sources.get().pk]),
        ("admin:reports_report_source_page", [theirs.pk, theirs.sources.get().pk, 1]),
        ("admin:reports_report_source_panel", [mine.pk, theirs.sources.get().pk]),  # another report's source
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    data = panel(client, mine)
    assert data["kind"] == "document" and data["lines"]
    assert data["cells"][CELL]["line"] >= 1


def test_cell_places_of_old_readings():
    places = cell_places({"a": {"raw": "1", "row": 3, "col": 2, "page": 1}, "b": {"line": 4, "raw": "0"}})
    assert places["a"]["table"] == 0 and "table" not in places["b"]
