"""WCS requests (2.0.1 and 1.0.0 KVP) as frozen parameter objects. Every check lives here.

Axes. WCS 2.0.1 names each CRS axis and lists them in the CRS's EPSG order, as GDAL's WCS
driver reads them: geographic CRSs (4490, 4326) "Lat Long", CGCS2000 Gauss-Kruger (4549,
northing first) "N E", Web Mercator "E N", CRS84 "Long Lat". Grid axes are written in grid
order (columns, rows): "Long Lat" or "E N", so SCALESIZE=Long(w),Lat(h) reads naturally.
Requests may also say x/y (and i/j for grid axes) as MapServer's clients do. WCS 1.0.0 is x/y.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from geoshare.errors import InvalidParameterError, MissingParameterError, UnsupportedCRSError
from geoshare.geo import OFFERED_SRIDS, Crs, is_geographic, parse_crs
from services.ows.crs import parse_bbox_values
from services.wcs.errors import (
    InterpolationNotSupportedError,
    InvalidAxisLabelError,
    InvalidExtentError,
    InvalidScaleFactorError,
    InvalidSubsettingError,
    NoSuchFieldError,
    ScalingAxisUndefinedError,
    UnsupportedFormatError,
)

__all__ = [
    "WCS20",
    "WCS10",
    "Axis",
    "crs_axes",
    "grid_axes",
    "AxisSubset",
    "Scaling",
    "GetCoverageParams",
    "GetCoverage10Params",
    "get_coverage_params",
    "get_coverage_10_params",
    "coverage_ids",
    "axis_subsets",
    "scaled_size",
    "bands",
    "resolve_crs",
    "INTERPOLATIONS",
    "FORMATS",
]

WCS20 = "http://www.opengis.net/wcs/2.0"
WCS10 = "http://www.opengis.net/wcs"
_INTERPOLATION_URI = "http://www.opengis.net/def/interpolation/OGC/1/"
# OGC interpolation names -> the coverage engine's resampling.
INTERPOLATIONS = {
    "nearest-neighbor": "nearest",
    "linear": "bilinear",
    "cubic": "cubic",
    "lost-area": "average",
}
_INTERPOLATION_ALIASES = {
    "nearest": "nearest",
    "nearest neighbor": "nearest",
    "bilinear": "bilinear",
    "bicubic": "cubic",
    "average": "average",
}
# Media type -> accepted spellings (WCS 1.0.0 clients say GeoTIFF).
FORMATS = {
    "image/tiff": (
        "image/tiff",
        "image/geotiff",
        "geotiff",
        "gtiff",
        "tiff",
        "image/tiff;application=geotiff",
    ),
    "image/png": ("image/png", "png"),
}
_SUBSET = re.compile(r"^\s*([^,(\s]+)\s*(?:,\s*([^(]+?))?\s*\((.*)\)\s*$")
_AXIS_VALUE = re.compile(r"^\s*([^()]+?)\s*\(\s*([^()]*?)\s*\)\s*$")
# Other names each axis answers to: MapServer's x/y, the grid's i/j, spelled-out names.
_ALIASES = {
    "Long": frozenset({"long", "lon", "longitude", "x", "i"}),
    "Lat": frozenset({"lat", "latitude", "y", "j"}),
    "E": frozenset({"e", "east", "easting", "x", "i"}),
    "N": frozenset({"n", "north", "northing", "y", "j"}),
}
_MAX_SIZE = 100_000  # pixels along one axis; the engine caps the total


@dataclass(frozen=True)
class Axis:
    label: str
    x: bool  # easting/longitude
    uom: str

    def matches(self, label: str) -> bool:
        return label.strip().lower() in _ALIASES[self.label]


def crs_axes(crs: Crs) -> tuple[Axis, Axis]:
    """The CRS's axes in its own (EPSG) order, as DescribeCoverage labels them."""
    geographic = is_geographic(crs.epsg)
    east = Axis("Long" if geographic else "E", True, "deg" if geographic else "m")
    north = Axis("Lat" if geographic else "N", False, "deg" if geographic else "m")
    return (north, east) if crs.yx else (east, north)


def grid_axes(crs: Crs) -> tuple[Axis, Axis]:
    """The grid's axes in grid order: columns (east), then rows (north)."""
    first, second = crs_axes(crs)
    return (first, second) if first.x else (second, first)


@dataclass(frozen=True)
class AxisSubset:
    low: float | None  # None: open (*), or the slice point's side
    high: float | None
    point: float | None = None  # a slice


@dataclass(frozen=True)
class Scaling:
    kind: str  # "factor" | "axes" | "size" | "extent"
    factor: float | None = None
    per_axis: tuple[tuple[str, tuple[float, ...]], ...] = ()  # (axis label, values)


