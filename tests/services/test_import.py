"""Importing documents: new reports, new versions that keep hand corrections, identical files skipped."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports import canonical, services
from reports.models import Report, ReportEvent, SourceDocument
from reports.models.report import ReportLockedError
from reports.parsing import parse_document
from reports.selectors import report_values
from tests.factories import FIXTURES, AgencyFactory, UserFactory, import_file

pytestmark = pytest.mark.django_db

SAMPLE = "samples/002_cff4ace8f11033c3.txt"
GRANTED_NP = canonical.t3("granted", "natural_person")
PUNISH = "active_disclosure.punishment.decisions"


def test_new_document_creates_report_with_values_source_history_and_event():
    result = import_file(SAMPLE)
    report = result.report
    assert result.action == "created" and report.status == "submitted"
    parsed = parse_document(FIXTURES / SAMPLE)
    assert report_values(report) == parsed.values
    source = SourceDocument.objects.get(report=report)
    assert source.version == 1 and source.original_name == "002_cff4ace8f11033c3.txt"
    assert source.sha256 == parsed.sha256 and source.file.read() == (FIXTURES / SAMPLE).read_bytes()
    assert "上乐村镇" in source.extracted_text and source.parsed["applications"]["new_received"]
    assert report.overview and report.sections_found
    assert ReportEvent.objects.filter(report=report, kind="import").count() == 1
    (created,) = report.outcomes.get(row="new_received").history.all()  # created with the values read
    assert created.total == parsed.values[canonical.t3("new_received", "total")]
    assert created.history_change_reason == "导入 002_cff4ace8f11033c3.txt"


def test_identical_file_is_skipped():
    first = import_file(SAMPLE)
    again = import_file(SAMPLE, agency=first.report.agency)
    assert again.action == "skipped" and again.report == first.report
    assert SourceDocument.objects.count() == 1


def _edited_copy(tmp_path, old: str, new: str):
    """The same report sent again after a phone call: one figure changed in the text."""
    text = (FIXTURES / SAMPLE).read_text(encoding="utf-8")
    assert text.count(old) >= 1
    path = tmp_path / "002_v2.txt"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_reimport_keeps_hand_corrections_and_offers_the_new_values(tmp_path):
    report = import_file(SAMPLE).report
    values = report_values(report)
    reviewer = UserFactory(username="reviewer", is_superuser=True)
    # the reviewer corrects one cell by hand
    services.report_set_values(report=report, values={PUNISH: values[PUNISH] + 1}, user=reviewer, reason="电话核实")
    # a corrected document arrives: it changes 行政处罚 too — and nothing else is hand-edited
    text = (FIXTURES / SAMPLE).read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("行政处罚"))
    v2 = _edited_copy(tmp_path, line, line.replace(str(values[PUNISH]), str(values[PUNISH] + 7)))
    result = import_file(v2, agency=report.agency)
    assert result.action == "updated" and result.source.version == 2
    assert result.kept == [PUNISH]  # the hand correction wins until the reviewer chooses
    assert report_values(report)[PUNISH] == values[PUNISH] + 1
    source, rows = services.report_source_diff(report)
    assert source.version == 2
    assert [(r.key, r.previous, r.current, r.new) for r in rows] == [
        (PUNISH, values[PUNISH], values[PUNISH] + 1, values[PUNISH] + 7)
    ]
    services.report_take_source_values(report=report, keys=[PUNISH], user=reviewer)
    assert report_values(report)[PUNISH] == values[PUNISH] + 7
    assert services.report_source_diff(report)[1] == []


def test_reimport_takes_new_values_where_nothing_was_corrected(tmp_path):
    report = import_file(SAMPLE).report
    before = report_values(report)
    text = (FIXTURES / SAMPLE).read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("行政处罚"))
    v2 = _edited_copy(tmp_path, line, line.replace(str(before[PUNISH]), str(before[PUNISH] + 2)))
    result = import_file(v2, agency=report.agency)
    assert result.changed == [PUNISH] and result.kept == []
    assert report_values(report)[PUNISH] == before[PUNISH] + 2


def test_reimport_never_blanks_a_number(tmp_path):
    report = import_file(SAMPLE).report
    before = report_values(report)
    text = (FIXTURES / SAMPLE).read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("行政处罚"))
    v2 = _edited_copy(tmp_path, line, "行政处罚\t")  # the figure is missing from the new copy
    result = import_file(v2, agency=report.agency)
    assert PUNISH in result.kept_blank and PUNISH not in result.changed and PUNISH not in result.kept
    assert "为空或未能读出，保留原数值" in result.message and "人工修改" not in result.message
    assert report_values(report)[PUNISH] == before[PUNISH]


def test_a_number_kept_over_a_blank_is_still_the_documents_to_update(tmp_path):
    """v1 says 0, v2 leaves the cell blank (0 kept), v3 says 7: nobody corrected anything, so 7 it is."""
    report = import_file(SAMPLE).report
    text = (FIXTURES / SAMPLE).read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("行政处罚"))
    assert report_values(report)[PUNISH] == 0
    import_file(_edited_copy(tmp_path, line, "行政处罚\t"), agency=report.agency)
    v3 = tmp_path / "002_v3.txt"
    v3.write_text(text.replace(line, line.replace("0", "7", 1), 1), encoding="utf-8")
    result = import_file(v3, agency=report.agency)
    assert result.changed == [PUNISH] and result.kept == [] and report_values(report)[PUNISH] == 7


def test_texts_follow_new_documents_after_a_spreadsheet_version(tmp_path):
    """A spreadsheet carries no text: the next Word/HTML version's texts are compared with the last text."""
    generated = FIXTURES / "corpus" / "generated"
    report = import_file(generated / "r12_txt_layout.txt").report
    import_file(generated / "r12_xlsx.xlsx", agency=report.agency)
    html = (generated / "r12_html.html").read_text(encoding="utf-8")
    assert "部分栏目更新不够及时" in html
    v3 = tmp_path / "r12_v3.html"
    v3.write_text(html.replace("部分栏目更新不够及时", "部分栏目更新严重滞后"), encoding="utf-8")
    import_file(v3, agency=report.agency)
    report.refresh_from_db()
    assert "部分栏目更新严重滞后" in report.problems


