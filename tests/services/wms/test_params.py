"""Bad WMS input: an OGC exception with the right code and locator, HTTP 400, never a 500."""

import pytest
from lxml import etree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

OGC = "{http://www.opengis.net/ogc}"
GETMAP_130 = {
    "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "town_buildings",
    "STYLES": "", "CRS": "EPSG:4549", "BBOX": "3527500,551200,3528100,551800",
    "WIDTH": "256", "HEIGHT": "256", "FORMAT": "image/png",
}
GETMAP_111 = {**GETMAP_130, "VERSION": "1.1.1", "SRS": "EPSG:4549", "BBOX": "551200,3527500,551800,3528100"}
del GETMAP_111["CRS"]
GETINFO_111 = {**GETMAP_111, "REQUEST": "GetFeatureInfo", "QUERY_LAYERS": "town_buildings", "X": "98",
               "Y": "140", "INFO_FORMAT": "application/json"}
INFO = {**GETMAP_130, "REQUEST": "GetFeatureInfo", "QUERY_LAYERS": "town_buildings", "I": "98",
        "J": "140", "INFO_FORMAT": "application/json"}


def exception_130(response):
    assert response.status_code == 400, response.content[:300]
    root = etree.fromstring(response.content)
    assert root.tag == f"{OGC}ServiceExceptionReport"
    element = root.find(f"{OGC}ServiceException")
    return element.get("code"), element.get("locator"), element.text


def exception_111(response):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.ogc.se_xml")
    element = etree.fromstring(response.content).find("ServiceException")
    return element.get("code"), element.get("locator"), element.text


def changed(base, **changes):
    query = dict(base)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query


@pytest.mark.parametrize("changes, code, locator", [
    ({"LAYERS": None}, "MissingParameterValue", "LAYERS"),
    ({"LAYERS": "no_such_layer"}, "LayerNotDefined", "LAYERS"),
    ({"LAYERS": "town_buildings,,town_roads"}, "InvalidParameterValue", "LAYERS"),
    ({"STYLES": "neon"}, "StyleNotDefined", "STYLES"),
    ({"STYLES": ",,"}, "InvalidParameterValue", "STYLES"),
    ({"CRS": "EPSG:9999"}, "InvalidCRS", "CRS"),
    ({"CRS": "EPSG:4326'; DROP TABLE x"}, "InvalidCRS", "CRS"),
    ({"CRS": None}, "MissingParameterValue", "CRS"),
    ({"BBOX": None}, "MissingParameterValue", "BBOX"),
    ({"BBOX": "3528100,551200,3527500,551800"}, "InvalidParameterValue", "BBOX"),
    ({"BBOX": "3527500,551200,3527500,551800"}, "InvalidParameterValue", "BBOX"),
    ({"BBOX": "NaN,551200,3528100,551800"}, "InvalidParameterValue", "BBOX"),
    ({"BBOX": "-inf,551200,inf,551800"}, "InvalidParameterValue", "BBOX"),
    ({"BBOX": "1e999,551200,2e999,551800"}, "InvalidParameterValue", "BBOX"),
    ({"BBOX": "1,2,3"}, "InvalidParameterValue", "BBOX"),
    ({"WIDTH": "100000"}, "InvalidParameterValue", "WIDTH"),
    ({"WIDTH": "1e9"}, "InvalidParameterValue", "WIDTH"),
    ({"WIDTH": "0"}, "InvalidParameterValue", "WIDTH"),
    ({"HEIGHT": "-5"}, "InvalidParameterValue", "HEIGHT"),
    ({"HEIGHT": None}, "MissingParameterValue", "HEIGHT"),
    ({"FORMAT": "image/gif"}, "InvalidFormat", "FORMAT"),
    ({"FORMAT": None}, "MissingParameterValue", "FORMAT"),
    ({"TRANSPARENT": "maybe"}, "InvalidParameterValue", "TRANSPARENT"),
    ({"BGCOLOR": "red"}, "InvalidParameterValue", "BGCOLOR"),
    ({"FORMAT_OPTIONS": "dpi:100000"}, "InvalidParameterValue", "FORMAT_OPTIONS"),
    ({"DPI": "nan"}, "InvalidParameterValue", "DPI"),
    ({"TIME": "2024-01-01"}, "InvalidDimensionValue", "TIME"),
    ({"ELEVATION": "10"}, "InvalidDimensionValue", "ELEVATION"),
    ({"SLD": "http://169.254.169.254/latest/meta-data/sld.xml"}, "InvalidParameterValue", "SLD"),
    ({"SLD_BODY": "<StyledLayerDescriptor/>"}, "InvalidParameterValue", "SLD_BODY"),
    ({"EXCEPTIONS": "bogus"}, "InvalidParameterValue", "EXCEPTIONS"),
    ({"VERSION": "9.9.9"}, "InvalidParameterValue", "version"),
    ({"REQUEST": "GetMapz"}, "OperationNotSupported", "request"),
])
def test_getmap_130_bad_input(client, town, changes, code, locator):
    assert exception_130(client.get("/ows", changed(GETMAP_130, **changes)))[:2] == (code, locator)


