"""Two imports of one county package at the same instant, on PostgreSQL: they queue on the region's row, the
second sees what the first wrote, and the county's approved figures land once and exactly."""

from __future__ import annotations

import pytest
from django.conf import settings

from agencies.models import Agency
from reports.choices import ReportStatus
from reports.models import Report
from reports.services.federation import package_build, package_import, package_plan, package_read
from tests.admin.test_concurrent_saves_pg import together
from tests.commands.test_federation import county_state, forget_county
from tests.tree import YEAR, build_tree

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="row locks are raced on PostgreSQL (DATABASE_URL=postgres://…)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_imports_of_one_package_at_once():
    tree = build_tree()
    county = tree["counties"][1]
    before = county_state(county)
    data, _ = package_build(region=county, year=YEAR)
    for _ in range(3):
        forget_county(county)
        city = Agency.objects.get(name="测试市人民政府")
        package = package_read(data)
        plans = [package_plan(package, parent=city) for _ in range(2)]
        results = together(*(lambda plan=plan: package_import(plan) for plan in plans))
        counts = sorted((r["new"], r["unchanged"]) for r in results)
        assert counts == [(0, len(before)), (len(before), 0)], counts
        county = Agency.objects.get(name=county.name)
        assert county_state(county) == before
        assert Report.objects.filter(agency__path__startswith=county.path, status=ReportStatus.APPROVED).count() == len(
            before
        )
