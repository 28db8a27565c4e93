import numpy as np
import pytest
import rasterio
from affine import Affine
from django.contrib.gis.geos import GEOSGeometry
from django.test import override_settings
from rasterio.io import MemoryFile

from geoshare.access.policy import Grant
from geoshare.errors import InvalidParameterError, LimitExceededError
from geoshare.geo import BBox
from layers.coverages import SubsetOutsideError, coverage_source, to_geotiff, to_png
from layers.sources import CoverageSubset
from tests.factories import raster_layer

pytestmark = pytest.mark.django_db

# A 100 × 80 grid of 10 m cells in EPSG:4549 whose value is row * 1000 + column.
ORIGIN = (540_000.0, 3_530_000.0)
TRANSFORM = Affine(10, 0, ORIGIN[0], 0, -10, ORIGIN[1])


@pytest.fixture
def dem():
    rows, cols = np.mgrid[0:80, 0:100]
    data = (rows * 1000 + cols).astype("float32")[None]
    return raster_layer("dem_test", data, TRANSFORM, srid=4549, nodata=-9999.0)


def test_stored_as_cloud_optimized_geotiff(dem):
    with rasterio.open(dem.raster_path) as ds:
        assert ds.profile["tiled"]
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"


def test_native_trim_returns_the_stored_pixels(dem):
    box = BBox(ORIGIN[0] + 100, ORIGIN[1] - 200, ORIGIN[0] + 300, ORIGIN[1] - 100, 4549)
    result = coverage_source(dem).read(CoverageSubset(bbox=box), Grant(dem))
    assert result.data.shape == (1, 10, 20)
    assert result.data[0, 0, 0] == 10 * 1000 + 10
    assert result.data[0, 9, 19] == 19 * 1000 + 29


def test_reprojected_read_covers_the_area(dem):
    result = coverage_source(dem).read(CoverageSubset(out_srid=4490, size=(64, 64)), Grant(dem))
    assert result.srid == 4490
    west, south, east, north = result.bounds
    assert 120.0 < west < east < 121.0 and 31.0 < south < north < 33.0
    assert result.data.count() > 0.8 * 64 * 64  # most of the grid falls on data


def test_scale_factor_and_band_subset(dem):
    result = coverage_source(dem).read(CoverageSubset(scale_factor=0.5, bands=(1,)), Grant(dem))
    assert result.data.shape == (1, 40, 50)
    with pytest.raises(InvalidParameterError):
        coverage_source(dem).read(CoverageSubset(bands=(2,)), Grant(dem))


def test_subset_outside_is_refused(dem):
    far = BBox(0, 0, 10, 10, 4549)
    with pytest.raises(SubsetOutsideError):
        coverage_source(dem).read(CoverageSubset(bbox=far), Grant(dem))


@override_settings(GEOSHARE_MAX_COVERAGE_PIXELS=1000)
def test_too_many_pixels_is_refused(dem):
    with pytest.raises(LimitExceededError):
        coverage_source(dem).read(CoverageSubset(), Grant(dem))


def test_area_limit_masks_outside_pixels(dem):
    x0, y0 = ORIGIN
    area = GEOSGeometry(
        f"MULTIPOLYGON((({x0} {y0}, {x0 + 500} {y0}, {x0 + 500} {y0 - 800}, {x0} {y0 - 800}, {x0} {y0})))",
        srid=4549,
    )
    result = coverage_source(dem).read(CoverageSubset(), Grant(dem, area_limit=area))
    mask = np.ma.getmaskarray(result.data)[0]
    assert not mask[:, :50].any() and mask[:, 50:].all()


def test_geotiff_round_trip_keeps_values_and_georeferencing(dem):
    result = coverage_source(dem).read(CoverageSubset(), Grant(dem))
    with MemoryFile(to_geotiff(result)) as memory, memory.open() as ds:
        assert ds.crs.to_epsg() == 4549
        assert ds.transform == TRANSFORM
        assert ds.nodata == -9999.0
        assert np.array_equal(ds.read(1), result.data[0].filled(-9999.0))


def test_png_quicklook_is_grey_with_masked_pixels_transparent(dem):
    x0, y0 = ORIGIN
    area = GEOSGeometry(
        f"MULTIPOLYGON((({x0} {y0}, {x0 + 500} {y0}, {x0 + 500} {y0 - 800}, {x0} {y0 - 800}, {x0} {y0})))",
        srid=4549,
    )
    result = coverage_source(dem).read(CoverageSubset(), Grant(dem, area_limit=area))
    with MemoryFile(to_png(result)) as memory, memory.open() as ds:
        rgba = ds.read()
    assert rgba.shape == (4, 80, 100)
    assert rgba[3, 0, 0] == 255 and rgba[3, 0, 99] == 0
    assert rgba[0, 79, 49] > rgba[0, 0, 0]  # higher values are lighter


def test_an_area_limit_keeps_averaging_from_blending_in_pixels_outside_it(dem):
    # Columns 0-59 are inside. Of three output pixels across the grid, the middle one (columns
    # 33-66) has its centre inside: it must be one stored pixel inside, not a blend with 60-66.
    x0, y0 = ORIGIN
    area = GEOSGeometry(
        f"MULTIPOLYGON((({x0} {y0}, {x0 + 600} {y0}, {x0 + 600} {y0 - 800}, {x0} {y0 - 800}, {x0} {y0})))",
        srid=4549,
    )
    subset = CoverageSubset(size=(3, 1), resampling="average")
    data = coverage_source(dem).read(subset, Grant(dem, area_limit=area)).data[0]
    middle = float(data[0, 1])
    assert middle == int(middle) and int(middle) % 1000 < 60