@pytest.mark.parametrize("changes, code, locator", [
    ({"SRS": "EPSG:9999"}, "InvalidSRS", "SRS"),
    ({"SRS": None}, "MissingParameterValue", "SRS"),
    ({"LAYERS": "town_secret"}, "LayerNotDefined", "LAYERS"),
    ({"BBOX": "551800,3527500,551200,3528100"}, "InvalidParameterValue", "BBOX"),
    ({"EXCEPTIONS": "application/vnd.ogc.se_xml", "FORMAT": "text/html"}, "InvalidFormat", "FORMAT"),
])
def test_getmap_111_bad_input(client, town, changes, code, locator):
    assert exception_111(client.get("/ows", changed(GETMAP_111, **changes)))[:2] == (code, locator)


def test_a_hidden_layer_answers_word_for_word_like_an_unknown_one(client, town):
    hidden = client.get("/ows", changed(GETMAP_130, LAYERS="town_secret"))
    unknown = client.get("/ows", changed(GETMAP_130, LAYERS="town_secretx"))
    assert exception_130(hidden)[2] == exception_130(unknown)[2].replace("town_secretx", "town_secret")
    assert b"forbidden" not in hidden.content.lower()


def test_layers_are_capped_at_the_layer_limit(client, town):
    response = client.get("/ows", changed(GETMAP_130, LAYERS=",".join(["town_buildings"] * 101)))
    code, locator, text = exception_130(response)
    assert (code, locator) == ("InvalidParameterValue", "LAYERS")
    assert "101" in text and "100" in text
    response = client.get("/ows", changed(GETMAP_111, LAYERS=",".join(["town_roads"] * 5000),
                                          STYLES=","))
    assert exception_111(response)[:2] == ("InvalidParameterValue", "LAYERS")


def test_the_layer_limit_is_a_setting_and_covers_query_layers(client, town, settings):
    settings.GEOSHARE_WMS_MAX_LAYERS = 2
    assert client.get("/ows", changed(GETMAP_130, LAYERS="town_buildings,town_roads")).status_code == 200
    response = client.get("/ows", changed(GETMAP_130, LAYERS="town_buildings,town_roads,town_dem"))
    assert exception_130(response)[:2] == ("InvalidParameterValue", "LAYERS")
    response = client.get("/ows", changed(INFO, QUERY_LAYERS="town_buildings,town_buildings,town_buildings"))
    assert exception_130(response)[:2] == ("InvalidParameterValue", "QUERY_LAYERS")
    inimage = client.get("/ows", changed(GETMAP_130, LAYERS="a,b,c", EXCEPTIONS="INIMAGE"))
    assert inimage.status_code == 400 and inimage["Content-Type"] == "image/png"


@pytest.mark.parametrize("changes, code, locator", [
    ({"I": "256"}, "InvalidPoint", "I"),
    ({"J": "-1"}, "InvalidPoint", "J"),
    ({"I": "x"}, "InvalidPoint", "I"),
    ({"I": None}, "MissingParameterValue", "I"),
    ({"INFO_FORMAT": "application/pdf"}, "InvalidFormat", "INFO_FORMAT"),
    ({"QUERY_LAYERS": "town_secret"}, "LayerNotDefined", "QUERY_LAYERS"),
    ({"QUERY_LAYERS": None}, "MissingParameterValue", "QUERY_LAYERS"),
    ({"FEATURE_COUNT": "-3"}, "InvalidParameterValue", "FEATURE_COUNT"),
    ({"FEATURE_COUNT": "99999999"}, "InvalidParameterValue", "FEATURE_COUNT"),
])
def test_getfeatureinfo_bad_input(client, town, changes, code, locator):
    assert exception_130(client.get("/ows", changed(INFO, **changes)))[:2] == (code, locator)


