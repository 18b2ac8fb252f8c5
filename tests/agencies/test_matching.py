"""Matching a report's self-name to an agency: certain only when it must be; otherwise candidates."""

import pytest

from agencies.services import agency_match
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    erg = AgencyFactory(name="二塘乡人民政府", short_name="二塘乡")
    erg.aliases.create(name="二塘乡政府")
    return {
        "二塘乡": erg,
        "洪泽区": AgencyFactory(name="洪泽区人民政府", short_name=""),
        "宁陵住建": AgencyFactory(name="宁陵县住房和城乡建设局", short_name="县住建局", kind="department"),
        "新集乡": AgencyFactory(name="彭阳县新集乡人民政府", short_name=""),
        "大营镇": AgencyFactory(name="永和县大营镇人民政府", short_name="大营镇"),
    }


@pytest.mark.parametrize(
    ("name", "expected", "how"),
    [
        ("二塘乡人民政府", "二塘乡", "name"),
        ("二塘乡", "二塘乡", "short_name"),
        ("二塘乡政府", "二塘乡", "alias"),
        ("二 塘 乡 人民政府", "二塘乡", "normalized"),
        ("淮安市洪泽区人民政府", "洪泽区", "region"),  # a region prefix on the report's side
        ("新集乡人民政府", "新集乡", "region"),  # a region prefix on the agency's side
    ],
)
def test_certain_matches(county, name, expected, how):
    match = agency_match(name)
    assert match.agency == county[expected] and match.how == how


def test_same_department_of_another_county_is_never_matched(county):
    match = agency_match("睢县住房和城乡建设局")
    assert match.agency is None and not match.strong


def test_similar_but_different_township_is_only_a_weak_candidate(county):
    match = agency_match("永和县三合乡人民政府")
    assert match.agency is None and not match.strong
    assert county["大营镇"] in match.candidates


def test_contained_name_is_a_strong_candidate_when_ambiguous(county):
    AgencyFactory(name="新城县二塘乡人民政府", short_name="")
    match = agency_match("二塘")
    assert match.agency is None and match.strong


def test_empty_name():
    assert agency_match("").agency is None and agency_match(None).how == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("\ufffd陵县住房和城乡建设局", "宁陵住建"),  # a PDF whose font maps 宁 to no character
        ("彭阳县新集乡人民政\ufffd", "新集乡"),
    ],
)
def test_a_name_with_unreadable_characters_matches_the_one_agency_it_spells(county, name, expected):
    match = agency_match(name)
    assert match.agency == county[expected] and match.how == "masked"


def test_an_unreadable_name_that_could_be_two_agencies_is_not_matched(county):
    AgencyFactory(name="睢县住房和城乡建设局", short_name="")
    AgencyFactory(name="柘县住房和城乡建设局", short_name="")
    # "\ufffd县住房和城乡建设局" spells both 睢县… and 柘县…: candidates, never a pick
    match = agency_match("\ufffd县住房和城乡建设局")
    assert match.agency is None and match.how != "masked"
    # three characters lost: not matched on what is left
    assert agency_match("\ufffd\ufffd\ufffd住房和城乡建设局").how != "masked"
