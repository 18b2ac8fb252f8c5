"""Hostile and heavy uploads through 导入年报: bombs refused with a message, uploads streamed to disk (never the
pile in memory), a per-request limit before the body is read, an hourly allowance per user, and storage or
database faults answered with a page instead of a 500."""

import io
import json
import os
import time
import zipfile

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse

from reports.models import Report, SourceDocument
from reports.services import batch, incoming
from reports.services.incoming import INCOMING
from tests.admin.test_import_admin import FILES, upload
from tests.bombs import docx_bomb, xlsx_cells
from tests.factories import FIXTURES, AgencyFactory, import_file

pytestmark = pytest.mark.django_db

SAMPLE = FIXTURES / FILES[0]


def named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_office_bombs_uploaded_are_refused_with_a_message(admin_client):
    preview_url = upload(
        admin_client, FILES[0], extra=[named(docx_bomb(64 << 20), "炸弹.docx"), named(xlsx_cells(2_000_000), "大.xlsx")]
    )
    page = admin_client.get(preview_url).content.decode()
    assert page.count("压缩炸弹") >= 2 and "炸弹.docx" in page and "大.xlsx" in page
    assert "卫辉市上乐村镇" in page  # the good file is still read


def test_uploads_land_on_disk_under_generated_names_and_are_read_when_needed(admin_client, settings):
    pile = io.BytesIO()
    with zipfile.ZipFile(pile, "w") as z:
        z.writestr("a/年报.txt", SAMPLE.read_bytes())
    preview_url = upload(admin_client, FILES[0], extra=[named(pile.getvalue(), "pile.zip")])
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    folder = settings.MEDIA_ROOT / INCOMING / token
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [f["name"] for f in manifest["files"]] == [SAMPLE.name, "pile.zip/a/年报.txt"]
    stored = sorted(p.name for p in folder.iterdir() if p.suffix == ".bin")
    assert stored == [f["path"] for f in manifest["files"]]  # the zip itself is not kept, its member is
    assert all((folder / f["path"]).read_bytes() == SAMPLE.read_bytes() for f in manifest["files"])
    items = incoming.batch_load(token=token, user=_user(admin_client))
    assert all(i.path is not None and i.data == b"" for i in items)


def _user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_a_request_over_the_limit_is_refused_before_its_body_is_read(admin_client, settings):
    settings.NIANBAO_UPLOAD_MAX_REQUEST_BYTES = 50_000
    response = admin_client.post(reverse("admin:reports_report_import"), {"files": [named(b"x" * 60_000, "big.txt")]})
    assert response.status_code == 413 and "超过单次上传的上限" in response.content.decode()
    assert not (settings.MEDIA_ROOT / INCOMING).exists()


def test_the_hourly_allowance_per_user(admin_client, settings):
    settings.NIANBAO_UPLOAD_MAX_BYTES_PER_HOUR = int(SAMPLE.stat().st_size * 2.5)
    upload(admin_client, FILES[0])
    upload(admin_client, FILES[0])
    response = admin_client.post(
        reverse("admin:reports_report_import"), {"files": [named(SAMPLE.read_bytes(), "x.txt")]}
    )
    assert response.status_code == 429 and "每小时" in response.content.decode()


