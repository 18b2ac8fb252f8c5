"""export_report and export_summary: the files they write, and clear Chinese messages — never a file — on bad
input."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reports.choices import ReportStatus
from reports.models import Report
from reports.selectors import report_values
from tests.exports.official_reader import read_values


@pytest.mark.parametrize("name", ["示例县乙镇人民政府", "乙镇", "示例县乙镇", "乙"])
def test_export_report_by_full_short_or_partial_name(county, tmp_path, name, capsys):
    out = tmp_path / "r.xlsx"
    call_command("export_report", agency=name, year=2023, output=str(out))
    report = county["reports"]["乙镇"]
    got = read_values(load_workbook(out).active)
    expected = report_values(report)
    assert {k: (None if v is None else Decimal(str(v))) for k, v in got.items()} == expected
    assert "已导出" in capsys.readouterr().out


def test_export_report_by_alias(county, tmp_path):
    out = tmp_path / "r.xlsx"
    call_command("export_report", agency="甲乡政府", year=2022, output=str(out))
    assert load_workbook(out).active["A2"].value.startswith("机关：示例县甲乡人民政府")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("不存在", "没有找到名称为或包含“不存在”的机关"),
        ("示例县", "“示例县”匹配到 4 个机关"),
        ("乡人民政府", "匹配到 2 个机关：示例县丙乡人民政府、示例县甲乡人民政府"),
    ],
)
def test_export_report_refuses_unknown_or_ambiguous_names(county, tmp_path, name, message):
    out = tmp_path / "r.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_report", agency=name, year=2023, output=str(out))
    assert not out.exists()


def test_export_report_without_a_report_for_the_year(county, tmp_path):
    with pytest.raises(CommandError, match=r"“示例县甲乡人民政府”没有 2031 年度的报告（已有年度：2022、2023）"):
        call_command("export_report", agency="甲乡", year=2031, output=str(tmp_path / "r.xlsx"))


@pytest.mark.parametrize(("path", "message"), [("r.csv", "应以 .xlsx 结尾"), ("nowhere/r.xlsx", "输出目录不存在")])
def test_export_report_refuses_bad_output_paths(county, tmp_path, path, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_report", agency="乙镇", year=2023, output=str(tmp_path / path))
    assert list(tmp_path.iterdir()) == []


def test_export_summary_writes_the_county_workbook(county, tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    call_command("export_summary", year=2023, output=str(out))
    wb = load_workbook(out)
    assert wb.sheetnames[:4] == ["汇总", "未报送", "问题清单", "说明"]
    assert "报告 3 份" in capsys.readouterr().out


def test_export_summary_filters_by_kind_and_status(county, tmp_path):
    Report.objects.filter(pk=county["reports"]["甲乡"].pk).update(status=ReportStatus.APPROVED)
    out = tmp_path / "s.xlsx"
    call_command("export_summary", year=2023, kind=["乡镇/街道"], status=["approved"], output=str(out))
    rows = [r for r in load_workbook(out)["汇总"].iter_rows(min_row=6, values_only=True) if r[0] != "合计"]
    assert [r[1] for r in rows] == ["示例县甲乡人民政府"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": 2031}, "2031 年度没有符合条件的报告，未生成文件"),
        ({"year": 2023, "status": ["approved"]}, r"2023 年度没有符合条件的报告（状态：已通过），未生成文件"),
        ({"year": 2023, "kind": ["乡镇"]}, "未知的机关类别：乡镇"),
        ({"year": 2023, "status": ["done"]}, "未知的报告状态：done"),
    ],
)
def test_export_summary_refuses_nothing_or_bad_filters(county, tmp_path, options, message):
    out = tmp_path / "s.xlsx"
    out.write_bytes(b"previous export")
    with pytest.raises(CommandError, match=message):
        call_command("export_summary", output=str(out), **options)
    assert out.read_bytes() == b"previous export"  # an earlier file is never replaced by a broken one
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]
