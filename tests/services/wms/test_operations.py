"""WMS GetMap, GetFeatureInfo and GetLegendGraphic through /ows, as clients call them."""

import json
from urllib.parse import urlencode

import pytest
from lxml import etree

from tests.town import BUILDING_RGB, SECRET_RGB, pixel, pixels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

TOWN_4549 = (551200, 3527500, 551800, 3528100)


def lonlat_box():
    from geoshare.geo import BBox

    return BBox(*TOWN_4549, 4549).transformed(4490)


def get_map(client, version="1.3.0", **params):
    query = {"SERVICE": "WMS", "VERSION": version, "REQUEST": "GetMap", "STYLES": "",
             "WIDTH": "256", "HEIGHT": "256", "FORMAT": "image/png", **params}
    response = client.get("/ows", query)
    assert response.status_code == 200, response.content[:400]
    return response


def info(client, fmt, layers="town_buildings", i=98, j=140, **params):
    query = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetFeatureInfo", "LAYERS": layers,
             "QUERY_LAYERS": layers, "STYLES": "", "CRS": "EPSG:4549",
             "BBOX": "3527500,551200,3528100,551800", "WIDTH": "256", "HEIGHT": "256",
             "I": str(i), "J": str(j), "INFO_FORMAT": fmt, "FEATURE_COUNT": "10", **params}
    response = client.get("/ows", query)
    assert response.status_code == 200, response.content[:400]
    return response


def test_getmap_130_epsg_4549_is_north_first(client, town):
    response = get_map(client, LAYERS="town_buildings", CRS="EPSG:4549",
                       BBOX="3527500,551200,3528100,551800")
    assert response["Content-Type"] == "image/png"
    assert pixel(response.content, 98, 140)[:3] == BUILDING_RGB


@pytest.mark.parametrize("version, crs_param, crs, yx", [
    ("1.3.0", "CRS", "EPSG:4490", True), ("1.3.0", "CRS", "EPSG:4326", True),
    ("1.3.0", "CRS", "CRS:84", False), ("1.1.1", "SRS", "EPSG:4490", False),
    ("1.1.1", "SRS", "EPSG:4326", False),
])
def test_axis_order_rules_of_each_version(client, town, version, crs_param, crs, yx):
    box = lonlat_box()
    values = (box.miny, box.minx, box.maxy, box.maxx) if yx else box.as_tuple()
    response = get_map(client, version, LAYERS="town_buildings", **{crs_param: crs},
                       BBOX=",".join(repr(v) for v in values))
    assert pixel(response.content, 98, 140)[:3] == BUILDING_RGB


def test_getmap_3857_several_layers_and_styles(client, town):
    box = lonlat_box().transformed(3857)
    response = get_map(client, LAYERS="town_ortho,town_buildings,town_roads",
                       STYLES="default,plain,", CRS="EPSG:3857",
                       BBOX=",".join(repr(v) for v in box.as_tuple()))
    assert pixel(response.content, 98, 140)[:3] == BUILDING_RGB
    assert pixel(response.content, 240, 20)[:3] == (30, 160, 60)  # the orthophoto beneath


