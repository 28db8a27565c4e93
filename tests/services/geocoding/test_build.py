import io

import pytest
import shapely
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connections
from django.utils import translation

from services.geocoding.build import LOCK_KEY
from services.geocoding.build._entries import Builder
from services.geocoding.build import GazetteerBusyError, build_gazetteer, canonical_part
from services.geocoding.models import (
    Division,
    Entry,
    FieldMapping,
    GazetteerBuild,
    Level,
    Name,
    Target,
)
from tests.factories import vector_layer
from tests.services.geocoding.city import building_xy, house_xy

pytestmark = pytest.mark.django_db(databases=["default", "progress"])


def entry(level: Level, **fields) -> Entry:
    return Entry.objects.get(level=level, **fields)


def test_every_level_is_built(city):
    counts = GazetteerBuild.objects.filter(status="done").latest("id").counts
    assert counts == {
        "town": 2,
        "road": 3,
        "poi": 2,
        "compound": 1,
        "house_number": 97 + 20 + 1 + 4,  # 12-16号 also answers as 12, 14 and 16
        "building": 5,
        "unit": 10,
        "room": 40,
    }


def test_house_numbers_hang_on_their_road_with_the_standard_address(city):
    house = entry(Level.HOUSE_NUMBER, number="88", town="杨舍镇")
    assert house.anchor.name == "人民中路"
    assert house.address == "江苏省苏州市张家港市杨舍镇人民中路88号"
    assert house.point.coords == pytest.approx(house_xy(88))
    assert house.number_int == 88


def test_a_range_answers_for_each_number_in_it(city):
    fourteen = entry(Level.HOUSE_NUMBER, number="14", anchor__name="港城大道")
    assert fourteen.address == "江苏省苏州市张家港市杨舍镇港城大道12-16号"
    assert entry(Level.HOUSE_NUMBER, number="12甲").address.endswith("港城大道12甲号")


def test_towns_come_from_the_division_areas_when_no_column_gives_them(city):
    # The house layer has no town column: 塘桥镇's 人民路 is told apart by where it lies.
    assert entry(Level.ROAD, name="人民路").town == "塘桥镇"
    assert entry(Level.HOUSE_NUMBER, number="8", town="塘桥镇").anchor.name == "人民路"


def test_units_are_implied_by_their_rooms_at_their_mean_point(city):
    unit = entry(Level.UNIT, building="3", unit="2")
    rooms = Entry.objects.filter(level=Level.ROOM, building="3", unit="2")
    assert rooms.count() == 4
    assert unit.point.coords == pytest.approx((building_xy(3)[0] + 0.0002, building_xy(3)[1]))
    assert unit.fid is not None  # it answers to whoever sees its first room
    assert unit.layer.name == "t_rooms"


def test_buildings_mapped_on_their_own_are_not_duplicated_by_their_rooms(city):
    buildings = Entry.objects.filter(level=Level.BUILDING, building="3")
    assert buildings.count() == 1
    assert buildings.get().layer.name == "t_buildings"


def test_names_carry_aliases_former_names_reductions_and_pinyin(city):
    road = entry(Level.ROAD, name="人民中路")
    forms = dict(Name.objects.filter(entry=road).values_list("key", "form"))
    assert forms == {"人民中路": 0, "人民路": 2, "人民中": 4, "人民": 5}
    town = Name.objects.get(key="杨舍镇", level=Level.TOWN)
    assert (town.initials, town.pinyin) == ("ysz", "yangshezhen")
    assert "张家港市第一人民医院" in Name.objects.filter(level=Level.POI).values_list(
        "key", flat=True
    )
    assert "第一人民医院" in Name.objects.filter(level=Level.POI).values_list("key", flat=True)


