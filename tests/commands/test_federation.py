"""Federation: a county's approved year exported as a package and imported in a city deployment reproduces the
county's approved figures exactly, keeps its approvals, shows what changed, and a tampered package is refused."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency
from reports import canonical, services
from reports.choices import ReportStatus
from reports.models import Report
from reports.rollup import rollup_build
from reports.selectors import report_values
from tests.tree import YEAR, build_tree

pytestmark = pytest.mark.django_db


def county_state(county):
    """{agency name: (status, 200 cells, texts)} of the county's approved reports of the year."""
    reports = Report.objects.filter(year=YEAR, status=ReportStatus.APPROVED, agency__path__startswith=county.path)
    return {
        r.agency.name: (r.status, report_values(r), r.title, r.overview, r.published_on, r.template_version)
        for r in reports
    }


def forget_county(county):
    """Make this deployment a city that never held the county: its reports and agencies gone."""
    subtree = Agency.objects.filter(path__startswith=county.path)
    Report.objects.filter(agency__in=subtree).delete()
    for agency in subtree.order_by("-depth"):
        agency.delete()


@pytest.fixture
def exported(tmp_path):
    tree = build_tree()
    county = tree["counties"][0]
    approved = Report.objects.filter(agency__path__startswith=county.path, status=ReportStatus.APPROVED)
    first = approved.first()
    services.report_transition(report=first, action="reopen", reason="补发布日期")
    first.refresh_from_db()
    services.report_update(report=first, fields={"title": "甲县某机关2023年年报", "overview": "总体情况……"})
    services.report_transition(report=first, action="approve", reason="县级复核通过", override=True)
    path = tmp_path / "jia.zip"
    out = io.StringIO()
    call_command("export_package", "--region", county.name, "--year", str(YEAR), "--output", str(path), stdout=out)
    digest = (tmp_path / "jia.zip.sha256").read_text().split()[0]
    assert digest in out.getvalue()
    return {"tree": tree, "county": county, "path": path, "sha": digest, "before": county_state(county)}


def test_a_county_package_reproduces_the_approved_figures_exactly(exported):
    county, before = exported["county"], exported["before"]
    rollup_before = rollup_build(county, YEAR)
    assert before, "the county has approved reports"
    forget_county(county)
    assert not Agency.objects.filter(name=county.name).exists()
    out = io.StringIO()
    call_command("import_package", str(exported["path"]), "--sha256", exported["sha"], "--parent", "测试市", stdout=out)
    assert f"新增 {len(before)} 份" in out.getvalue()
    new_county = Agency.objects.get(name=county.name)
    assert new_county.parent.name == "测试市人民政府"
    assert county_state(new_county) == before
    after = rollup_build(new_county, YEAR)
    assert after.total == rollup_before.total and after.approved_reports == rollup_before.approved_reports
    # the county's approval kept: its note, its approver and time in the event, the package hash
    report = Report.objects.get(agency__path__startswith=new_county.path, title="甲县某机关2023年年报")
    assert report.approval_note == "县级复核通过"
    event = report.events.filter(to_status=ReportStatus.APPROVED).latest("pk")
    assert event.details["package"] == exported["sha"] and event.details["county_approved_at"]
    # importing the same package again changes nothing
    again = io.StringIO()
    call_command("import_package", str(exported["path"]), "--sha256", exported["sha"], stdout=again)
    assert f"未变 {len(before)} 份" in again.getvalue()


def test_import_shows_what_changed_since_the_last_package(exported):
    county = exported["county"]
    # The city holds the package already (it is this deployment); someone here changed one approved cell.
    report = Report.objects.filter(agency__path__startswith=county.path, status=ReportStatus.APPROVED).first()
    key = canonical.ALL_KEYS[20]
    old = report_values(report)[key]
    services.report_transition(report=report, action="reopen", reason="本地修改")
    services.report_set_values(report=report, values={key: (old or 0) + 5}, validate=False)
    out = io.StringIO()
    call_command("import_package", str(exported["path"]), "--sha256", exported["sha"], "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"[变化] {report.agency.name}" in text and canonical.short_label(key) in text and "试运行" in text
    assert report_values(Report.objects.get(pk=report.pk))[key] == (old or 0) + 5  # dry run wrote nothing
    call_command("import_package", str(exported["path"]), "--sha256", exported["sha"], stdout=io.StringIO())
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report_values(report)[key] == old
    assert county_state(county) == exported["before"]


def _rewrite(path, member, change):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[member] = change(members[member])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())


def test_a_tampered_package_is_refused_and_nothing_is_written(exported, tmp_path):
    county = exported["county"]
    forget_county(county)
    # a different file than the county announced
    with pytest.raises(CommandError, match="不一致"):
        call_command("import_package", str(exported["path"]), "--sha256", "0" * 64, "--parent", "测试市")

    # a figure changed inside, the manifest left as it was
    def bump(data):
        payload = json.loads(data)
        cells = payload["reports"][0]["cells"]
        key = next(k for k, v in cells.items() if isinstance(v, int))
        cells[key] += 1
        return json.dumps(payload, ensure_ascii=False).encode()

    _rewrite(exported["path"], "reports.json", bump)
    from reports.services.federation import sha256_hex

    new_sha = sha256_hex(exported["path"].read_bytes())
    with pytest.raises(CommandError, match="校验失败"):
        call_command("import_package", str(exported["path"]), "--sha256", new_sha, "--parent", "测试市")
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CommandError, match="不是年报数据包"):
        call_command("import_package", str(not_zip), "--sha256", sha256_hex(not_zip.read_bytes()), "--parent", "测试市")
    assert not Agency.objects.filter(name=county.name).exists()
