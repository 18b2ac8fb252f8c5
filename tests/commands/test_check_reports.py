"""check_reports: stored reports (stores their issues) or files (saves nothing); JSON lines; exit codes."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports import canonical, services
from reports.models import Report
from tests.factories import FIXTURES, label_values, make_report

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    code = 0
    try:
        call_command("check_reports", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue()


def test_stored_reports_json_and_exit_code():
    good = make_report(year=2023)
    services.report_set_values(report=good, values=label_values("expected/002_cff4ace8f11033c3.json"))
    bad = make_report(year=2023)
    values = label_values("expected/002_cff4ace8f11033c3.json")
    values[canonical.t3("granted", "total")] += 1
    services.report_set_values(report=bad, values=values)
    make_report(year=2022)  # another year: not checked
    code, out = run("--year", "2023", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert {line["report_id"] for line in lines} == {good.pk, bad.pk}
    by_id = {line["report_id"]: line for line in lines}
    assert not [i for i in by_id[good.pk]["issues"] if i["severity"] == "error"]
    r2 = [i for i in by_id[bad.pk]["issues"] if i["rule"] == "R2"]
    assert r2 and r2[0]["keys"] == list(canonical.keys_of_row("granted"))
    assert Report.objects.get(pk=bad.pk).error_count > 0  # results are stored


def test_agency_filter_and_clean_exit():
    good = make_report(year=2023)
    services.report_set_values(report=good, values=label_values("expected/002_cff4ace8f11033c3.json"))
    other = make_report(year=2023)
    services.report_set_values(report=other, values={canonical.t3("granted", "total"): 5})
    code, out = run("--agency", good.agency.short_name, "--json")
    assert code == 0
    assert [json.loads(line)["report_id"] for line in out.splitlines()] == [good.pk]


def test_unknown_agency_is_a_clear_error():
    with pytest.raises(CommandError, match="没有找到名称为或包含“不存在的机关”的机关") as caught:
        call_command("check_reports", "--agency", "不存在的机关", stdout=StringIO())
    assert caught.value.returncode == 2  # could not check; 1 is kept for "error-level issues found"


def test_agency_by_a_unique_part_of_its_name_like_export_report():
    report = make_report(year=2023)
    report.agency.name = "示例县洪泽区人民政府"
    report.agency.save()
    code, out = run("--agency", "洪泽", "--json")
    assert code in (0, 1) and [json.loads(line)["report_id"] for line in out.splitlines()] == [report.pk]


def test_files_are_checked_without_saving():
    files = [
        str(FIXTURES / "corpus/real/001_huaian_hongze_qu_2023.pdf"),
        str(FIXTURES / "samples/002_cff4ace8f11033c3.txt"),
    ]
    code, out = run("--file", *files, "--json")
    assert Report.objects.count() == 0
    lines = {json.loads(line)["source"]: json.loads(line) for line in out.splitlines()}
    # the source itself breaks the 表四 totals (its label's x_note): R4 and R6 fire, so the exit code is 1
    hongze = {i["rule"] for i in lines["001_huaian_hongze_qu_2023.pdf"]["issues"] if i["severity"] == "error"}
    assert hongze == {"R4", "R6"}
    assert not [i for i in lines["002_cff4ace8f11033c3.txt"]["issues"] if i["severity"] == "error"]
    assert code == 1


def test_unreadable_file_gets_an_error_line_and_code_2(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 not really")
    code, out = run("--file", str(junk), str(FIXTURES / "samples/002_cff4ace8f11033c3.txt"), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["source"] == "junk.pdf" and set(lines[0]["error"]) == {"code", "message"}  # as parse_report
    assert lines[1]["source"] == "002_cff4ace8f11033c3.txt" and "issues" in lines[1]
    assert code == 2


def test_parts_split_the_reports_without_overlap():
    reports = [make_report(year=2023) for _ in range(5)]
    seen = []
    for part in ("1/2", "2/2"):
        code, out = run("--year", "2023", "--json", "--part", part)
        assert code in (0, 1)
        seen.append({json.loads(line)["report_id"] for line in out.splitlines()})
    assert seen[0] and seen[1] and not seen[0] & seen[1]
    assert seen[0] | seen[1] == {r.pk for r in reports}


@pytest.mark.parametrize("bad", ["2", "0/2", "3/2", "a/b"])
def test_a_bad_part_is_a_clear_error(bad):
    with pytest.raises(CommandError, match="--part") as caught:
        call_command("check_reports", "--year", "2023", "--part", bad, stdout=StringIO())
    assert caught.value.returncode == 2
