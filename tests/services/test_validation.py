"""Rule issues are stored with the report, recomputed on every change, and 已核实 marks follow the values."""

import re

import pytest

from reports import canonical, services
from reports.models import IssueAcceptance, Report
from tests.factories import AgencyFactory, import_file, label_values, make_report

pytestmark = pytest.mark.django_db

CLEAN = "expected/002_cff4ace8f11033c3.json"  # every cell printed, every identity holds


@pytest.fixture
def report():
    report = make_report()
    services.report_set_values(report=report, values=label_values(CLEAN))
    report.refresh_from_db()
    return report


def test_clean_report_has_no_errors(report):
    assert report.validated_at is not None
    assert report.error_count == 0
    assert not report.issues.filter(severity="error").exists()


def test_row_total_error_is_stored_on_its_cells_and_cleared_when_fixed(report):
    key = canonical.t3("new_received", "total")
    original = label_values(CLEAN)[key]
    services.report_set_values(report=report, values={key: original + 1})
    report.refresh_from_db()
    r2 = report.issues.get(rule="R2")
    assert r2.severity == "error"
    assert r2.keys == list(canonical.keys_of_row("new_received"))
    assert r2.actual == str(original + 1) and r2.expected == str(original)
    assert report.error_count >= 1
    services.report_set_values(report=report, values={key: original})
    report.refresh_from_db()
    assert not report.issues.filter(rule="R2").exists()


def _warning(report):
    """Make R10 fire (制发 1, 废止 0, 现行有效 0 — sample 001's defect) and return the stored warning."""
    services.report_set_values(
        report=report,
        values={
            "active_disclosure.normative_documents.issued": 1,
            "active_disclosure.normative_documents.repealed": 0,
            "active_disclosure.normative_documents.in_force": 0,
        },
    )
    return report.issues.get(rule="R10")


def test_accepted_warning_survives_revalidation_while_values_unchanged(report):
    warning = _warning(report)
    services.issue_accept(report=report, fingerprint=warning.fingerprint, comment="已电话核实：文件当年失效")
    report.refresh_from_db()
    counted = report.warning_count
    services.report_validate(report=report)
    again = report.issues.get(rule="R10")
    assert again.accepted and again.fingerprint == warning.fingerprint
    report.refresh_from_db()
    assert report.warning_count == counted
    # an unrelated cell changes: the mark stays
    services.report_set_values(report=report, values={"active_disclosure.punishment.decisions": 5})
    assert report.issues.get(rule="R10").accepted
    # a cell the warning concerned changes: the warning is new and open again
    services.report_set_values(report=report, values={"active_disclosure.normative_documents.issued": 2})
    assert not report.issues.get(rule="R10").accepted
    assert IssueAcceptance.objects.filter(report=report).count() == 1  # the old mark is kept, not applied


def test_errors_cannot_be_marked_accepted(report):
    services.report_set_values(report=report, values={canonical.t3("granted", "total"): 999})
    error = report.issues.filter(severity="error").first()
    with pytest.raises(ValueError, match="错误级问题不能标记为已核实"):
        services.issue_accept(report=report, fingerprint=error.fingerprint, comment="x")


def test_accepting_needs_a_comment(report):
    warning = _warning(report)
    with pytest.raises(ValueError, match="核实说明"):
        services.issue_accept(report=report, fingerprint=warning.fingerprint, comment="  ")


def test_real_series_finds_the_one_break_in_carry_over():
    """洪泽区 2023 and 2024 (real PDFs) carry over continuously; a 2022 report that says 3 applications were
    carried forward breaks the chain into 2023 — and only there."""
    r2023 = import_file("corpus/real/001_huaian_hongze_qu_2023.pdf").report
    r2024 = import_file("corpus/unlabelled/002_huaian_hongze_qu_2024.pdf").report
    assert r2024.agency == r2023.agency  # "淮安市洪泽区人民政府" is the same agency as "洪泽区人民政府"
    assert not r2024.issues.filter(rule="R8").exists()
    r2022 = make_report(agency=r2023.agency, year=2022)
    services.report_set_values(
        report=r2022,
        values={canonical.t3("carried_forward", "natural_person"): 3, canonical.t3("carried_forward", "total"): 3},
    )
    # changing 2022 re-validates 2023, whose 上年结转 now disagrees
    found = list(Report.objects.get(pk=r2023.pk).issues.filter(rule="R8"))
    assert sorted(tuple(i.keys) for i in found) == [
        (canonical.t3("carried_over", "natural_person"),),
        (canonical.t3("carried_over", "total"),),
    ]
    assert all(i.severity == "warning" and i.expected == "3" and i.actual == "0" for i in found)
    assert not Report.objects.get(pk=r2024.pk).issues.filter(rule="R8").exists()


def test_admin_shows_issues_and_flags_cells(admin_client, report):
    key = canonical.t3("new_received", "total")
    services.report_set_values(report=report, values={key: label_values(CLEAN)[key] + 1})
    html = admin_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert 'data-rule="R2"' in html
    assert f'href="#cell-{key}"' in html
    assert re.search(rf'class="nb-value nb-flag-error[^"]*"[^>]*id="cell-{re.escape(key)}"', html)
    listing = admin_client.get("/admin/reports/report/", {"issues": "error"}).content.decode()
    assert "✖ " in listing and str(report.agency) in listing
    clean = admin_client.get("/admin/reports/report/", {"issues": "clean"}).content.decode()
    assert str(report.agency) not in clean


def test_admin_accept_warning_through_change_page(admin_client, report):
    warning = _warning(report)
    response = admin_client.post(
        f"/admin/reports/report/{report.pk}/issues/accept/",
        {"fingerprint": warning.fingerprint, f"accept_comment_{warning.fingerprint}": "已核实"},
    )
    assert response.status_code == 302
    acceptance = IssueAcceptance.objects.get(report=report)
    assert acceptance.comment == "已核实" and acceptance.rule == "R10"
    assert report.issues.get(rule="R10").accepted


def test_admin_grid_save_revalidates(admin_client, report):
    from tests.admin.test_admin_pages import _change_form_data

    data = _change_form_data(admin_client, report)
    index = canonical.TABLE3_ROW_KEYS.index("new_received")
    data[f"outcomes-{index}-total"] = int(data[f"outcomes-{index}-total"]) + 5
    assert admin_client.post(f"/admin/reports/report/{report.pk}/change/", data).status_code == 302
    assert report.issues.filter(rule="R2").exists()


def test_changes_in_other_agency_do_not_touch_this_report(report):
    other = make_report(agency=AgencyFactory(), year=report.year - 1)
    before = list(report.issues.values_list("fingerprint", flat=True))
    services.report_set_values(report=other, values={canonical.t3("carried_forward", "total"): 7})
    assert list(report.issues.values_list("fingerprint", flat=True)) == before
