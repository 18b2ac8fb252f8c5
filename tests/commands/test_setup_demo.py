"""setup_demo: the demo pile goes through the parser and the import service like any upload; runs once."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reports import canonical
from reports.models import Report
from reports.selectors import report_values
from tests.factories import label_values

pytestmark = pytest.mark.django_db


def test_demo_loads_the_samples_and_the_real_series_once(settings, tmp_path):
    settings.NIANBAO_ADMIN_PASSWORD_FILE = tmp_path / "pw"
    out = StringIO()
    call_command("setup_demo", stdout=out)
    assert Report.objects.count() == 7
    assert sorted(Report.objects.filter(agency__name="洪泽区人民政府").values_list("year", flat=True)) == [2023, 2024]
    hongze_2023 = Report.objects.get(agency__name="洪泽区人民政府", year=2023)
    # the real PDF read exactly (its label), and the source's own 表四 defects found
    expected = label_values("corpus/real/001_huaian_hongze_qu_2023.json")
    got = report_values(hongze_2023)
    assert {k: got[k] for k in canonical.ALL_KEYS if expected[k] is not None} == {
        k: v for k, v in expected.items() if v is not None
    }
    assert {"R4", "R6"} <= set(hongze_2023.issues.filter(severity="error").values_list("rule", flat=True))
    password = (tmp_path / "pw").read_text().strip()
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert password in out.getvalue()

    again = StringIO()
    call_command("setup_demo", stdout=again)
    assert Report.objects.count() == 7 and get_user_model().objects.count() == 2  # admin, the county reviewer
    assert password in again.getvalue()


def test_demo_tree_has_three_levels_and_a_county_reviewer_who_sees_only_the_county(settings, tmp_path):
    from agencies.models import Agency
    from reports.access import reports_visible_to
    from reports.rollup import rollup_build

    settings.NIANBAO_ADMIN_PASSWORD_FILE = tmp_path / "pw"
    call_command("setup_demo", stdout=StringIO())
    city = Agency.objects.get(name="淮安市人民政府")
    counties = list(Agency.objects.filter(parent=city).order_by("name"))
    assert [c.name for c in counties] == ["洪泽区人民政府", "示例县人民政府"]
    for county in counties:
        kinds = set(Agency.objects.filter(parent=county).values_list("kind", flat=True))
        assert kinds == {"township", "department"}, county.name
    reviewer = get_user_model().objects.get(username="shixian_shenhe")
    seen = set(reports_visible_to(reviewer).values_list("agency__parent__name", flat=True))
    assert seen == {"示例县人民政府"}
    ru = rollup_build(city, 2023)
    assert ru.approved_reports >= 1 and {b.name for b in ru.branches} == {c.name for c in counties}