@dataclass(frozen=True)
class GetCoverageParams:
    coverage_id: str
    subsets: tuple[tuple[str, AxisSubset], ...]  # (axis label as sent, subset)
    subsetting_crs: str | None  # as sent; resolve_crs() reads it against the coverage
    output_crs: str | None
    scaling: Scaling | None
    range_subset: tuple[str, ...] | None
    format: str
    multipart: bool
    resampling: str


@dataclass(frozen=True)
class GetCoverage10Params:
    coverage: str
    crs: str
    bbox_xy: tuple[float, float, float, float]  # in crs, x/y as WCS 1.0.0 always is
    response_crs: str
    size: tuple[int, int] | None  # WIDTH/HEIGHT
    resolution: tuple[float, float] | None  # RESX/RESY
    format: str
    resampling: str
    bands: tuple[int, ...] | None


# -- WCS 2.0.1 -----------------------------------------------------------------------------------


def coverage_ids(kvp, required: bool = True) -> tuple[str, ...]:
    raw = kvp.get("COVERAGEID") or kvp.get("IDENTIFIER")
    if raw is None:
        if required:
            raise MissingParameterError("coverageId is required", "coverageId")
        return ()
    return tuple(i.strip() for i in raw.split(",") if i.strip())


def get_coverage_params(kvp) -> GetCoverageParams:
    ids = coverage_ids(kvp)
    if len(ids) != 1:
        raise InvalidParameterError("GetCoverage takes exactly one coverageId", "coverageId")
    subsetting_crs = kvp.get("SUBSETTINGCRS")
    subsets = []
    for name in _subset_keys(kvp):
        for raw in kvp.repeated(name):
            label, subset, crs_text = _subset(raw)
            if crs_text:  # SUBSET=axis,crs(low,high), the KVP binding's own way to say it
                if subsetting_crs is not None and crs_text.strip() != subsetting_crs.strip():
                    raise InvalidSubsettingError(
                        "subsets name different CRSs; use one subsettingCrs", "subset"
                    )
                subsetting_crs = crs_text
            subsets.append((label, subset))
    return GetCoverageParams(
        coverage_id=ids[0],
        subsets=tuple(subsets),
        subsetting_crs=subsetting_crs,
        output_crs=kvp.get("OUTPUTCRS"),
        scaling=_scaling(kvp),
        range_subset=_range_subset(kvp.get("RANGESUBSET")),
        format=_format(kvp.get("FORMAT"), "format"),
        multipart=_multipart(kvp.get("MEDIATYPE")),
        resampling=_interpolation(kvp.get("INTERPOLATION")),
    )


def axis_subsets(subsets, crs: Crs) -> tuple[AxisSubset | None, AxisSubset | None]:
    """(x, y) subsets, the labels checked against ``crs``'s axes."""
    axes = crs_axes(crs)
    found: dict[bool, AxisSubset] = {}
    for label, subset in subsets:
        axis = next((a for a in axes if a.matches(label)), None)
        if axis is None:
            raise InvalidAxisLabelError(
                f"subset axis {label[:40]!r} is not an axis of {crs.code}; use "
                f"{' or '.join(a.label for a in axes)}",
                "subset",
            )
        if axis.x in found:
            raise InvalidSubsettingError(f"axis {axis.label} is subset twice", "subset")
        found[axis.x] = subset
    return found.get(True), found.get(False)


def scaled_size(scaling: Scaling, native: tuple[int, int], crs: Crs) -> tuple[int, int]:
    """The (width, height) a scaling asks for, given the subset's native size in pixels."""
    width, height = native
    if scaling.kind == "factor":
        return _divided(width, scaling.factor), _divided(height, scaling.factor)
    values: dict[bool, tuple[float, ...]] = {}
    axes = grid_axes(crs)
    for label, numbers in scaling.per_axis:
        axis = next((a for a in axes if a.matches(label)), None)
        if axis is None:
            raise ScalingAxisUndefinedError(
                f"scaling axis {label[:40]!r} is not an axis of this coverage; use "
                f"{' or '.join(a.label for a in axes)}",
                "scaling",
            )
        values[axis.x] = numbers
    if scaling.kind == "axes":
        return (
            _divided(width, values[True][0]) if True in values else width,
            _divided(height, values[False][0]) if False in values else height,
        )
    if scaling.kind == "size":
        return (
            int(values[True][0]) if True in values else width,
            int(values[False][0]) if False in values else height,
        )
    # extent: grid coordinates low:high, both inclusive, as in a gml:GridEnvelope
    return (
        int(values[True][1] - values[True][0] + 1) if True in values else width,
        int(values[False][1] - values[False][0] + 1) if False in values else height,
    )


