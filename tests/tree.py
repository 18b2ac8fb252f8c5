"""A small region tree with reports, for the roll-up, access and federation tests: one city, two counties, each
with townships and departments, reports in every status and random (seeded) cells, some left blank."""

from __future__ import annotations

import random
from decimal import Decimal

from agencies.models import Agency, AgencyKind
from reports import canonical, services
from reports.choices import ReportStatus

YEAR = 2023


def random_values(rng: random.Random) -> dict:
    values = {}
    for key in canonical.ALL_KEYS:
        roll = rng.random()
        if roll < 0.15:
            values[key] = None
        elif key == canonical.FEES_KEY:
            values[key] = Decimal(rng.randint(0, 99999)) / 100
        else:
            values[key] = rng.randint(0, 40)
    return values


def bring_to(report, status: str):
    """Walk a report through the workflow (as the system) to `status`."""
    steps = {
        ReportStatus.DRAFT: [],
        ReportStatus.SUBMITTED: ["submit"],
        ReportStatus.REVIEWING: ["submit", "start_review"],
        ReportStatus.RETURNED: ["submit", "return"],
        ReportStatus.APPROVED: ["submit", "approve"],
    }[status]
    for action in steps:
        report = services.report_transition(report=report, action=action, reason="测试", override=action == "approve")
    return report


def build_tree(seed: int = 7, year: int = YEAR) -> dict:
    rng = random.Random(seed)
    city = Agency.objects.create(name="测试市人民政府", short_name="测试市", kind=AgencyKind.CITY_GOVERNMENT)
    world = {"city": city, "counties": [], "reports": []}
    statuses = [ReportStatus.APPROVED] * 3 + [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED]
    for c in ("甲县", "乙县"):
        county = Agency.objects.create(
            name=f"{c}人民政府", short_name=c, kind=AgencyKind.COUNTY_GOVERNMENT, parent=city
        )
        world["counties"].append(county)
        members = [county]
        for i in range(3):
            members.append(
                Agency.objects.create(name=f"{c}第{i + 1}镇人民政府", short_name=f"{c}{i + 1}镇", parent=county)
            )
        for dept in ("财政局", "教育局"):
            members.append(
                Agency.objects.create(
                    name=f"{c}{dept}", short_name=f"{c}{dept}", kind=AgencyKind.DEPARTMENT, parent=county
                )  # fmt: skip
            )
        Agency.objects.create(name=f"{c}无报告镇人民政府", parent=county)  # expected, never reports
        for agency in members:
            status = rng.choice(statuses)
            report = services.report_create(agency=agency, year=year, values=random_values(rng))
            world["reports"].append(bring_to(report, status))
    own = services.report_create(agency=city, year=year, values=random_values(rng))
    world["city_report"] = bring_to(own, ReportStatus.APPROVED)
    # Last year's approved report must not leak into this year's sums.
    old = services.report_create(agency=world["counties"][0], year=year - 1, values=random_values(rng))
    bring_to(old, ReportStatus.APPROVED)
    return world
