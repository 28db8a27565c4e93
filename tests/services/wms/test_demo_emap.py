"""The demo city's e-map (load_demo's styles and groups) as WMS clients see it."""

import json

import pytest

from fixtures.demo import landmarks
from layers.models import Layer, LayerGroup
from tests.town import pixel, pixels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

BUILDING = (0xD9, 0xCF, 0xC3)  # fixtures/demo/styles/buildings.xml
LABEL = (0x3A, 0x3A, 0x3A)  # road names in fixtures/demo/styles/emap_roads.xml


def get_map(client, layers, box, size=256, **params):
    minx, miny, maxx, maxy = box
    response = client.get("/ows", {
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": layers,
        "STYLES": "", "CRS": "EPSG:4549", "BBOX": f"{miny},{minx},{maxy},{maxx}",
        "WIDTH": size, "HEIGHT": size, "FORMAT": "image/png", **params,
    })
    assert response.status_code == 200, response.content[:300]
    return response.content


def red(p):
    return p[0] > 200 and p[1] < 60 and p[2] < 60


def test_load_demo_styles_every_layer_and_makes_the_groups():
    for layer in Layer.objects.exclude(name__startswith="town_"):
        assert layer.styles.get(is_default=True).name == "emap", layer.name
    assert {"emap", "emap_imagery", "terrain", "planning"} <= set(
        LayerGroup.objects.values_list("name", flat=True))
    assert Layer.objects.get(name="hillshade").raster_info["count"] == 1


def test_the_city_government_building_is_building_coloured(client):
    x, y = landmarks.CITY_GOVERNMENT.xy
    # 300 m around the building at 256 px: (551710, 3527895), inside its footprint and off
    # the POI symbol at its centre, is pixel (98, 128).
    png = get_map(client, "buildings", (x - 150, y - 150, x + 150, y + 150))
    assert pixel(png, 98, 128)[:3] == BUILDING
    emap = get_map(client, "emap", (x - 150, y - 150, x + 150, y + 150))
    assert pixel(emap, 98, 128)[:3] == BUILDING


def test_road_names_are_drawn_in_chinese(client):
    # 人民中路 runs along y = 3527800; at 1:7,000 its name is drawn on it.
    png = get_map(client, "emap_roads", (551000, 3527300, 552000, 3528300), size=512)
    rows = pixels(png)[236 * 512:276 * 512]
    # Roads are white, yellow and grey: only glyphs of the name are this dark.
    assert sum(1 for p in rows if all(abs(a - b) < 25 for a, b in zip(p[:3], LABEL))) > 15


def test_internal_red_lines_never_reach_anonymous_callers(client):
    x, y = landmarks.LAND_APPROVAL.xy
    box = (x - 400, y - 400, x + 400, y + 400)
    assert not any(red(p) for p in pixels(get_map(client, "planning", box)))
    caps = client.get("/ows", {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).content
    assert b"land_approvals" not in caps and b"<Name>planning</Name>" in caps
    info = client.get("/ows", {
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetFeatureInfo", "LAYERS": "planning",
        "QUERY_LAYERS": "planning", "STYLES": "", "CRS": "EPSG:4549",
        "BBOX": f"{box[1]},{box[0]},{box[3]},{box[2]}", "WIDTH": 256, "HEIGHT": 256,
        "I": 128, "J": 128, "INFO_FORMAT": "application/json", "FEATURE_COUNT": 50,
    })
    assert all(f["layer"] != "land_approvals" for f in json.loads(info.content)["features"])
    client.force_login(_user("zrzy_viewer"))
    assert any(red(p) for p in pixels(get_map(client, "planning", box)))


def _user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)
