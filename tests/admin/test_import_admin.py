"""导入年报 in the admin: upload a pile, see it before anything is saved, confirm, and every file lands whole."""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from agencies.models import Agency
from reports.models import Report, ReportEvent, SourceDocument
from tests.factories import FIXTURES, AgencyFactory

pytestmark = pytest.mark.django_db

FILES = [
    "samples/002_cff4ace8f11033c3.txt",
    "corpus/generated/r02_docx.docx",
    "corpus/real/001_huaian_hongze_qu_2023.pdf",
]


def upload(client, *paths, extra=()):
    files = [open(FIXTURES / p, "rb") for p in paths]
    try:
        response = client.post(reverse("admin:reports_report_import"), {"files": [*files, *extra]})
    finally:
        for f in files:
            f.close()
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_preview_writes_nothing_then_confirm_imports_each_file(admin_client):
    AgencyFactory(name="卫辉市上乐村镇人民政府", short_name="上乐村镇")
    preview_url = upload(admin_client, *FILES)
    page = admin_client.get(preview_url).content.decode()
    assert Report.objects.count() == 0 and SourceDocument.objects.count() == 0
    # each file shows what was read: the agency matched or to be created, year, tables, issues
    assert page.count('class="module nb-preview') == 3
    assert "卫辉市上乐村镇人民政府" in page and "永和县大营镇人民政府" in page and "洪泽区人民政府" in page
    assert "新建报告" in page and "行政复议" in page
    assert "R4" in page  # the Hongze PDF's own 表四 totals do not add up
    form = {f"include_{n}": "on" for n in range(3)}
    # agency choices as the preview pre-selected them: a match, and "new" for unknown agencies
    for n in range(3):
        options = re.search(rf'name="agency_{n}"[^>]*>(.*?)</select>', page, re.S).group(1)
        selected = re.search(r'<option value="(\w+)"[^>]* selected', options)
        form[f"agency_{n}"] = selected.group(1) if selected else "new"
        name = re.search(rf'name="new_name_{n}" value="([^"]*)"', page).group(1)
        form[f"new_name_{n}"] = name
        form[f"new_kind_{n}"] = "township"
        form[f"year_{n}"] = re.search(rf'name="year_{n}" value="(\d*)"', page).group(1)
    response = admin_client.post(preview_url, form, follow=True)
    assert response.status_code == 200
    assert Report.objects.count() == 3, [str(m) for m in response.context["messages"]]
    assert SourceDocument.objects.count() == 3
    assert ReportEvent.objects.filter(kind="import").count() == 3
    assert Agency.objects.filter(name="永和县大营镇人民政府", kind="township").exists()
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "成功 3 个，跳过 0 个，失败 0 个" in shown
    assert "自称" not in shown  # each landed under the agency it names


def test_bad_files_get_messages_and_good_ones_still_import(admin_client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../etc/passwd", b"x")
        z.writestr("scan.pdf", b"%PDF-1.4\n%%EOF")
        z.writestr("report.txt", (FIXTURES / FILES[0]).read_bytes())
    buf.name = "pile.zip"
    buf.seek(0)
    preview_url = upload(admin_client, extra=[buf])
    page = admin_client.get(preview_url).content.decode()
    assert "路径不安全" in page
    assert page.count("无法导入") >= 2
    form = {
        "include_2": "on",
        "agency_2": "new",
        "new_name_2": "卫辉市上乐村镇",
        "new_kind_2": "township",
        "year_2": "2023",
    }
    # a failing file that is ticked anyway gets its own message and does not stop the good one
    form.update({"include_1": "on", "agency_1": "new", "new_name_1": "x", "year_1": "2023"})
    response = admin_client.post(preview_url, form, follow=True)
    messages = " ".join(str(m) for m in response.context["messages"])
    assert Report.objects.count() == 1
    assert "该文件未导入" in messages and "成功 1 个，跳过 0 个，失败 2 个" in messages
    # the file that failed on import stays in a retry list, with its reason; the unreadable one is named
    assert "路径不安全" in messages
    retry = response.content.decode()
    assert retry.count('class="module nb-preview') == 1 and "scan.pdf" in retry and "上次导入未成功" in retry


def test_an_empty_file_among_good_ones_is_named_and_the_rest_previewed(admin_client):
    empty = io.BytesIO(b"")
    empty.name = "empty.txt"
    preview_url = upload(admin_client, FILES[0], extra=[empty])
    page = admin_client.get(preview_url).content.decode()
    assert page.count('class="module nb-preview') == 2
    assert "empty.txt" in page and "是空的" in page and "卫辉市上乐村镇" in page


def test_a_new_agency_is_offered_with_the_kind_its_name_says(admin_client):
    preview_url = upload(admin_client, "corpus/generated/r08_txt_layout.txt", FILES[0])
    page = admin_client.get(preview_url).content.decode()
    kinds = re.findall(r'name="new_kind_(\d)">.*?<option value="(\w+)" selected', page, re.S)
    assert dict(kinds) == {"0": "department", "1": "township"}  # 乐业县人力资源和社会保障局, 卫辉市上乐村镇


def test_a_file_imported_under_another_agency_than_it_names_is_flagged(admin_client):
    chosen = AgencyFactory(name="彭阳县新集乡人民政府", short_name="新集乡")
    preview_url = upload(admin_client, "samples/001_a7e4ba11a3b1e26d.txt")  # 安远县版石镇
    page = admin_client.get(preview_url).content.decode()
    assert "未能确定对应的机关" in page
    form = {"include_0": "on", "agency_0": str(chosen.pk), "year_0": "2023"}
    response = admin_client.post(preview_url, form, follow=True)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert Report.objects.get().agency == chosen
    assert "自称“安远县版石镇”，已按所选机关“彭阳县新集乡人民政府”导入" in shown


def test_same_file_twice_is_skipped(admin_client):
    agency = AgencyFactory(name="卫辉市上乐村镇人民政府", short_name="上乐村镇")
    for _ in range(2):
        url = upload(admin_client, FILES[0])
        admin_client.post(url, {"include_0": "on", "agency_0": str(agency.pk), "year_0": "2023"})
    assert Report.objects.count() == 1 and SourceDocument.objects.count() == 1


def test_upload_page_and_size_limit(admin_client, settings):
    assert "导入年报" in admin_client.get(reverse("admin:reports_report_import")).content.decode()
    settings.NIANBAO_MAX_UPLOAD_BYTES = 100
    url = upload(admin_client, FILES[0])
    assert "大小上限" in admin_client.get(url).content.decode()


def test_preview_batch_belongs_to_its_uploader(admin_client, django_user_model, client):
    url = upload(admin_client, FILES[0])
    other = django_user_model.objects.create_superuser("other", "", "pw")
    client.force_login(other)
    assert client.get(url).status_code == 403
