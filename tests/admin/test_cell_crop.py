"""The picture of a scanned cell beside its value: served to those who may see the report, nobody else."""

from __future__ import annotations

import io
from functools import cache

import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from reports import services
from reports.parsing import parse_document
from reports.parsing.ocr_pdf import ocr_available
from reports.roles import FILER, REVIEWER
from tests.admin.test_access import login_as
from tests.factories import FIXTURES, AgencyFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ocr_available(), reason="OCR 模型未安装（requirements-ocr.txt）"),
]

KEY = "review_litigation.review.total"


@cache
def scanned_page() -> tuple[bytes, object]:
    """The scan's second page (表四) as a picture file, and its reading."""
    pdf = pdfium.PdfDocument(str(FIXTURES / "scans" / "r12_p3-4_scan.pdf"))
    try:
        image = pdf[1].render(scale=160 / 72).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(160, 160))
    data = out.getvalue()
    return data, parse_document(data, "扫描件第4页.png")


def _imported(agency):
    data, parsed = scanned_page()
    return services.report_import(parsed=parsed, data=data, agency=agency, year=2023).report


def test_reviewer_sees_the_picture_of_a_scanned_cell(client):
    report = _imported(AgencyFactory())
    login_as(client, REVIEWER, "reviewer")
    source = report.sources.get()
    url = reverse("admin:reports_report_cell_crop", args=[report.pk, source.pk, KEY])
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert 'id="nb-cell-crops"' in page and url in page and "nianbao/cell_crop.js" in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert "private" in response["Cache-Control"]
    # 表二 is not on this page: no picture; a key that is no cell: none either
    assert client.get(url.replace(KEY, "active_disclosure.fees.amount")).status_code == 404
    assert client.get(url.replace(KEY, "no.such.key")).status_code == 404


def test_a_filer_of_another_agency_gets_nothing(client):
    report = _imported(AgencyFactory())
    login_as(client, FILER, "filer", AgencyFactory())
    source = report.sources.get()
    url = reverse("admin:reports_report_cell_crop", args=[report.pk, source.pk, KEY])
    response = client.get(url)
    assert response.status_code in (302, 404)
    assert b"PNG" not in response.content
