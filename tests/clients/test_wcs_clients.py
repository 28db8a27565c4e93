"""WCS through OWSLib (2.0.1 and 1.0.0) and GDAL's WCS driver: the values are the stored ones."""

import numpy as np
import pytest
import rasterio
from owslib.wcs import WebCoverageService
from rasterio.io import MemoryFile
from rasterio.windows import Window

from tests.clients.conftest import run
from tests.services.wcs.conftest import dem_values

pytestmark = pytest.mark.django_db(transaction=True)


def test_owslib_wcs_2_0_1(client_layers, ows_url):
    wcs = WebCoverageService(ows_url, version="2.0.1")
    assert {"wcs_dem", "ortho"} <= set(wcs.contents)
    wcs_dem = wcs.contents["wcs_dem"]
    assert [int(v) for v in wcs_dem.grid.highlimits] == [99, 79]
    output = wcs.getCoverage(identifier="wcs_dem", format="image/tiff",
                             subsets=[("E", 540100, 540300), ("N", 3529800, 3529900)])
    with MemoryFile(output.read()) as memory, memory.open() as ds:
        assert np.array_equal(ds.read(1), dem_values()[10:20, 10:30])


def test_owslib_wcs_1_0_0(client_layers, ows_url):
    wcs = WebCoverageService(ows_url, version="1.0.0")
    wcs_dem = wcs.contents["wcs_dem"]
    assert "EPSG:4549" in [c.getcode() for c in wcs_dem.supportedCRS] and "GeoTIFF" in wcs_dem.supportedFormats
    output = wcs.getCoverage(identifier="wcs_dem", bbox=(540100, 3529800, 540400, 3530000), crs="EPSG:4549",
                             format="GeoTIFF", width=30, height=20)
    with MemoryFile(output.read()) as memory, memory.open() as ds:
        assert np.array_equal(ds.read(1), dem_values()[0:20, 10:40])


@pytest.mark.parametrize("version", ["2.0.1", "1.0.0"])
def test_gdal_translate_gives_the_stored_dem(client_layers, ows_url, tmp_path, version):
    target = tmp_path / f"wcs_dem-{version}.tif"
    run("gdal_translate", "-q", "-oo", f"CACHE={tmp_path / 'cache'}",
        f"WCS:{ows_url}?version={version}&coverage=wcs_dem", str(target))
    with rasterio.open(target) as got, rasterio.open(client_layers["wcs_dem"].raster_path) as stored:
        assert got.transform == stored.transform and got.crs.to_epsg() == 4549
        assert np.array_equal(got.read(1), stored.read(1))


def test_gdal_translate_window_of_a_lat_long_coverage(client_layers, ows_url, tmp_path):
    target = tmp_path / "ortho.tif"
    run("gdal_translate", "-q", "-oo", f"CACHE={tmp_path / 'cache'}", "-srcwin", "8", "4", "20", "10",
        f"WCS:{ows_url}?coverage=ortho", str(target))
    with rasterio.open(target) as got, rasterio.open(client_layers["ortho"].raster_path) as stored:
        assert got.count == 3 and got.crs.to_epsg() == 4490
        assert np.array_equal(got.read(), stored.read(window=Window(8, 4, 20, 10)))