def bands(range_subset: tuple[str, ...] | None, names: list[str]) -> tuple[int, ...] | None:
    """1-based band indexes of a RANGESUBSET: field names (any case), numbers, or a:b ranges."""
    if range_subset is None:
        return None
    chosen: list[int] = []
    for item in range_subset:
        if ":" in item:
            first, _, last = item.partition(":")
            a, b = _band(first, names), _band(last, names)
            if a > b:
                raise NoSuchFieldError(
                    f"rangeSubset interval {item[:40]!r} runs backwards", "rangeSubset"
                )
            chosen.extend(range(a, b + 1))
        else:
            chosen.append(_band(item, names))
    return tuple(chosen)


def _band(item: str, names: list[str]) -> int:
    wanted = item.strip()
    for index, name in enumerate(names, start=1):
        if wanted.lower() == name.lower() or wanted == str(index):
            return index
    raise NoSuchFieldError(
        f"rangeSubset names {wanted[:40]!r}, which is not a field of this coverage; "
        f"use some of {', '.join(names)}",
        "rangeSubset",
    )


def _subset_keys(kvp) -> list[str]:
    # GDAL numbers subsets of extra dimensions SUBSET0, SUBSET1…; treat them alike.
    return ["SUBSET", *(f"SUBSET{n}" for n in range(10) if f"SUBSET{n}" in kvp)]


def _subset(raw: str) -> tuple[str, AxisSubset, str | None]:
    match = _SUBSET.match(raw)
    if not match:
        raise InvalidSubsettingError(
            f"subset must look like axis(low,high) or axis(point), got {raw[:80]!r}", "subset"
        )
    label, crs_text, inner = match.group(1), match.group(2), match.group(3)
    values = [v.strip().strip('"') for v in inner.split(",")]
    if len(values) == 1:
        point = _coordinate(values[0], raw, allow_open=False)
        return label, AxisSubset(None, None, point), crs_text
    if len(values) != 2:
        raise InvalidSubsettingError(f"subset {raw[:80]!r} must hold one or two values", "subset")
    low, high = (_coordinate(v, raw, allow_open=True) for v in values)
    if low is not None and high is not None and low > high:
        raise InvalidSubsettingError(
            f"subset {raw[:80]!r}: the lower bound is above the upper bound", "subset"
        )
    return label, AxisSubset(low, high), crs_text


def _coordinate(text: str, raw: str, allow_open: bool) -> float | None:
    if text == "*" and allow_open:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidSubsettingError(
            f"subset {raw[:80]!r}: {text[:40]!r} is not a number", "subset"
        ) from None
    if not math.isfinite(value):
        raise InvalidSubsettingError(f"subset {raw[:80]!r} must hold finite numbers", "subset")
    return value


def _scaling(kvp) -> Scaling | None:
    given = [
        name for name in ("SCALEFACTOR", "SCALEAXES", "SCALESIZE", "SCALEEXTENT") if kvp.get(name)
    ]
    if len(given) > 1:
        raise InvalidParameterError(
            f"{' and '.join(given)} exclude each other; give one", given[1].lower()
        )
    if not given:
        return None
    name = given[0]
    raw = kvp.get(name)
    if name == "SCALEFACTOR":
        factor = _positive(raw, "scaleFactor", InvalidScaleFactorError)
        return Scaling("factor", factor=factor)
    per_axis = []
    for item in _split_axes(raw):
        match = _AXIS_VALUE.match(item)
        if not match:
            raise InvalidParameterError(
                f"{name.lower()} items look like axis(value), got {item[:80]!r}", name.lower()
            )
        label, inner = match.group(1), match.group(2)
        if name == "SCALEAXES":
            per_axis.append((label, (_positive(inner, "scaleAxes", InvalidScaleFactorError),)))
        elif name == "SCALESIZE":
            per_axis.append((label, (_size(inner, "scaleSize"),)))
        else:
            low, _, high = inner.partition(":")
            a, b = _integer(low, "scaleExtent"), _integer(high, "scaleExtent")
            if b < a or b - a + 1 > _MAX_SIZE:
                raise InvalidExtentError(
                    f"scaleExtent {item[:80]!r} must run from low to high", "scaleExtent"
                )
            per_axis.append((label, (a, b)))
    return Scaling(name[5:].lower(), per_axis=tuple(per_axis))


def _split_axes(raw: str) -> list[str]:
    return [p for p in re.split(r"(?<=\))\s*,\s*", raw.strip()) if p]


