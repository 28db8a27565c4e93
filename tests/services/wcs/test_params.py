"""WCS request parsing: subsets, axis labels per CRS, scaling, range subsets, formats."""

import pytest

from geoshare.geo import parse_crs
from services.ows.kvp import Kvp
from services.wcs.errors import (
    InterpolationNotSupportedError,
    InvalidAxisLabelError,
    InvalidSubsettingError,
    NoSuchFieldError,
    ScalingAxisUndefinedError,
    UnsupportedFormatError,
)
from services.wcs.params import (
    AxisSubset,
    axis_subsets,
    bands,
    crs_axes,
    get_coverage_params,
    grid_axes,
    scaled_size,
)


def params(**kvp):
    repeated = {k: v for k, v in kvp.items() if isinstance(v, list)}
    single = {k: (v[-1] if isinstance(v, list) else v) for k, v in kvp.items()}
    return get_coverage_params(Kvp({"COVERAGEID": "wcs_dem", **single}, repeated))


@pytest.mark.parametrize("crs, labels, grid", [
    ("EPSG:4490", ["Lat", "Long"], ["Long", "Lat"]),
    ("EPSG:4326", ["Lat", "Long"], ["Long", "Lat"]),
    ("EPSG:4549", ["N", "E"], ["E", "N"]),
    ("EPSG:3857", ["E", "N"], ["E", "N"]),
    ("urn:ogc:def:crs:OGC:1.3:CRS84", ["Long", "Lat"], ["Long", "Lat"]),
])
def test_axis_labels_per_crs(crs, labels, grid):
    crs = parse_crs(crs, "crs")
    assert [a.label for a in crs_axes(crs)] == labels and [a.label for a in grid_axes(crs)] == grid


def test_subsets_trims_slices_and_open_ends():
    p = params(SUBSET=["Lat(31.8,31.9)", "Long(120.5)"])
    x, y = axis_subsets(p.subsets, parse_crs("EPSG:4490", "crs"))
    assert x == AxisSubset(None, None, 120.5) and y == AxisSubset(31.8, 31.9)
    x, y = axis_subsets(params(SUBSET="E(*,540100)").subsets, parse_crs("EPSG:4549", "crs"))
    assert x == AxisSubset(None, 540100) and y is None
    # MapServer's x/y names work too; Lat does not on a projected CRS.
    assert axis_subsets(params(SUBSET="x(1,2)").subsets, parse_crs("EPSG:4549", "crs"))[0] == AxisSubset(1, 2)
    with pytest.raises(InvalidAxisLabelError):
        axis_subsets(params(SUBSET="Lat(1,2)").subsets, parse_crs("EPSG:4549", "crs"))


def test_subset_with_its_crs_sets_the_subsetting_crs():
    p = params(SUBSET=["Long,http://www.opengis.net/def/crs/EPSG/0/4326(120,121)",
                       "Lat,http://www.opengis.net/def/crs/EPSG/0/4326(31,32)"])
    assert p.subsetting_crs == "http://www.opengis.net/def/crs/EPSG/0/4326"
    with pytest.raises(InvalidSubsettingError):
        params(SUBSET=["Long,EPSG:4326(120,121)", "Lat,EPSG:4490(31,32)"])


@pytest.mark.parametrize("raw", ["E(2,1)", "E(nan,1)", "E()", "E(1,2,3)", "E[1,2]", "E(a,b)"])
def test_invalid_subsets(raw):
    with pytest.raises(InvalidSubsettingError):
        params(SUBSET=raw)


@pytest.mark.parametrize("kvp, size", [
    ({"SCALEFACTOR": "4"}, (25, 20)),
    ({"SCALEAXES": "E(2),N(4)"}, (50, 20)),
    ({"SCALESIZE": "i(10)"}, (10, 80)),
    ({"SCALEEXTENT": "E(0:9),N(5:14)"}, (10, 10)),
])
def test_scaling(kvp, size):
    assert scaled_size(params(**kvp).scaling, (100, 80), parse_crs("EPSG:4549", "crs")) == size


def test_scaling_axis_must_exist():
    with pytest.raises(ScalingAxisUndefinedError):
        scaled_size(params(SCALESIZE="Lat(10)").scaling, (100, 80), parse_crs("EPSG:4549", "crs"))


def test_range_subsets():
    names = ["red", "green", "blue"]
    assert bands(("blue", "RED"), names) == (3, 1)
    assert bands(("red:blue",), names) == (1, 2, 3) and bands(("2",), names) == (2,)
    with pytest.raises(NoSuchFieldError):
        bands(("alpha",), names)


def test_formats_and_interpolations():
    assert params(FORMAT="GeoTIFF").format == "image/tiff" and params(FORMAT="image/png").format == "image/png"
    assert params(INTERPOLATION="http://www.opengis.net/def/interpolation/OGC/1/linear").resampling == "bilinear"
    with pytest.raises(UnsupportedFormatError):
        params(FORMAT="image/jp2")
    with pytest.raises(InterpolationNotSupportedError):
        params(INTERPOLATION="spline")
