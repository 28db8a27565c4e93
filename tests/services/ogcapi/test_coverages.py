import json

import pytest
from rasterio.io import MemoryFile

pytestmark = pytest.mark.django_db


def geotiff(response):
    with MemoryFile(response.content) as memory, memory.open() as src:
        return src.read(1), src.transform, src.crs.to_epsg()


def test_full_coverage_as_geotiff(client, dem):
    r = client.get("/ogcapi/collections/t_dem/coverage", {"f": "GTiff"})
    assert r.status_code == 200 and r["Content-Type"].startswith("image/tiff")
    data, transform, epsg = geotiff(r)
    assert data.shape == (80, 100) and epsg == 4549
    assert data[3, 7] == 3007


def test_subset_by_easting_northing(client, dem):
    r = client.get("/ogcapi/collections/t_dem/coverage",
                   {"f": "GTiff", "subset": "E(530100:530200),N(3529700:3529800)"})
    data, transform, _ = geotiff(r)
    assert data.shape == (10, 10)
    assert data[0, 0] == 20 * 1000 + 10


def test_subset_by_lat_lon_and_scale_size(client, dem):
    r = client.get("/ogcapi/collections/t_dem/coverage",
                   {"f": "GTiff", "subset": "Lat(31.87:31.89),Lon(120.31:120.32)", "scale-size": "Lon(20),Lat(10)"})
    assert r.status_code == 200, r.content
    data, _, _ = geotiff(r)
    assert data.shape == (10, 20)


def test_scale_factor_and_coveragejson(client, dem):
    doc = json.loads(client.get("/ogcapi/collections/t_dem/coverage",
                                {"f": "json", "scale-factor": "0.1"}).content)
    assert doc["type"] == "Coverage"
    assert doc["domain"]["axes"]["x"]["num"] == 10 and doc["domain"]["axes"]["y"]["num"] == 8
    assert doc["ranges"]["band1"]["values"][0] == pytest.approx(5005.0)


@pytest.mark.parametrize("params,locator", [
    ({"bbox": "nan,1,2,3"}, "bbox"),
    ({"subset": "Lat(32:31),Lon(120:121)"}, "subset"),
    ({"subset": "Height(1:2),Lon(120:121)"}, "subset"),
    ({"subset": "E(0:1),N(0:1)"}, "subset"),
    ({"scale-factor": "0"}, "scale-factor"),
    ({"scale-factor": "inf"}, "scale-factor"),
    ({"width": "1000000000", "height": "10"}, "width"),
    ({"properties": "nosuchband"}, "properties"),
    ({"f": "png"}, "f"),
])
def test_bad_coverage_requests_are_400(client, dem, params, locator):
    r = client.get("/ogcapi/collections/t_dem/coverage", params)
    assert r.status_code == 400, r.content
    assert json.loads(r.content)["parameter"] == locator
