"""Real clients against the served platform: OWSLib (WMS 1.1.1 and 1.3.0, WMTS) and GDAL."""

import shutil
import subprocess

import pytest
from owslib.util import ServiceException
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService

from tests.town import BUILDING_RGB, SECRET_RGB, pixel, pixels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

TOWN_4549 = (551200.0, 3527500.0, 551800.0, 3528100.0)


def lonlat_box():
    from geoshare.geo import BBox

    return BBox(*TOWN_4549, 4549).transformed(4490).as_tuple()


@pytest.mark.parametrize("version", ["1.1.1", "1.3.0"])
def test_owslib_reads_capabilities_and_draws_the_building(live_server, town, version):
    wms = WebMapService(f"{live_server.url}/ows", version=version)
    assert {"town_buildings", "town_roads", "town_map"} <= set(wms.contents)
    assert "town_secret" not in wms.contents
    layer = wms["town_buildings"]
    assert "EPSG:4490" in layer.crsOptions and "EPSG:4549" in layer.crsOptions
    assert "labelled" in wms["town_roads"].styles
    image = wms.getmap(layers=["town_buildings"], styles=[""], srs="EPSG:4549",
                       bbox=TOWN_4549, size=(256, 256), format="image/png")
    assert pixel(image.read(), 98, 140)[:3] == BUILDING_RGB


def test_owslib_130_in_cgcs2000_geographic(live_server, town):
    wms = WebMapService(f"{live_server.url}/ows", version="1.3.0")
    image = wms.getmap(layers=["town_map"], styles=[""], srs="EPSG:4490", bbox=lonlat_box(),
                       size=(256, 256), format="image/png")
    png = image.read()
    assert pixel(png, 98, 140)[:3] == BUILDING_RGB
    assert not any(p[:3] == SECRET_RGB for p in pixels(png))


def test_owslib_hidden_layer_is_an_exception(live_server, town):
    wms = WebMapService(f"{live_server.url}/ows", version="1.1.1")
    with pytest.raises(ServiceException, match="no layer named 'town_secret'"):
        wms.getmap(layers=["town_secret"], styles=[""], srs="EPSG:4549", bbox=TOWN_4549,
                   size=(64, 64), format="image/png")


def test_owslib_feature_info(live_server, town):
    wms = WebMapService(f"{live_server.url}/ows", version="1.1.1")
    response = wms.getfeatureinfo(
        layers=["town_buildings"], srs="EPSG:4549", bbox=TOWN_4549, size=(256, 256),
        format="image/png", query_layers=["town_buildings"], info_format="text/html", xy=(98, 140),
    )
    assert "图书馆" in response.read().decode()


def test_owslib_wmts_reads_both_grids_and_fetches_a_tile(live_server, town):
    wmts = WebMapTileService(f"{live_server.url}/wmts/1.0.0/WMTSCapabilities.xml")
    assert {"WebMercatorQuad", "CGCS2000Quad"} <= set(wmts.tilematrixsets)
    assert "town_secret" not in wmts.contents
    layer = wmts.contents["town_map"]
    assert set(layer.tilematrixsetlinks) == {"WebMercatorQuad", "CGCS2000Quad"}
    assert wmts.tilematrixsets["CGCS2000Quad"].crs == "urn:ogc:def:crs:EPSG::4490"
    tile = wmts.gettile(layer="town_buildings", tilematrixset="WebMercatorQuad", tilematrix="17",
                        row=53282, column=109424, format="image/png")
    assert any(p[:3] == BUILDING_RGB for p in pixels(tile.read()))


@pytest.mark.skipif(shutil.which("gdal_translate") is None, reason="needs Debian gdal-bin")
@pytest.mark.parametrize("version, crs, bbox", [
    ("1.1.1", "SRS=EPSG:4549", ",".join(repr(v) for v in TOWN_4549)),
    ("1.3.0", "CRS=EPSG:4490", None),
])
def test_gdal_translate_makes_a_raster(live_server, town, tmp_path, version, crs, bbox):
    if bbox is None:
        west, south, east, north = lonlat_box()
        bbox = f"{south!r},{west!r},{north!r},{east!r}"  # 1.3.0: EPSG:4490 is latitude first
    url = (f"WMS:{live_server.url}/ows?SERVICE=WMS&VERSION={version}&REQUEST=GetMap"
           f"&LAYERS=town_buildings&STYLES=&{crs}&BBOX={bbox}&FORMAT=image/png")
    out = tmp_path / "town.png"
    result = subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-outsize", "256", "256", url,
                             str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert any(p[:3] == BUILDING_RGB for p in pixels(data))