@pytest.mark.parametrize("layers, query_layers", [
    ("town_buildings", "town_roads"), ("town_buildings", "town_buildings,town_roads"),
    ("town_buildings", "town_map"), ("town_roads", "town_dem"),
])
def test_query_layers_not_on_the_map_are_not_defined(client, town, layers, query_layers):
    # WMS 1.3.0 Table E.1 (and 1.1.1 Annex A): LayerNotDefined is also "a GetFeatureInfo
    # request for a Layer not shown on the map".
    response = client.get("/ows", changed(INFO, LAYERS=layers, QUERY_LAYERS=query_layers))
    code, locator, text = exception_130(response)
    assert (code, locator) == ("LayerNotDefined", "QUERY_LAYERS")
    assert "LAYERS" in text and "no layer named" not in text
    response = client.get("/ows", changed(GETINFO_111, LAYERS=layers, QUERY_LAYERS=query_layers))
    assert exception_111(response)[:2] == ("LayerNotDefined", "QUERY_LAYERS")


def test_query_layers_may_be_members_of_a_group_on_the_map(client, town):
    response = client.get("/ows", changed(INFO, LAYERS="town_map", QUERY_LAYERS="town_buildings"))
    assert response.status_code == 200, response.content[:300]
    # the hidden member stays unknown, as it is everywhere
    hidden = client.get("/ows", changed(INFO, LAYERS="town_map", QUERY_LAYERS="town_secret"))
    assert exception_130(hidden)[:2] == ("LayerNotDefined", "QUERY_LAYERS")
    assert "no layer named 'town_secret'" in exception_130(hidden)[2]


@pytest.mark.parametrize("query, code, locator", [
    ({"LAYER": "town_secret"}, "LayerNotDefined", "LAYER"),
    ({"LAYER": "town_roads", "STYLE": "neon"}, "StyleNotDefined", "STYLE"),
    ({}, "MissingParameterValue", "LAYER"),
    ({"LAYER": "town_roads", "WIDTH": "100000"}, "InvalidParameterValue", "WIDTH"),
    ({"LAYER": "town_roads", "FORMAT": "image/tiff"}, "InvalidFormat", "FORMAT"),
    ({"LAYER": "town_roads", "SCALE": "inf"}, "InvalidParameterValue", "SCALE"),
])
def test_getlegendgraphic_bad_input(client, town, query, code, locator):
    response = client.get("/ows", {"SERVICE": "WMS", "VERSION": "1.3.0",
                                   "REQUEST": "GetLegendGraphic", **query})
    assert exception_130(response)[:2] == (code, locator)


def test_inimage_and_blank_exceptions_are_images(client, town):
    response = client.get("/ows", changed(GETMAP_130, LAYERS="nope", EXCEPTIONS="INIMAGE"))
    assert response.status_code == 400 and response["Content-Type"] == "image/png"
    assert response.content[:4] == b"\x89PNG"
    blank = client.get("/ows", changed(GETMAP_130, LAYERS="nope", FORMAT="image/jpeg",
                                       EXCEPTIONS="application/vnd.ogc.se_blank"))
    assert blank.status_code == 400 and blank["Content-Type"] == "image/jpeg"
    # a size too large for a map is not drawn as an error image either
    huge = client.get("/ows", changed(GETMAP_130, WIDTH="100000", EXCEPTIONS="INIMAGE"))
    assert huge.status_code == 400 and len(huge.content) < 100_000


def test_invalid_utf8_and_huge_values_are_client_errors(client, town):
    response = client.get("/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=%ff%fe&STYLES="
                          "&CRS=EPSG:4326&BBOX=1,2,3,4&WIDTH=10&HEIGHT=10&FORMAT=image/png")
    assert exception_130(response)[0] == "LayerNotDefined"
    response = client.get("/ows", changed(GETMAP_130, LAYERS="a" * 70_000))
    # refused by the shared KVP parser before the service is known: an OWS report
    assert response.status_code == 400 and b'locator="LAYERS"' in response.content
