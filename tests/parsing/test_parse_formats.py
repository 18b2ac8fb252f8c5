"""The readers: format sniffing, encodings, HTML spans and blanks, Word merges, Excel, LibreOffice."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import reports.parsing.office as office
from reports import canonical
from reports.parsing import ParseError, detect_format, parse_document, read_document
from reports.parsing.docx import read_docx
from reports.parsing.html import read_html
from tests.parsing.helpers import CORPUS, FIXTURES, SAMPLES, compare, load_label

SAMPLE = SAMPLES / "002_cff4ace8f11033c3.txt"
SAMPLE_LABEL = SAMPLES.parent / "expected" / "002_cff4ace8f11033c3.json"


def _exact(report) -> bool:  # type: ignore[no-untyped-def]
    wrong, missing = compare(load_label(SAMPLE_LABEL), report.values)
    return not wrong and not missing


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-16"])
def test_text_in_chinese_encodings(encoding: str) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    report = parse_document(text.encode(encoding), "report.txt")
    assert _exact(report)
    assert report.agency == "卫辉市上乐村镇"


def test_windows_line_endings() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    assert _exact(parse_document(text.encode("utf-8"), "crlf.txt"))


def test_gbk_html_with_declared_charset() -> None:
    html = (CORPUS / "generated" / "r06_html.html").read_text(encoding="utf-8")
    html = html.replace(
        '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    )
    report = parse_document(html.encode("gb18030"), "page.htm")
    label = load_label(CORPUS / "generated" / "r06_html.json")
    assert compare(label, report.values) == ([], [])
    assert report.agency == "来宾市兴宾区西关街道办事处"


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        (CORPUS / "generated" / "r01_html.html", "report.txt", "html"),  # a .txt that is really HTML
        (CORPUS / "generated" / "r02_docx.docx", "report.doc", "docx"),  # a .doc that is really .docx
        (CORPUS / "generated" / "r02_xlsx.xlsx", "report.xls", "xlsx"),
        (CORPUS / "generated" / "r02_pdf.pdf", "report", "pdf"),
        (CORPUS / "generated" / "r01_doc.doc", "report.doc", "doc"),
        (SAMPLE, "report.htm", "html"),
        (SAMPLE, "report", "txt"),
    ],
)
def test_format_from_content_first(source: Path, name: str, expected: str) -> None:
    assert detect_format(source.read_bytes(), name) == expected


def test_docx_named_doc_is_read_as_docx() -> None:
    report = parse_document((CORPUS / "generated" / "r02_docx.docx").read_bytes(), "report.doc")
    assert report.format == "docx"
    assert compare(load_label(CORPUS / "generated" / "r02_docx.json"), report.values) == ([], [])


def test_html_rowspan_colspan_and_nbsp() -> None:
    html = """<html><head><meta charset="gbk"></head><body>
    <table>
      <tr><td rowspan="2" colspan="2">标签</td><td colspan="2">合并</td></tr>
      <tr><td>1</td><td>&nbsp;</td></tr>
      <tr><td>a</td><td>b</td><td>2</td><td>3</td></tr>
    </table></body></html>"""
    doc = read_html(html.encode("gbk"))
    (table,) = doc.tables
    texts = [[c.text for c in row] for row in table.rows]
    assert texts == [["标签", "标签", "合并", "合并"], ["标签", "标签", "1", "\xa0".strip()], ["a", "b", "2", "3"]]
    assert [c.merged for c in table.rows[1]] == [True, True, False, False]


def test_nested_layout_table_is_running_text() -> None:
    html = """<table><tr><td><p>外层文字</p>
      <table><tr><td>内</td><td>1</td></tr></table></td></tr></table>"""
    doc = read_html(html.encode("utf-8"))
    assert len(doc.tables) == 1 and doc.tables[0].rows[0][1].text == "1"
    assert any("外层文字" in ln.text for ln in doc.lines)


def test_docx_vertical_and_horizontal_merges() -> None:
    doc = read_docx((CORPUS / "generated" / "r05_docx.docx").read_bytes())
    t3 = next(t for t in doc.tables if any("申请人情况" in c.text for c in t.rows[0]))
    head = t3.rows[0]
    assert head[0].text.startswith("（本列数据") and head[1].merged and head[2].merged
    assert t3.rows[1][0].merged and t3.rows[1][0].text == head[0].text  # vertical merge continues
    assert [c.text for c in t3.rows[2][5:9]] == ["科研\n机构", "社会公益组织", "法律服务机构", "其他"]
    assert t3.rows[2][9].text == "总计" and t3.rows[2][9].merged


def test_excel_sheet_with_all_three_tables_and_decimal_fee() -> None:
    data = (CORPUS / "generated" / "r07_xlsx.xlsx").read_bytes()
    report = parse_document(data, "r07.xlsx")
    assert report.values[canonical.FEES_KEY] == Decimal("2.2")


def test_excel_made_here() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某某局2024年政府信息公开工作年度报告"])
    ws.append(["第二十条第（一）项"])
    ws.append(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])
    ws.append(["规章", 0, 0, 0])
    ws.append(["行政规范性文件", 3, 1, 12])
    buf = io.BytesIO()
    wb.save(buf)
    report = parse_document(buf.getvalue(), "made.xlsx")
    assert report.values["active_disclosure.normative_documents.issued"] == 3
    assert report.values["active_disclosure.normative_documents.in_force"] == 12
    assert report.agency == "某某局" and report.year == 2024
    missing = {k for w in report.warnings for k in w.keys}
    assert canonical.t3("new_received", "total") in missing


def test_without_libreoffice_doc_gets_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office.shutil, "which", lambda name: None)
    with pytest.raises(ParseError) as err:
        read_document((CORPUS / "generated" / "r01_doc.doc").read_bytes(), "doc", "r01.doc")
    assert err.value.code == "converter_missing"
    assert "LibreOffice" in err.value.message and ".doc" in err.value.message


@pytest.mark.skipif(office.soffice_path() is None, reason="LibreOffice (soffice) 未安装：无法转换 .wps")
def test_wps_is_converted_like_doc() -> None:
    data = (CORPUS / "generated" / "r09_doc.doc").read_bytes()
    report = parse_document(data, "report.wps")
    assert report.format == "wps"
    assert compare(load_label(CORPUS / "generated" / "r09_doc.json"), report.values) == ([], [])


def test_legacy_excel() -> None:
    """``r07_xlsx.xlsx`` saved as Excel 97 by LibreOffice (tests/fixtures/variants), read with xlrd."""
    report = parse_document(FIXTURES / "variants" / "r07_xlsx__lo_xls.xls")
    assert report.format == "xls"
    assert compare(load_label(CORPUS / "generated" / "r07_xlsx.json"), report.values) == ([], [])


def test_text_pasted_into_an_html_pre_keeps_its_tabs() -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("&", "&amp;").replace("<", "&lt;")
    page = f"<html><body><div class='nav'>首页 &gt; 年报</div><pre>{text}</pre></body></html>"
    report = parse_document(page.encode("utf-8"), "pasted.html")
    assert _exact(report)
