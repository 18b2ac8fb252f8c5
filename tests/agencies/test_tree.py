"""The region tree: materialised paths kept through creation and moves, cycles refused, and the CSV loader."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from agencies.models import Agency, AgencyKind
from tests.factories import FIXTURES

pytestmark = pytest.mark.django_db

HUAIAN = FIXTURES / "regions" / "huaian.csv"


def _walk_parents(agency):
    """The chain of parents read one by one (independent of the stored path)."""
    chain = []
    while agency is not None:
        chain.append(agency.pk)
        agency = agency.parent
    return list(reversed(chain))


def _assert_paths_consistent():
    for agency in Agency.objects.all():
        chain = _walk_parents(agency)
        assert agency.path == "".join(f"{pk:08d}." for pk in chain), agency.name
        assert agency.depth == len(chain) - 1


def test_import_builds_the_tree_and_subtrees_are_prefixes(capsys):
    call_command("import_agencies", str(HUAIAN))
    assert "新建 20 个" in capsys.readouterr().out
    _assert_paths_consistent()
    city = Agency.objects.get(division_code="320800")
    hongze = Agency.objects.get(division_code="320813")
    assert city.kind == AgencyKind.CITY_GOVERNMENT and hongze.kind == AgencyKind.COUNTY_GOVERNMENT
    assert hongze.parent == city and Agency.objects.get(name="江苏省").kind == AgencyKind.REGION
    below_hongze = set(hongze.subtree(include_self=False).values_list("name", flat=True))
    assert "洪泽区财政局" in below_hongze and "洪泽区三河镇人民政府" in below_hongze and len(below_hongze) == 11
    assert city.subtree().count() == 1 + 7 + 11
    assert [a.name for a in Agency.objects.get(name="洪泽区财政局").ancestors()] == [
        "江苏省", "淮安市人民政府", "洪泽区人民政府",
    ]  # fmt: skip
    # A second run changes nothing.
    call_command("import_agencies", str(HUAIAN))
    assert "未变 20 个" in capsys.readouterr().out


def test_moving_a_node_moves_its_subtree():
    call_command("import_agencies", str(HUAIAN))
    hongze = Agency.objects.get(division_code="320813")
    other = Agency.objects.create(name="另一市人民政府", kind=AgencyKind.CITY_GOVERNMENT)
    hongze.parent = other
    hongze.save()
    _assert_paths_consistent()
    assert Agency.objects.get(name="洪泽区财政局").path.startswith(other.path)
    assert not Agency.objects.get(division_code="320800").subtree().filter(name="洪泽区财政局").exists()


def test_a_node_cannot_move_under_its_own_subtree():
    call_command("import_agencies", str(HUAIAN))
    city = Agency.objects.get(division_code="320800")
    township = Agency.objects.get(division_code="320813001")
    city.parent = township
    with pytest.raises(ValidationError):
        city.full_clean()
    with pytest.raises(ValidationError):
        city.save()
    _assert_paths_consistent()
    assert Agency.objects.get(pk=city.pk).parent.name == "江苏省"


def test_a_bad_file_writes_nothing_and_names_every_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "行政区划代码,名称,简称,类别,上级代码\n"
        "320800,淮安市人民政府,淮安市,市政府,\n"
        "320813,洪泽区人民政府,洪泽区,县政府,320800\n"
        "32081,坏代码,,,320800\n"
        "320899,无上级县,,,999999\n"
        "320898,坏类别县,,村委会,320800\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_agencies", str(bad))
    message = str(exc.value)
    assert "第 4 行" in message and "第 6 行" in message
    assert not Agency.objects.exists()
    cycle = tmp_path / "cycle.csv"
    cycle.write_text("代码,名称,上级代码\n320800,甲市,320813\n320813,乙区,320800\n", encoding="utf-8")
    with pytest.raises(CommandError, match="成环"):
        call_command("import_agencies", str(cycle))
    missing = tmp_path / "missing.csv"
    missing.write_text("代码,名称,上级代码\n320813,乙区,999900\n", encoding="gb18030")
    with pytest.raises(CommandError, match="找不到上级代码为 999900"):
        call_command("import_agencies", str(missing))
    assert not Agency.objects.exists()


def test_the_tree_migration_computes_paths_of_existing_agencies():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("agencies.migrations.0003_tree_paths")
    root = Agency.objects.create(name="某市人民政府", kind="other")
    county = Agency.objects.create(name="某县人民政府", kind="county_government", parent=root)
    town = Agency.objects.create(name="某镇人民政府", kind="township", parent=county)
    loop_a = Agency.objects.create(name="甲", kind="other")
    loop_b = Agency.objects.create(name="乙", kind="other", parent=loop_a)
    # As the database stood before the migration: no paths, and (old data) a parent cycle.
    Agency.objects.update(path="", depth=0)
    Agency.objects.filter(pk=loop_a.pk).update(parent=loop_b)
    migration.compute_paths(apps, None)
    stored = {a.pk: (a.path, a.depth) for a in Agency.objects.all()}
    assert stored[town.pk] == (f"{root.pk:08d}.{county.pk:08d}.{town.pk:08d}.", 2)
    assert stored[root.pk] == (f"{root.pk:08d}.", 0)
    _assert_paths_consistent()  # the cycle was cut at one of its agencies
