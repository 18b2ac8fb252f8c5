"""The region kinds in the rules: a city's or province's own report is due by 31 March like a county's (R18)."""

from datetime import date

from reports import rules


def test_upper_governments_have_the_march_deadline():
    config = rules.RuleConfig()
    for kind in ("county_government", "city_government", "province_government"):
        facts = rules.ReportFacts(values={}, year=2023, agency_kind=kind)
        assert rules.deadline_for(facts, config) == date(2024, 3, 31), kind
        assert rules.government_from_kind(kind) is True
    for kind in ("township", "department"):
        assert rules.deadline_for(rules.ReportFacts(values={}, year=2023, agency_kind=kind), config) == date(
            2024, 1, 31
        )
