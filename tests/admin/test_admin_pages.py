"""The Chinese admin: every page renders, the grids follow the template, typed-in numbers are stored."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from reports import canonical
from reports.models import ApplicationOutcome, Report, SourceDocument
from reports.selectors import report_values
from tests.factories import AgencyFactory, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    agency = AgencyFactory(name="二塘乡人民政府", short_name="二塘乡")
    agency.aliases.create(name="二塘乡政府")
    return make_report(agency=agency, year=2023)


def registered_models():
    return [m for m in apps.get_models() if m in admin.site._registry and m._meta.app_label != "auth"]


@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_changelist_renders(admin_client, report, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert str(model._meta.verbose_name_plural) in response.content.decode()


def test_change_pages_render(admin_client, report):
    for url in (
        reverse("admin:reports_report_change", args=[report.pk]),
        reverse("admin:agencies_agency_change", args=[report.agency.pk]),
        reverse("admin:reports_report_add"),
        reverse("admin:agencies_agency_add"),
        reverse("admin:agencies_agency_history", args=[report.agency.pk]),
        reverse("admin:reports_report_timeline", args=[report.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url
    # the report's one history is 修改记录: the generic history page leads there
    history = admin_client.get(reverse("admin:reports_report_history", args=[report.pk]))
    assert history["Location"] == reverse("admin:reports_report_timeline", args=[report.pk])


def test_admin_is_chinese(admin_client, report):
    html = admin_client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert "年度报告" in html and "筛选" in html and "状态" in html


def test_table3_grid_has_25_rows_in_template_order(admin_client, report):
    html = admin_client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    rows = re.findall(r'<tr class="nb-row" data-row="([a-z_]+)">', html)
    assert rows == list(canonical.TABLE3_ROW_KEYS)
    # the verbatim labels appear in template order
    grid = html[html.index('class="nb-grid nb-table3"') :]
    positions = [grid.index(r.label) for r in canonical.TABLE3_ROWS if r.label != "3.其他"]
    assert positions == sorted(positions)
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in html
    # no add-row or delete controls on the fixed grids
    assert "outcomes-0-DELETE" not in html and "add-row" not in html
    assert html.count('data-key="applications.') == 175
    assert html.count('data-key="review_litigation.') == 15
    assert html.count('data-key="active_disclosure.') == 10


def _change_form_data(client, report):
    """The change form's current POST data, as a browser would send it back."""
    response = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    forms = [response.context["adminform"].form]
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
        forms.extend(fs.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
                if field.show_hidden_initial:  # the value the page showed, sent back by the browser
                    data[form.add_initial_prefix(name)] = value
    return data


def _accept_issue(client, report, issue, comment: str) -> list[str]:
    """Mark an issue 已核实 as the page's button does; the messages shown afterwards."""
    response = client.post(
        reverse("admin:reports_report_accept_issue", args=[report.pk]),
        {"fingerprint": issue.fingerprint, f"accept_comment_{issue.fingerprint}": comment},
        follow=True,
    )
    return [str(m) for m in response.context["messages"]]


def test_typed_in_table3_row_is_stored(admin_client, report):
    data = _change_form_data(admin_client, report)
    index = canonical.TABLE3_ROW_KEYS.index("new_received")
    for col, value in zip(canonical.TABLE3_COLUMN_KEYS, [3, 1, 0, 0, 0, 0, 4], strict=True):
        data[f"outcomes-{index}-{col}"] = value
    response = admin_client.post(reverse("admin:reports_report_change", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ApplicationOutcome.objects.get(report=report, row="new_received")
    assert [getattr(row, c) for c in canonical.TABLE3_COLUMN_KEYS] == [3, 1, 0, 0, 0, 0, 4]
    assert ApplicationOutcome.objects.get(report=report, row="carried_over").total is None
    assert row.history.count() == 2  # created, then typed in


def test_negative_value_in_grid_is_refused_with_message(admin_client, report):
    data = _change_form_data(admin_client, report)
    data["outcomes-0-natural_person"] = -2
    response = admin_client.post(reverse("admin:reports_report_change", args=[report.pk]), data)
    assert response.status_code == 200
    assert "确保该值大于或等于0" in response.content.decode()
    assert ApplicationOutcome.objects.get(report=report, row="new_received").natural_person is None


def test_huge_value_in_grid_is_refused_on_every_database(admin_client, report):
    data = _change_form_data(admin_client, report)
    data["outcomes-0-natural_person"] = 10**15  # SQLite would store it, and the county's sums would overflow
    response = admin_client.post(reverse("admin:reports_report_change", args=[report.pk]), data)
    assert response.status_code == 200
    assert "确保该值小于或等于2147483647" in response.content.decode()
    assert ApplicationOutcome.objects.get(report=report, row="new_received").natural_person is None


def test_add_report_shows_the_tables_creates_all_rows_and_stores_what_was_typed(admin_client):
    agency = AgencyFactory()
    page = admin_client.get(reverse("admin:reports_report_add"))
    assert page.content.decode().count('class="nb-cell"') == 200  # the grid is there before the first save
    data = {"agency": agency.pk, "year": 2024, "template_version": "2021", "status": "draft"}
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
    index = canonical.TABLE3_ROW_KEYS.index("carried_over")
    data[f"outcomes-{index}-natural_person"] = "2"
    data[f"outcomes-{index}-total"] = "2"
    data["review_litigation-2-upheld"] = "1"
    data["disclosure-0-licensing_decisions"] = "7"
    response = admin_client.post(reverse("admin:reports_report_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report = agency.reports.get(year=2024)
    assert response["Location"] == reverse("admin:reports_report_change", args=[report.pk])
    assert report.outcomes.count() == 25 and report.review_litigation.count() == 3
    values = report_values(report)
    assert (
        values[canonical.t3("carried_over", "natural_person")] == 2
        and values[canonical.t3("carried_over", "total")] == 2
    )
    assert values[canonical.t4("litigation_after_review", "upheld")] == 1
    assert values["active_disclosure.licensing.decisions"] == 7
    assert sum(v is not None for v in values.values()) == 4
    assert report.issues.filter(rule="R6").exists()  # checked on save: 复议后起诉 总计 blank under 1


def test_search_by_alias_and_filters(admin_client, report):
    other = make_report(year=2022)
    url = reverse("admin:reports_report_changelist")
    html = admin_client.get(url, {"q": "二塘乡政府"}).content.decode()
    assert str(report.agency) in html and str(other.agency) not in html
    html = admin_client.get(url, {"year": 2022}).content.decode()
    assert str(other.agency) in html and str(report.agency) not in html
    assert admin_client.get(url, {"agency__kind": "township", "status": "draft"}).status_code == 200


def test_source_documents_cannot_be_deleted(admin_client, report):
    assert not admin.site._registry[SourceDocument].has_delete_permission(None)


def test_changelist_marks_no_zero_errors_and_sorts_by_errors_then_warnings(admin_client):
    quiet = make_report(agency=AgencyFactory(name="乙乡人民政府"), year=2023)
    noisy = make_report(agency=AgencyFactory(name="甲乡人民政府"), year=2023)
    Report.objects.filter(pk=quiet.pk).update(error_count=0, warning_count=2, validated_at=timezone.now())
    Report.objects.filter(pk=noisy.pk).update(error_count=0, warning_count=5, validated_at=timezone.now())
    url = reverse("admin:reports_report_changelist")
    html = admin_client.get(url).content.decode()
    assert "✖ 0" not in html and "⚠ 5" in html
    listing = admin_client.get(url, {"o": "4"}).content.decode()  # the 校验 column, ascending
    assert listing.index("乙乡人民政府") < listing.index("甲乡人民政府")
    by_name = admin_client.get(url, {"o": "1"}).content.decode()  # 机关 in pinyin order: jia before yi
    assert by_name.index("甲乡人民政府") < by_name.index("乙乡人民政府")


def test_the_changelist_selection_box_is_djangos_own(admin_client):
    """ReportAdmin writes the row checkbox out directly (fast); it must stay exactly Django's widget."""
    from django import forms
    from django.contrib import admin as django_admin
    from django.contrib.admin import helpers
    from django.utils.html import format_html
    from django.utils.translation import gettext

    report = make_report(agency=AgencyFactory(name="<甲>乡人民政府"))
    ours = django_admin.site._registry[Report].action_checkbox(report)
    attrs = {
        "class": "action-select",
        "aria-label": format_html(gettext("Select this object for an action - {}"), str(report)),
    }
    django_own = forms.CheckboxInput(attrs, lambda value: False).render(helpers.ACTION_CHECKBOX_NAME, str(report.pk))
    assert ours == django_own
    assert ours in admin_client.get(reverse("admin:reports_report_changelist")).content.decode()
