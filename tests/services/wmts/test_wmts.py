"""WMTS 1.0.0: capabilities QGIS and OWSLib read, tiles by KVP and REST, bad input."""

import pytest
from lxml import etree

from tests.town import SECRET_RGB, pixels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

WMTS = "{http://www.opengis.net/wmts/1.0}"
OWS = "{http://www.opengis.net/ows/1.1}"
CENTRE = {"TileMatrixSet": "WebMercatorQuad", "TileMatrix": "17", "TileRow": "53282",
          "TileCol": "109424"}
REST = "/wmts/1.0.0/{layer}/{style}/WebMercatorQuad/17/53282/109424.png"


def capabilities(client, path="/wmts/1.0.0/WMTSCapabilities.xml", **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def layers(root):
    return {e.findtext(f"{OWS}Identifier"): e for e in root.find(f"{WMTS}Contents").findall(f"{WMTS}Layer")}


def exception(response):
    assert response.status_code == 400, response.content[:300]
    element = etree.fromstring(response.content).find(f"{OWS}Exception")
    return element.get("exceptionCode"), element.get("locator")


def test_capabilities_rest_and_kvp_agree_and_hide_the_secret(client, town):
    rest = capabilities(client)
    kvp = capabilities(client, "/ows", SERVICE="WMTS", REQUEST="GetCapabilities")
    assert set(layers(rest)) == set(layers(kvp))
    assert {"town_buildings", "town_map"} <= set(layers(rest)) and "town_secret" not in layers(rest)


def test_both_grids_are_proper_tile_matrix_sets(client, town):
    root = capabilities(client)
    sets = {s.findtext(f"{OWS}Identifier"): s for s in root.find(f"{WMTS}Contents").findall(f"{WMTS}TileMatrixSet")}
    cgcs = sets["CGCS2000Quad"]
    assert cgcs.findtext(f"{OWS}SupportedCRS") == "urn:ogc:def:crs:EPSG::4490"
    assert cgcs.findtext(f"{WMTS}WellKnownScaleSet") == "urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad"
    first = cgcs.find(f"{WMTS}TileMatrix")
    assert first.findtext(f"{WMTS}TopLeftCorner") == "90.0 -180.0"  # latitude first
    assert first.findtext(f"{WMTS}MatrixWidth") == "2" and first.findtext(f"{WMTS}MatrixHeight") == "1"
    mercator = sets["WebMercatorQuad"]
    assert mercator.findtext(f"{WMTS}WellKnownScaleSet").endswith("GoogleMapsCompatible")
    assert mercator.find(f"{WMTS}TileMatrix/{WMTS}TopLeftCorner").text.startswith("-20037508.34")


def test_layers_link_both_grids_with_limits_and_rest_templates(client, town):
    layer = layers(capabilities(client))["town_buildings"]
    links = {link.findtext(f"{WMTS}TileMatrixSet"): link for link in layer.findall(f"{WMTS}TileMatrixSetLink")}
    assert set(links) == {"WebMercatorQuad", "CGCS2000Quad"}
    limits = {e.findtext(f"{WMTS}TileMatrix"): e for e in links["WebMercatorQuad"].iter(f"{WMTS}TileMatrixLimits")}
    z17 = limits["17"]
    assert int(z17.findtext(f"{WMTS}MinTileRow")) <= 53282 <= int(z17.findtext(f"{WMTS}MaxTileRow"))
    template = layer.find(f"{WMTS}ResourceURL").get("template")
    assert template.endswith("/wmts/1.0.0/town_buildings/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png")


def test_kvp_and_rest_tiles_are_the_same_tile(client, town):
    kvp = client.get("/ows", {"SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0",
                              "LAYER": "town_map", "STYLE": "default", "FORMAT": "image/png", **CENTRE})
    rest = client.get(REST.format(layer="town_map", style="default"))
    assert kvp.status_code == rest.status_code == 200
    assert kvp.content == rest.content and kvp["ETag"] == rest["ETag"]
    assert (kvp["X-Cache"], rest["X-Cache"]) == ("miss", "hit")
    again = client.get(REST.format(layer="town_map", style="default"), HTTP_IF_NONE_MATCH=rest["ETag"])
    assert again.status_code == 304
    assert not any(p[:3] == SECRET_RGB for p in pixels(rest.content))


def test_cgcs2000_tiles_and_jpeg(client, town):
    from services.tiles import tms

    tile = tms.get("CGCS2000Quad").tile(120.5443, 31.8721, 18)
    response = client.get(f"/wmts/1.0.0/town_buildings/plain/CGCS2000Quad/18/{tile.y}/{tile.x}.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert any(p[:3] != (255, 255, 255) for p in pixels(response.content))  # the town is drawn


@pytest.mark.parametrize("path, code, locator", [
    (REST.format(layer="town_secret", style="default"), "InvalidParameterValue", "Layer"),
    (REST.format(layer="nope", style="default"), "InvalidParameterValue", "Layer"),
    (REST.format(layer="town_roads", style="neon"), "InvalidParameterValue", "Style"),
    ("/wmts/1.0.0/town_roads/default/WebMercatorQuad/25/0/0.png", "TileOutOfRange", "TileMatrix"),
    ("/wmts/1.0.0/town_roads/default/WebMercatorQuad/-1/0/0.png", "TileOutOfRange", "TileMatrix"),
    ("/wmts/1.0.0/town_roads/default/WebMercatorQuad/3/8/0.png", "TileOutOfRange", "TileRow"),
    ("/wmts/1.0.0/town_roads/default/WebMercatorQuad/3/0/99999999999999999999.png", "TileOutOfRange", "TileCol"),
    ("/wmts/1.0.0/town_roads/default/CGCS2000Quad/0/0/2.png", "TileOutOfRange", "TileCol"),
    ("/wmts/1.0.0/town_roads/default/WebMercatorQuad/x/0/0.png", "InvalidParameterValue", "TileMatrix"),
    ("/wmts/1.0.0/town_roads/default/EPSG:900913/3/0/0.png", "InvalidParameterValue", "TileMatrixSet"),
    ("/wmts/1.0.0/town_roads/default/WebMercatorQuad/3/0/0.gif", "InvalidParameterValue", "Format"),
])
def test_rest_bad_input(client, town, path, code, locator):
    assert exception(client.get(path)) == (code, locator)


@pytest.mark.parametrize("changes, code, locator", [
    ({"LAYER": None}, "MissingParameterValue", "LAYER"),
    ({"TILEROW": None}, "MissingParameterValue", "TILEROW"),
    ({"FORMAT": "image/gif"}, "InvalidParameterValue", "Format"),
    ({"TILEMATRIX": "99"}, "TileOutOfRange", "TileMatrix"),
    ({"TILECOL": "-4"}, "TileOutOfRange", "TileCol"),
    ({"TILEROW": "NaN"}, "InvalidParameterValue", "TileRow"),
    ({"REQUEST": "GetFeatureInfo"}, "OperationNotSupported", "request"),
])
def test_kvp_bad_input(client, town, changes, code, locator):
    query = {"SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": "town_roads",
             "STYLE": "", "FORMAT": "image/png", "TILEMATRIXSET": "WebMercatorQuad",
             "TILEMATRIX": "17", "TILEROW": "53282", "TILECOL": "109424"}
    for name, value in changes.items():
        if value is None:
            query.pop(name)
        else:
            query[name] = value
    assert exception(client.get("/ows", query)) == (code, locator)