def test_corrected_version_of_a_returned_report_resubmits_it(tmp_path):
    report = import_file(SAMPLE).report
    services.report_transition(report=report, action="return", reason="行政处罚数字有误，请核实")
    text = (FIXTURES / SAMPLE).read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("行政处罚"))
    before = report_values(report)[PUNISH]
    v2 = _edited_copy(tmp_path, line, line.replace(str(before), str(before + 1)))
    shown = services.batch.preview(services.batch.Incoming(v2.name, v2.read_bytes()))
    assert shown.action == "update" and "重新提交" in shown.action_label
    result = import_file(v2, agency=report.agency)
    report.refresh_from_db()
    assert result.resubmitted and "已重新提交" in result.message
    assert report.status == "submitted" and report_values(report)[PUNISH] == before + 1
    event = ReportEvent.objects.filter(report=report, kind="status").latest("pk")
    assert (event.from_status, event.to_status) == ("returned", "submitted") and "002_v2.txt" in event.reason


def test_new_version_leaves_a_report_under_review_where_it_is(tmp_path):
    report = import_file(SAMPLE).report
    services.report_transition(report=report, action="start_review")
    v2 = _edited_copy(tmp_path, "行政处罚", "行政处罚 ")
    result = import_file(v2, agency=report.agency)
    report.refresh_from_db()
    assert result.action == "updated" and not result.resubmitted and report.status == "reviewing"


def test_approved_report_refuses_new_documents_and_value_changes(tmp_path):
    report = import_file(SAMPLE).report
    services.report_transition(report=report, action="approve", override=True, reason="测试")
    report.refresh_from_db()
    assert report.is_locked
    v2 = _edited_copy(tmp_path, "行政处罚", "行政处罚 ")
    with pytest.raises(ReportLockedError):
        import_file(v2, agency=report.agency)
    assert SourceDocument.objects.filter(report=report).count() == 1
    with pytest.raises(ReportLockedError):
        services.report_set_values(report=report, values={PUNISH: 12345})
    assert report_values(report)[PUNISH] != 12345


def test_filer_cannot_import_for_another_agency():
    filer = UserFactory(username="filer")
    mine = AgencyFactory()
    mine.members.add(filer)
    parsed = parse_document(FIXTURES / SAMPLE)
    with pytest.raises(PermissionDenied):
        services.report_import(parsed=parsed, data=(FIXTURES / SAMPLE).read_bytes(), agency=AgencyFactory(), user=filer)
    assert not Report.objects.exists()
    result = services.report_import(parsed=parsed, data=(FIXTURES / SAMPLE).read_bytes(), agency=mine, user=filer)
    assert result.action == "created"


def test_a_failed_new_version_leaves_no_file_behind(tmp_path, settings):
    report = import_file(SAMPLE).report
    text = (FIXTURES / SAMPLE).read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("行政处罚"))
    # a figure past what a cell holds: refused after the new file was stored
    v2 = _edited_copy(tmp_path, line, line.replace(str(report_values(report)[PUNISH]), "99999999999", 1))
    with pytest.raises(ValidationError, match="超出了可保存的范围"):
        import_file(v2, agency=report.agency)
    stored = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert stored == [Path(SourceDocument.objects.get().file.name).name]


def test_a_browser_printed_pdf_whose_font_lost_a_character_lands_on_the_one_agency_it_spells():
    """Chromium printed the portal page without the font for 来: the PDF names "□宾市兴宾区西关街道办事处". The
    preview still finds the one agency the rest spells (flagged, not silent), and no other-agency warning."""
    agency = AgencyFactory(name="来宾市兴宾区西关街道办事处", short_name="")
    AgencyFactory(name="来宾市兴宾区城东街道办事处", short_name="")
    data = (FIXTURES / "layouts" / "browser_print.pdf").read_bytes()
    shown = services.batch.preview(services.batch.Incoming("browser_print.pdf", data))
    assert shown.parsed.agency.startswith("\ufffd")
    assert shown.agency == agency and shown.match.how == "masked" and shown.action == "create"
    assert any(w.code == "W_AGENCY_UNREADABLE" for w in shown.parsed.warnings)
    assert shown.other_agency_warning(agency) == ""
