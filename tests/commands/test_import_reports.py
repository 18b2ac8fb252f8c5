"""import_reports: files, folders and zips; dry run; idempotent re-runs; a bad file never stops the others."""

import io
import os
import shutil
import time
import zipfile
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, OperationalError

from agencies.models import Agency
from reports.models import Report, SourceDocument
from tests.factories import FIXTURES, AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pile(tmp_path):
    folder = tmp_path / "pile"
    folder.mkdir()
    for name in (
        "samples/002_cff4ace8f11033c3.txt",
        "corpus/generated/r02_docx.docx",
        "corpus/real/001_huaian_hongze_qu_2023.pdf",
    ):
        shutil.copy(FIXTURES / name, folder)
    return folder


def run(*args):
    out = StringIO()
    try:
        call_command("import_reports", *map(str, args), stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_dry_run_writes_nothing(pile):
    code, out = run(pile, "--dry-run", "--create-agencies")
    assert code == 0, out
    assert out.count("· 新建") == 3 and "预览，未写入" in out
    assert not Report.objects.exists() and not Agency.objects.exists()


def test_import_then_rerun_changes_nothing(pile):
    code, out = run(pile, "--yes", "--create-agencies", "--kind", "township")
    assert code == 0, out
    assert Report.objects.count() == 3 and SourceDocument.objects.count() == 3
    assert set(Agency.objects.values_list("kind", flat=True)) == {"township"}
    snapshot = list(Report.objects.order_by("pk").values_list("pk", "updated_at", "error_count"))
    code, out = run(pile, "--yes", "--create-agencies")
    assert code == 0 and out.count("= 跳过") == 3
    assert list(Report.objects.order_by("pk").values_list("pk", "updated_at", "error_count")) == snapshot
    assert SourceDocument.objects.count() == 3


def test_failing_file_among_good_ones(pile):
    (pile / "broken.docx").write_bytes((FIXTURES / "corpus/generated/r02_docx.docx").read_bytes()[:3000])
    (pile / "notes.txt").write_text("会议纪要：今天讨论了食堂菜单。", encoding="utf-8")
    code, out = run(pile, "--yes", "--create-agencies")
    assert code == 1
    assert "✖ 失败" in out and "broken.docx" in out and "notes.txt" in out
    assert Report.objects.count() == 3  # the good ones landed


def test_unknown_agency_needs_the_flag(pile):
    code, out = run(pile / "002_cff4ace8f11033c3.txt", "--yes")
    assert code == 1 and "找不到机关" in out and "--create-agencies" in out
    assert not Report.objects.exists()


def test_agency_and_year_overrides(pile):
    agency = AgencyFactory(name="某县某镇人民政府", short_name="某镇")
    code, out = run(pile / "002_cff4ace8f11033c3.txt", "--yes", "--agency", "某镇", "--year", "2024")
    assert code == 0, out
    report = Report.objects.get()
    assert report.agency == agency and report.year == 2024


def test_zip_with_bad_members(tmp_path):
    archive = tmp_path / "pile.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(FIXTURES / "samples/002_cff4ace8f11033c3.txt", "a/002.txt")
        z.writestr("../escape.txt", b"x")
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as zz:
            zz.writestr("x.txt", b"x")
        z.writestr("nested.zip", inner.getvalue())
    code, out = run(archive, "--yes", "--create-agencies")
    assert code == 1
    assert "路径不安全" in out and "嵌套压缩包" in out
    assert Report.objects.count() == 1


def test_non_interactive_without_yes_is_refused(pile):
    with pytest.raises(CommandError, match="--yes"):
        call_command("import_reports", str(pile), stdout=StringIO())


def test_a_folder_leaves_out_what_is_not_a_document(pile):
    (pile / "label.json").write_text("{}", encoding="utf-8")
    (pile / "README.md").write_text("# 说明", encoding="utf-8")
    code, out = run(pile, "--yes", "--create-agencies")
    assert code == 0, out
    assert "2 个不是年报格式的文件未读取：.json、.md" in out and Report.objects.count() == 3
    # named on its own, a file is always tried (and gets its own message)
    code, out = run(pile / "label.json", "--yes")
    assert code == 1 and "label.json" in out


def test_new_agencies_get_the_kind_their_names_say(pile):
    code, out = run(pile, "--yes", "--create-agencies")
    assert code == 0, out
    kinds = dict(Agency.objects.values_list("name", "kind"))
    assert kinds["卫辉市上乐村镇"] == "township" and kinds["洪泽区人民政府"] == "county_government"


def test_the_counts_printed_for_a_new_version_are_the_stored_reports(pile, tmp_path):
    from reports import canonical, services

    code, _ = run(pile / "002_cff4ace8f11033c3.txt", "--yes", "--create-agencies")
    report = Report.objects.get()
    key = canonical.t3("granted", "natural_person")
    services.report_set_values(report=report, values={key: 1})  # a hand correction that breaks R2 (row total)
    text = (pile / "002_cff4ace8f11033c3.txt").read_text(encoding="utf-8").replace("行政处罚", "行政处罚 ", 1)
    (tmp_path / "v2.txt").write_text(text, encoding="utf-8")
    code, out = run(tmp_path / "v2.txt", "--yes", "--agency", "上乐村镇")
    report.refresh_from_db()
    assert report.error_count > 0 and f"错误 {report.error_count}，警告 {report.warning_count}" in out


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("duplicate key value"),
        OperationalError("server closed the connection"),
    ],
)
def test_a_file_failing_on_the_database_is_reported_and_the_batch_goes_on(pile, monkeypatch, error):
    """Before, an IntegrityError or a lost connection stopped the whole batch with a traceback."""
    from reports.services import batch

    real, calls = batch.import_preview, []

    def flaky(item, **kwargs):
        calls.append(item.incoming.name)
        if len(calls) == 1:
            raise error
        return real(item, **kwargs)

    monkeypatch.setattr(batch, "import_preview", flaky)
    code, out = run(pile, "--yes", "--create-agencies", "--jobs", "1")
    assert code == 1 and "数据库错误，该文件未导入" in out
    assert len(calls) == 3 and Report.objects.count() == 2 and "失败 1" in out


def test_files_left_by_an_interrupted_run_are_removed_at_start(pile, settings):
    orphan = settings.MEDIA_ROOT / "sources" / "ab" / "killed-mid-run.txt"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"written, but the process was killed before its row was committed")
    old = time.time() - 3600
    os.utime(orphan, (old, old))
    code, out = run(pile, "--yes", "--create-agencies", "--jobs", "1")
    assert code == 0 and not orphan.exists() and "中断的导入留下的 1 个无记录文件" in out
    assert all((settings.MEDIA_ROOT / s.file.name).exists() for s in SourceDocument.objects.all())


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a real connection is killed on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_killed_mid_run_fails_one_file_and_the_rest_import(pile, monkeypatch):
    import psycopg
    from django.db import connection

    from reports.services import batch

    real, calls = batch.import_preview, []

    def killed_first(item, **kwargs):
        calls.append(item.incoming.name)
        if len(calls) == 1:  # the server drops this process's connection (a restart, a network cut)
            pid = connection.cursor().connection.info.backend_pid
            with psycopg.connect(dbname=connection.settings_dict["NAME"], host="127.0.0.1", user="postgres") as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return real(item, **kwargs)

    monkeypatch.setattr(batch, "import_preview", killed_first)
    code, out = run(pile, "--yes", "--create-agencies", "--jobs", "1")
    assert code == 1 and "数据库错误，该文件未导入" in out and len(calls) == 3
    assert Report.objects.count() == 2