@pytest.mark.parametrize(
    "written, part, expected",
    [
        ("5号楼", "building", "5"),
        ("五栋", "building", "5"),
        ("A座", "building", "A"),
        ("5", "building", "5"),
        ("二单元", "unit", "2"),
        ("301室", "room", "301"),
        ("三零一", "room", "301"),
        ("楼", "building", ""),
        ("五楼五", "building", ""),
    ],
)
def test_canonical_part(written, part, expected):
    assert canonical_part(written, part) == expected


def test_rows_that_say_no_address_are_skipped_with_the_reason(city):
    layer = vector_layer(
        "t_bad_houses",
        [shapely.Point(120.53, 31.87)] * 3,
        {"road": ["人民中路", "人民中路", ""], "number": ["九十九", "abc", "5"]},
        kind="geocoding",
    )
    FieldMapping.objects.create(
        layer=layer, target=Target.ADDRESS, road_field="road", number_field="number"
    )
    done = build_gazetteer()
    assert done.status == "done"
    assert [s["reason"] for s in done.skipped if s["layer"] == "t_bad_houses"] == [
        "'abc' is not a house number",
        "a row needs road (or village group) and house number, or compound and building",
    ]
    assert Entry.objects.filter(layer=layer, number="99").exists()


def test_a_piece_of_a_road_from_another_layer_lends_it_no_names(city):
    secret = vector_layer(
        "t_secret_roads",
        [shapely.LineString([(120.535, 31.8715), (120.536, 31.8716)])],
        {"name": ["人民中路"], "alias": ["机要通道"]},
        kind="geocoding",
    )
    FieldMapping.objects.create(layer=secret, target=Target.ROAD, name_field="name", alias_field="alias")
    assert build_gazetteer().status == "done"
    road = entry(Level.ROAD, name="人民中路", town="杨舍镇")
    assert road.layer_id == city["roads"].pk
    assert not Name.objects.filter(key__contains="机要").exists()


def test_a_failed_rebuild_leaves_the_gazetteer_as_it_was(city, monkeypatch):
    before = Entry.objects.count()

    def broken(self, *args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Builder, "_compound", broken)
    with pytest.raises(RuntimeError):
        build_gazetteer()
    assert Entry.objects.count() == before
    failed = GazetteerBuild.objects.latest("id")
    assert failed.status == "failed" and "disk full" in failed.message


def test_one_rebuild_at_a_time(city):
    with connections["progress"].cursor() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            with pytest.raises(GazetteerBusyError):
                build_gazetteer()
        finally:
            other.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    assert GazetteerBuild.objects.latest("id").status == "failed"


def test_deleting_a_mapping_takes_its_entries_away(city):
    mapping = FieldMapping.objects.get(layer=city["pois"])
    mapping.delete()
    assert not Entry.objects.filter(layer=city["pois"]).exists()
    assert not Name.objects.filter(level=Level.POI).exists()


def test_a_mapping_names_only_columns_of_its_layer(city):
    mapping = FieldMapping(layer=city["roads"], target=Target.ROAD, name_field="NAME")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        mapping.full_clean()
    assert "NAME is not a column of t_roads; it has: name, alias, former" in str(error.value)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        mapping.full_clean()
    assert "NAME 不是图层 t_roads 的字段" in str(error.value)
    mapping = FieldMapping(layer=city["houses"], target=Target.ADDRESS, road_field="road")
    with translation.override("en"), pytest.raises(ValidationError, match="road column \\+ house"):
        mapping.full_clean()


def test_build_command_reports_what_it_built(city):
    out = io.StringIO()
    call_command("build_gazetteer", stdout=out)
    assert "185 entries: 2 town, 3 road" in out.getvalue()


def test_import_divisions_command_stores_codes_and_parents():
    call_command("import_divisions", stdout=io.StringIO())
    yangshe = Division.objects.get(code="320582100")
    assert (yangshe.name, yangshe.level, yangshe.parent_id) == ("杨舍镇", 4, "320582")
    assert Division.objects.get(code="320582").parent_id == "320500"
    assert Division.objects.filter(level=5).count() == 273