def test_getmap_by_post_and_in_jpeg_and_png8(client, town):
    params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "town_map",
              "STYLES": "", "CRS": "EPSG:4549", "BBOX": "3527500,551200,3528100,551800",
              "WIDTH": "64", "HEIGHT": "64"}
    response = client.post("/ows", urlencode({**params, "FORMAT": "image/jpeg"}),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.content[:3] == b"\xff\xd8\xff"
    png8 = client.get("/ows", {**params, "FORMAT": "image/png; mode=8bit"})
    assert png8["Content-Type"] == "image/png" and png8.content[25] == 3


def test_the_group_never_shows_a_hidden_member(client, town):
    response = get_map(client, LAYERS="town_map", CRS="EPSG:4549",
                       BBOX="3527500,551200,3528100,551800")
    assert not any(p[:3] == SECRET_RGB for p in pixels(response.content))
    client.force_login(town.users["officer"])
    response = get_map(client, LAYERS="town_map", CRS="EPSG:4549",
                       BBOX="3527500,551200,3528100,551800")
    assert any(p[:3] == SECRET_RGB for p in pixels(response.content))


def test_feature_info_json_html_gml_and_text(client, town):
    data = json.loads(info(client, "application/json").content)
    (feature,) = data["features"]
    assert feature["id"].startswith("town_buildings.") and feature["properties"]["name"] == "图书馆"
    assert feature["geometry"]["type"] == "MultiPolygon"
    html = info(client, "text/html").content.decode()
    assert "<td>图书馆</td>" in html and "<script" not in html
    gml = etree.fromstring(info(client, "application/vnd.ogc.gml").content)
    assert gml.find(".//{*}name").text == "图书馆" and gml.find(".//{*}geom") is not None
    assert "图书馆" in info(client, "text/plain").content.decode()


def test_feature_info_on_a_raster_gives_its_value(client, town):
    data = json.loads(info(client, "application/json", layers="town_dem").content)
    (feature,) = data["features"]
    # DEM cell (row 32, column 23) around the library's centre: value row + column
    assert feature["properties"]["band1"] == pytest.approx(55, abs=2)


def test_a_restricted_grant_limits_pixels_and_feature_info(client, town, planning_grant):
    client.force_login(town.users["planner"])
    png = get_map(client, LAYERS="town_secret", CRS="EPSG:4549",
                  BBOX="3527500,551200,3528100,551800").content
    assert pixel(png, 128, 60)[:3] == SECRET_RGB  # north of the limit
    assert pixel(png, 128, 200)[:3] == (255, 255, 255)  # south: outside the area limit
    for fmt in ("application/json", "text/html", "application/vnd.ogc.gml", "text/plain"):
        north = info(client, fmt, layers="town_secret", i=128, j=60).content.decode()
        assert "机密" in north and "case_no" not in north and "GA-2024" not in north
        south = info(client, fmt, layers="town_secret", i=128, j=200).content.decode()
        assert "机密" not in south
    client.force_login(town.users["officer"])  # the owner sees everything
    assert "GA-2024-0031" in info(client, "application/json", layers="town_secret", i=128,
                                  j=200).content.decode()


def test_feature_info_of_a_group_leaves_out_hidden_members(client, town):
    # pixel (30, 30) lies on the secret polygon only
    data = json.loads(info(client, "application/json", layers="town_map", i=30, j=30).content)
    assert all(f["layer"] != "town_secret" for f in data["features"])
    client.force_login(town.users["officer"])
    data = json.loads(info(client, "application/json", layers="town_map", i=30, j=30).content)
    assert any(f["layer"] == "town_secret" for f in data["features"])


def test_legend_graphic(client, town):
    response = client.get("/ows", {"SERVICE": "WMS", "REQUEST": "GetLegendGraphic",
                                   "LAYER": "town_buildings", "FORMAT": "image/png"})
    assert response.status_code == 200
    assert any(p[:3] == BUILDING_RGB for p in pixels(response.content))


def test_getmap_and_getfeatureinfo_without_service_are_wms(client, town):
    # WMS 1.1.1 and 1.3.0 ask for SERVICE on GetCapabilities only; GeoServer infers it too.
    query = {"VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "town_buildings", "STYLES": "",
             "CRS": "EPSG:4549", "BBOX": "3527500,551200,3528100,551800", "WIDTH": "256",
             "HEIGHT": "256", "FORMAT": "image/png"}
    response = client.get("/ows", query)
    assert response.status_code == 200 and pixel(response.content, 98, 140)[:3] == BUILDING_RGB
    response = client.get("/ows", {**query, "REQUEST": "GetFeatureInfo", "QUERY_LAYERS": "town_buildings",
                                   "I": "98", "J": "140", "INFO_FORMAT": "application/json"})
    assert json.loads(response.content)["features"][0]["properties"]["name"] == "图书馆"
