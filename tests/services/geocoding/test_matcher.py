import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geoshare.access.policy import Principal
from services.geocoding.matcher import Bias, geocode
from services.geocoding.scope import scope_for
from tests.services.geocoding.city import house_xy

pytestmark = pytest.mark.django_db

ADMIN = Principal(user_id=1, username="admin", is_superuser=True)


def best(text, principal=ADMIN, **options):
    match = geocode([text], scope_for(principal), **options)[0]
    return match.best


@pytest.mark.parametrize(
    "text",
    [
        "江苏省苏州市张家港市杨舍镇人民中路88号",
        "人民中路88号",
        "张家港人民中路八十八号",
        "杨舍镇人民中路８８号",
        "人民中路88号门口",
        "苏州市昆山市杨舍镇人民中路88号",  # a wrong district
        "人明中路88号",  # one character wrong
        "人民路88号",  # the former name
        "人民中路88",
    ],
)
def test_house_number_variants_find_the_house(city, text):
    found = best(text)
    assert found.address == "江苏省苏州市张家港市杨舍镇人民中路88号"
    assert found.level.api_name == "house_number" and not found.interpolated
    assert (found.lon, found.lat) == pytest.approx(house_xy(88))


def test_an_exact_match_scores_1_and_a_typo_less(city):
    assert best("杨舍镇人民中路88号").score == 1.0
    assert 0.8 < best("人明中路88号").score < 1.0


def test_the_written_town_picks_between_roads_of_one_name(city):
    assert best("塘桥镇人民路8号").address == "江苏省苏州市张家港市塘桥镇人民路8号"
    assert best("杨舍镇人民路8号").address == "江苏省苏州市张家港市杨舍镇人民中路8号"


def test_a_missing_number_is_interpolated_between_neighbours_on_its_side(city):
    fifty = best("人民中路50号")
    assert fifty.interpolated and fifty.level.api_name == "house_number"
    assert fifty.address == "江苏省苏州市张家港市杨舍镇人民中路50号"
    # Even numbers stand south of the road: 50 lies between 48 and 52 there.
    assert (fifty.lon, fifty.lat) == pytest.approx(house_xy(50))
    fifty_one = best("人民中路51号")
    assert (fifty_one.lon, fifty_one.lat) == pytest.approx(house_xy(51))
    assert fifty.score < 1.0


def test_numbers_far_past_the_last_one_are_not_guessed(city):
    found = best("塘桥镇人民路500号")
    assert found.level.api_name == "road" and not found.interpolated


@pytest.mark.parametrize(
    "text, address",
    [
        ("港城大道14号", "江苏省苏州市张家港市杨舍镇港城大道12-16号"),
        ("港城大道甲12号", "江苏省苏州市张家港市杨舍镇港城大道12甲号"),
        ("港城路12号甲", "江苏省苏州市张家港市杨舍镇港城大道12甲号"),  # an alias, the 甲 after
    ],
)
def test_ranges_and_suffixes(city, text, address):
    assert best(text).address == address


@pytest.mark.parametrize(
    "text, address, level",
    [
        ("梁丰花园3幢2单元201室", "江苏省苏州市张家港市杨舍镇梁丰花园3幢2单元201室", "room"),
        ("梁丰花园3-2-201", "江苏省苏州市张家港市杨舍镇梁丰花园3幢2单元201室", "room"),
        ("梁丰小区三号楼二单元二零一", "江苏省苏州市张家港市杨舍镇梁丰花园3幢2单元201室", "room"),
        ("梁丰3栋2单元", "江苏省苏州市张家港市杨舍镇梁丰花园3幢2单元", "unit"),
        ("梁风花园3幢", "江苏省苏州市张家港市杨舍镇梁丰花园3幢", "building"),
        ("梁丰花园", "江苏省苏州市张家港市杨舍镇梁丰花园", "compound"),
    ],
)
def test_compound_buildings_units_and_rooms(city, text, address, level):
    found = best(text)
    assert (found.address, found.level.api_name) == (address, level)


@pytest.mark.parametrize(
    "text, address, level",
    [
        ("张家港市第一人民医院", "江苏省苏州市张家港市杨舍镇第一人民医院", "poi"),
        ("第一人民医院", "江苏省苏州市张家港市杨舍镇第一人民医院", "poi"),
        ("杨舍镇政府", "江苏省苏州市张家港市杨舍镇人民政府", "poi"),
        ("杨舍镇", "江苏省苏州市张家港市杨舍镇", "town"),
        ("塘桥", "江苏省苏州市张家港市塘桥镇", "town"),
        ("港城路", "江苏省苏州市张家港市杨舍镇港城大道", "road"),
    ],
)
def test_pois_divisions_and_roads(city, text, address, level):
    found = best(text)
    assert (found.address, found.level.api_name) == (address, level)


def test_a_room_that_does_not_exist_falls_back_to_its_unit(city):
    found = best("梁丰花园3幢2单元909室")
    assert found.level.api_name == "unit" and found.score < 1.0


def test_nothing_for_text_that_names_nothing(city):
    assert best("' OR 1=1; DROP TABLE geocoding_entry; --") is None
    assert best("火星基地") is None


def test_bias_breaks_a_tie_between_two_towns(city):
    # 人民路 without a town: the 杨舍镇 road by its former name, the 塘桥镇 one by name.
    tangqiao = (120.60, 31.80, 120.70, 31.85)
    assert "塘桥镇" in best("人民路8号", bias=Bias(bbox=tangqiao)).address
    assert "塘桥镇" in best("人民路8号", bias=Bias(near=(120.63, 31.82))).address


def test_a_thousand_addresses_take_a_handful_of_queries(city):
    texts = [f"人民中路{n}号" for n in range(1, 100)] * 10 + ["梁丰花园3幢"] * 10
    scope = scope_for(ADMIN)
    geocode(texts[:1], scope)  # the parser is built and cached
    with CaptureQueriesContext(connection) as queries:
        matches = geocode(texts, scope, limit=1)
    # One statement per step for the whole batch (usually 4; a cold cache or an unresolved
    # name adds a step or two), never one per address.
    assert len(queries) <= 8, [q["sql"][:160] for q in queries]
    assert sum(m.best.level.api_name == "house_number" for m in matches) == 990