def test_an_unwritable_media_root_gets_a_page_not_a_500(admin_client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "media"
    response = admin_client.post(
        reverse("admin:reports_report_import"), {"files": [named(SAMPLE.read_bytes(), "a.txt")]}
    )
    assert response.status_code == 503 and "存储目录不可写" in response.content.decode()


def test_confirm_with_an_unwritable_sources_folder_reports_the_file(admin_client, settings):
    preview_url = upload(admin_client, FILES[0])
    (settings.MEDIA_ROOT / "sources").write_text("a file where the folder should be")
    agency = AgencyFactory(name="卫辉市上乐村镇人民政府", short_name="上乐村镇")
    response = admin_client.post(
        preview_url, {"include_0": "on", "agency_0": str(agency.pk), "year_0": "2023"}, follow=True
    )
    said = " ".join(str(m) for m in response.context["messages"])
    assert "存储目录不可写" in said and "失败 1 个" in said
    assert not Report.objects.exists()


def test_a_dropped_database_connection_during_confirm_fails_that_file_and_goes_on(admin_client, monkeypatch):
    preview_url = upload(admin_client, FILES[0], FILES[1])
    real = batch.import_preview
    calls = []

    def flaky(item, **kwargs):
        calls.append(item.incoming.name)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(item, **kwargs)

    monkeypatch.setattr(batch, "import_preview", flaky)
    form = {"include_0": "on", "agency_0": "new", "new_name_0": "卫辉市上乐村镇", "year_0": "2023"}
    form |= {"include_1": "on", "agency_1": "new", "new_name_1": "示例县乙镇", "year_1": "2023"}
    response = admin_client.post(preview_url, form, follow=True)
    assert response.status_code == 200
    said = " ".join(str(m) for m in response.context["messages"])
    assert "数据库连接中断" in said and "成功 1 个" in said and "失败 1 个" in said


def test_out_of_range_year_and_agency_ids_are_refused_per_file(admin_client):
    preview_url = upload(admin_client, FILES[0])
    for year, agency in (("99999999999", "1"), ("2023", "9" * 40), ("²⁰²³", "x")):
        response = admin_client.post(preview_url, {"include_0": "on", "agency_0": agency, "year_0": year}, follow=True)
        assert response.status_code == 200
        preview_url = upload(admin_client, FILES[0])


def test_a_missing_source_file_is_a_404_page_not_a_500(admin_client, settings):
    report = import_file(FILES[0]).report
    source = report.sources.get()
    os.remove(settings.MEDIA_ROOT / source.file.name)
    response = admin_client.get(reverse("admin:reports_report_source", args=[report.pk, source.pk]))
    assert response.status_code == 404 and "不在服务器上" in response.content.decode()


def test_a_comment_id_that_is_not_a_number_is_a_404(admin_client):
    report = import_file(FILES[0]).report
    for bad in ("abc", "1 OR 1=1", "", "9" * 30):
        response = admin_client.post(
            reverse("admin:reports_report_comment_resolve", args=[report.pk]), {"nb_comment_id": bad}
        )
        assert response.status_code == 404


def test_cleanup_removes_abandoned_batches_and_orphans_and_keeps_the_rest(admin_client, settings):
    from django.core.management import call_command

    old = time.time() - 3 * 24 * 3600
    abandoned = upload(admin_client, FILES[0]).rstrip("/").rsplit("/", 1)[-1]
    fresh = upload(admin_client, FILES[0]).rstrip("/").rsplit("/", 1)[-1]
    os.utime(settings.MEDIA_ROOT / INCOMING / abandoned, (old, old))
    kept = import_file(FILES[0]).report.sources.get()
    os.utime(settings.MEDIA_ROOT / kept.file.name, (old, old))
    orphan = settings.MEDIA_ROOT / "sources" / "ab" / "0123456789abcdef.txt"  # an import killed before its commit
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"x")
    os.utime(orphan, (old, old))
    young_orphan = orphan.with_name("young.txt")  # perhaps an import still in its transaction
    young_orphan.write_bytes(b"x")
    flat = settings.MEDIA_ROOT / "flat-import" / "1" / ("f" * 32)
    flat.parent.mkdir(parents=True)
    flat.write_bytes(b"x")
    os.utime(flat, (old, old))
    out = io.StringIO()
    call_command("cleanup_incoming", stdout=out)
    assert not (settings.MEDIA_ROOT / INCOMING / abandoned).exists()
    assert (settings.MEDIA_ROOT / INCOMING / fresh).exists()
    assert not orphan.exists() and young_orphan.exists() and not flat.exists()
    assert (settings.MEDIA_ROOT / kept.file.name).exists() and SourceDocument.objects.count() == 1
    assert "中断导入遗留的文件 1 个" in out.getvalue()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a real connection is killed on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_killed_during_confirm_fails_that_file_and_the_next_imports(admin_client, monkeypatch):
    import psycopg
    from django.db import connection

    preview_url = upload(admin_client, FILES[0], FILES[1])
    real, calls = batch.import_preview, []

    def killed_first(item, **kwargs):
        calls.append(item.incoming.name)
        if len(calls) == 1:
            pid = connection.cursor().connection.info.backend_pid
            with psycopg.connect(dbname=connection.settings_dict["NAME"], host="127.0.0.1", user="postgres") as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return real(item, **kwargs)

    monkeypatch.setattr(batch, "import_preview", killed_first)
    form = {"include_0": "on", "agency_0": "new", "new_name_0": "卫辉市上乐村镇", "year_0": "2023"}
    form |= {"include_1": "on", "agency_1": "new", "new_name_1": "示例县乙镇", "year_1": "2023"}
    response = admin_client.post(preview_url, form, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "数据库连接中断" in said and "成功 1 个" in said and "失败 1 个" in said
    assert Report.objects.count() == 1