def _positive(text: str, locator: str, error) -> float:
    try:
        value = float(text)
    except ValueError:
        raise error(f"{locator} must be a positive number, got {text[:40]!r}", locator) from None
    if not math.isfinite(value) or value <= 0:
        raise error(f"{locator} must be a positive number, got {text[:40]!r}", locator)
    return value


def _integer(text: str, locator: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidExtentError(
            f"{locator} must hold integers, got {text[:40]!r}", locator
        ) from None


def _size(text: str, locator: str) -> int:
    value = _integer(text, locator)
    if not 1 <= value <= _MAX_SIZE:
        raise InvalidParameterError(
            f"{locator} sizes must be from 1 to {_MAX_SIZE}, got {value}", locator
        )
    return value


def _divided(pixels: int, factor: float) -> int:
    return max(1, round(pixels / factor))


def _range_subset(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    items = tuple(i.strip() for i in raw.split(",") if i.strip())
    if not items:
        raise NoSuchFieldError("rangeSubset names no field", "rangeSubset")
    return items


def _multipart(raw: str | None) -> bool:
    if raw is None:
        return False
    if raw.strip().lower() == "multipart/related":
        return True
    raise InvalidParameterError(
        f"mediaType must be multipart/related, got {raw[:80]!r}", "mediaType"
    )


def _format(raw: str | None, locator: str, default: str = "image/tiff") -> str:
    if raw is None:
        return default
    wanted = raw.strip().lower().replace(" ", "")
    for media_type, spellings in FORMATS.items():
        if wanted in spellings:
            return media_type
    raise UnsupportedFormatError(
        f"{locator} {raw[:80]!r} is not offered; use image/tiff (GeoTIFF) or image/png", locator
    )


def _interpolation(raw: str | None) -> str:
    if raw is None:
        return "nearest"
    wanted = raw.strip()
    if wanted.startswith(_INTERPOLATION_URI):
        resampling = INTERPOLATIONS.get(wanted[len(_INTERPOLATION_URI) :])
    else:
        resampling = _INTERPOLATION_ALIASES.get(wanted.lower()) or INTERPOLATIONS.get(
            wanted.lower()
        )
    if resampling is None:
        raise InterpolationNotSupportedError(
            f"interpolation {raw[:80]!r} is not supported; use "
            f"{', '.join(_INTERPOLATION_URI + k for k in INTERPOLATIONS)}",
            "interpolation",
        )
    return resampling


def resolve_crs(text: str | None, native_srid: int, locator: str, error) -> Crs | None:
    """A CRS a request names, if offered for this coverage (the CRS list or its own)."""
    if text is None:
        return None
    try:
        return parse_crs(text.strip(), locator, offered=(*OFFERED_SRIDS, native_srid))
    except UnsupportedCRSError as e:
        raise error(e.message, locator) from None


# -- WCS 1.0.0 -----------------------------------------------------------------------------------


def get_coverage_10_params(kvp) -> GetCoverage10Params:
    coverage = kvp.required("COVERAGE")
    crs = kvp.required("CRS")
    # WCS 1.0.0 boxes are x/y (lon/lat) whatever the CRS; the CRS is checked with the coverage.
    bbox = parse_bbox_values(kvp.required("BBOX"), "BBOX", Crs(0, crs), wire_yx=False)
    size = resolution = None
    if kvp.get("WIDTH") or kvp.get("HEIGHT"):
        size = (
            kvp.integer("WIDTH", minimum=1, maximum=_MAX_SIZE, required=True),
            kvp.integer("HEIGHT", minimum=1, maximum=_MAX_SIZE, required=True),
        )
    elif kvp.get("RESX") or kvp.get("RESY"):
        resolution = (kvp.number("RESX", minimum=1e-12), kvp.number("RESY", minimum=1e-12))
        if None in resolution:
            raise MissingParameterError("RESX and RESY go together", "RESX")
    else:
        raise MissingParameterError("WIDTH and HEIGHT (or RESX and RESY) are required", "WIDTH")
    band_list = None
    if kvp.get("BAND"):
        try:
            band_list = tuple(int(b) for b in kvp.list("BAND"))
        except ValueError:
            raise InvalidParameterError(
                f"BAND must list band numbers, got {kvp.get('BAND')[:40]!r}", "BAND"
            ) from None
    return GetCoverage10Params(
        coverage=coverage,
        crs=crs,
        bbox_xy=bbox.as_tuple(),
        response_crs=kvp.get("RESPONSE_CRS") or crs,
        size=size,
        resolution=resolution,
        format=_format(kvp.required("FORMAT"), "FORMAT"),
        resampling=_interpolation(kvp.get("INTERPOLATION")),
        bands=band_list,
    )
