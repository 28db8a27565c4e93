"""WMS capabilities: what the policy shows, with axis order, legends and carried tokens."""

import pytest
from lxml import etree

from geoshare.access import tokens
from geoshare.access.models import Tier
from layers.models import Layer, Style

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

WMS = "{http://www.opengis.net/wms}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def capabilities(client, version="1.3.0", **params):
    response = client.get("/ows", {"SERVICE": "WMS", "REQUEST": "GetCapabilities",
                                   "VERSION": version, **params})
    assert response.status_code == 200
    return etree.fromstring(response.content)


def named_layers(root, ns=WMS):
    return {e.findtext(f"{ns}Name"): e for e in root.iter(f"{ns}Layer") if e.find(f"{ns}Name") is not None}


def test_anonymous_sees_public_layers_and_the_group_without_the_secret(client, town):
    root = capabilities(client)
    layers = named_layers(root)
    assert {"town_buildings", "town_roads", "town_dem", "town_map"} <= set(layers)
    assert "town_secret" not in layers and b"town_secret" not in etree.tostring(root)
    members = [e.findtext(f"{WMS}Name") for e in layers["town_map"].findall(f"{WMS}Layer")]
    assert members == ["town_ortho", "town_buildings", "town_roads"]


def test_the_owner_department_sees_its_internal_layer(client, town):
    client.force_login(town.users["officer"])
    assert "town_secret" in named_layers(capabilities(client))


def test_bounding_boxes_follow_each_versions_axis_order(client, town):
    layer = named_layers(capabilities(client))["town_buildings"]
    boxes = {b.get("CRS"): b for b in layer.findall(f"{WMS}BoundingBox")}
    assert set(boxes) == {"EPSG:4490", "EPSG:4549", "EPSG:4326", "EPSG:3857", "CRS:84"}
    assert 31 < float(boxes["EPSG:4490"].get("minx")) < 32  # latitude first
    assert 120 < float(boxes["CRS:84"].get("minx")) < 121
    assert 3_500_000 < float(boxes["EPSG:4549"].get("minx"))  # northing first
    assert 13_000_000 < float(boxes["EPSG:3857"].get("minx"))
    old = named_layers(capabilities(client, "1.1.1"), ns="")["town_buildings"]
    boxes_111 = {b.get("SRS"): b for b in old.findall("BoundingBox")}
    assert 120 < float(boxes_111["EPSG:4490"].get("minx")) < 121  # 1.1.1: always x/y
    assert old.find("LatLonBoundingBox") is not None


def test_styles_with_legend_urls_and_metadata(client, town):
    layer = named_layers(capabilities(client))["town_roads"]
    styles = [s.findtext(f"{WMS}Name") for s in layer.findall(f"{WMS}Style")]
    assert styles[0] == "labelled" and "default" in styles
    legend = layer.find(f"{WMS}Style/{WMS}LegendURL")
    assert int(legend.get("width")) > 0 and int(legend.get("height")) > 0
    href = legend.find(f"{WMS}OnlineResource").get(XLINK)
    assert "REQUEST=GetLegendGraphic" in href and "LAYER=town_roads" in href
    metadata = layer.find(f"{WMS}MetadataURL/{WMS}OnlineResource").get(XLINK)
    assert metadata.endswith("/api/catalog/layers/town_roads/")


def test_advertised_urls_carry_the_token(client, town):
    secret, _token = tokens.issue(town.users["officer"], "QGIS")
    root = capabilities(client, token=secret)
    hrefs = [e.get(XLINK) for e in root.iter() if e.get(XLINK)]
    assert hrefs and all(f"token={secret}" in h for h in hrefs)
    assert "town_secret" in named_layers(root)  # the token's owner sees the police layer


def test_capabilities_queries_do_not_grow_with_layers(client, town, django_assert_max_num_queries):
    with django_assert_max_num_queries(12) as before:
        capabilities(client)
    layers = Layer.objects.bulk_create([
        Layer(name=f"many_{n}", title=f"图层{n}", kind="thematic", tier=Tier.PUBLIC,
              department=town.planning, storage="vector", srid=4490, table_name=f"many_{n}",
              geometry_type="MultiPoint")
        for n in range(40)
    ])
    Style.objects.bulk_create([
        Style(layer=layer, name="default", title="默认", is_default=True,
              body='<Style name="d"><Rule><MarkersSymbolizer/></Rule></Style>')
        for layer in layers
    ])
    with django_assert_max_num_queries(len(before.captured_queries)):
        root = capabilities(client)
    assert "many_39" in named_layers(root)
