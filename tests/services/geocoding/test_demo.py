"""The demo city's gazetteer, as load_demo builds it: its landmarks answer where they stand."""

import io

import pytest
from django.core.management import call_command

from fixtures.demo import landmarks
from services.geocoding.models import FieldMapping, GazetteerBuild

pytestmark = pytest.mark.django_db

SEARCH = "/api/geocoding/search"


def top(client, q, **params):
    return client.get(SEARCH, {"q": q, "limit": 1, **params}).json()["results"][0]


def test_load_demo_maps_every_geocoding_layer():
    mapped = set(FieldMapping.objects.values_list("layer__name", flat=True))
    assert mapped == {"towns", "communities", "roads", "compounds", "pois", "addresses", "rooms"}
    assert GazetteerBuild.objects.filter(status="done").exists()


def test_a_second_load_demo_does_not_rebuild(demo_scale):
    builds = GazetteerBuild.objects.count()
    call_command("load_demo", scale=demo_scale, stdout=io.StringIO())
    assert GazetteerBuild.objects.count() == builds


@pytest.mark.parametrize(
    "query",
    [
        "江苏省苏州市张家港市杨舍镇人民中路88号",
        "张家港杨舍人民中路八十八号",
        "人民中路88号对面",
    ],
)
def test_renmin_zhonglu_88(client, query):
    found = top(client, query)
    assert found["address"] == "江苏省苏州市张家港市杨舍镇人民中路88号"
    assert (found["lon"], found["lat"]) == pytest.approx(landmarks.ADDRESS_RENMIN_ZHONGLU_88.lnglat)


def test_liangfeng_garden_room_301_is_for_the_police_only(client):
    query = "梁丰花园5幢2单元301室"
    anonymous = top(client, query)  # stairwells are public, flats are the police's
    assert (anonymous["level"], anonymous["address"]) == (
        "unit",
        "江苏省苏州市张家港市杨舍镇梁丰花园5幢2单元",
    )
    assert (anonymous["lon"], anonymous["lat"]) == pytest.approx(
        landmarks.LIANGFENG_ROOM_301.lnglat
    )
    assert all(r["layer"] != "rooms" for r in client.get(SEARCH, {"q": query}).json()["results"])
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="gaj_viewer"))
    police = top(client, query)
    assert (police["level"], police["address"]) == (
        "room",
        "江苏省苏州市张家港市杨舍镇梁丰花园5幢2单元301室",
    )
    assert (police["lon"], police["lat"]) == pytest.approx(landmarks.LIANGFENG_ROOM_301.lnglat)


def test_the_first_hospital_and_its_gate(client):
    hospital = top(client, "张家港市第一人民医院")
    assert hospital["level"] == "poi"
    assert (hospital["lon"], hospital["lat"]) == pytest.approx(landmarks.FIRST_HOSPITAL.lnglat)
    gate = top(client, "长安中路257号")
    assert (gate["lon"], gate["lat"]) == pytest.approx(landmarks.FIRST_HOSPITAL_GATE.lnglat)


def test_a_road_is_found_by_its_alias_and_former_name(client):
    assert top(client, "北二环路")["address"].endswith("港城大道")
    assert top(client, "县前街")["address"].endswith("人民中路")


def test_reverse_at_renmin_zhonglu_88(client):
    lon, lat = landmarks.ADDRESS_RENMIN_ZHONGLU_88.lnglat
    body = client.get("/api/geocoding/reverse", {"lon": lon, "lat": lat}).json()
    assert body["result"]["address"] == "江苏省苏州市张家港市杨舍镇人民中路88号"
    assert body["result"]["distance_m"] < 0.5
    assert [d["name"] for d in body["divisions"]] == [
        "江苏省",
        "苏州市",
        "张家港市",
        "杨舍镇",
        "花园浜社区",
    ]
