"""WCS operations: parameters (params.py) -> access policy -> coverage engine -> encoder.

A trim or slice in the coverage's own CRS, unscaled, is widened to whole cells of the stored
grid, so the answer holds the stored values unresampled (what GDAL's WCS driver asks for).
"""

from __future__ import annotations

import dataclasses
import math

from django.http import HttpResponse

from geoshare.access import audit, policy
from geoshare.access.policy import Action
from geoshare.errors import InvalidParameterError, LayerNotFoundError
from geoshare.geo import BBox, Crs
from layers.coverages import coverage_source
from layers.sources import CoverageSubset
from services.ows.urls import kvp_endpoint
from services.wcs import capabilities as caps
from services.wcs import descriptions, encoders
from services.wcs.errors import OutputCrsError, SubsettingCrsError
from services.wcs.params import (
    AxisSubset,
    axis_subsets,
    bands,
    coverage_ids,
    get_coverage_10_params,
    get_coverage_params,
    resolve_crs,
    scaled_size,
)

__all__ = ["OPERATIONS"]

_XML = "application/xml; charset=UTF-8"
_EDGE = 1e-6  # in cells: coordinates this close to a cell edge are on it


def get_capabilities(request) -> HttpResponse:
    layers = list(_coverages(request))
    endpoints = caps.Endpoints(get=kvp_endpoint(request.http))
    build = caps.capabilities_20 if request.version == "2.0.1" else caps.capabilities_10
    return HttpResponse(build(layers, endpoints), content_type=_XML)


def describe_coverage(request) -> HttpResponse:
    if request.version == "2.0.1":
        layers = [_grant(request, i, "coverageId").layer for i in coverage_ids(request.kvp)]
        return HttpResponse(descriptions.coverage_descriptions(layers), content_type=_XML)
    names = [n for n in request.kvp.list("COVERAGE") if n]
    layers = (
        [_grant(request, n, "COVERAGE").layer for n in names]
        if names
        else list(_coverages(request))
    )
    return HttpResponse(descriptions.coverage_description_10(layers), content_type=_XML)


def get_coverage(request) -> HttpResponse:
    if request.version != "2.0.1":
        return _get_coverage_10(request)
    params = get_coverage_params(request.kvp)
    grant = _grant(request, params.coverage_id, "coverageId")
    layer = grant.layer
    source = coverage_source(layer)
    native = Crs(layer.srid, f"EPSG:{layer.srid}", True)
    subsetting = (
        resolve_crs(params.subsetting_crs, layer.srid, "subsettingCrs", SubsettingCrsError)
        or native
    )
    # CRS extension req. 10: without outputCrs the result is in the subsetting CRS.
    output = resolve_crs(params.output_crs, layer.srid, "outputCrs", OutputCrsError) or subsetting
    x, y = axis_subsets(params.subsets, subsetting)
    subset = CoverageSubset(
        out_srid=output.epsg,
        bands=bands(params.range_subset, layer.raster_info["band_names"]),
        resampling=params.resampling,
    )
    on_stored_grid = subsetting.epsg == output.epsg == layer.srid and params.scaling is None
    if x or y:
        bbox = _snapped(layer, x, y) if on_stored_grid else _bbox(source, x, y, subsetting)
        subset = dataclasses.replace(subset, bbox=bbox)
    size = None
    if params.scaling is not None or _is_slice(x) or _is_slice(y):
        _, width, height = source.native_grid(subset)
        if params.scaling is not None:
            width, height = scaled_size(params.scaling, (width, height), output)
        size = (1 if _is_slice(x) else width, 1 if _is_slice(y) else height)
    array = source.read(dataclasses.replace(subset, size=size), grant)
    audit.note(request.http, items=array.width * array.height)
    body = encoders.encode(array, params.format)
    filename = f"{layer.name}.{encoders.EXTENSIONS[params.format]}"
    if params.multipart:
        grid = descriptions.Grid(output, array.bounds, array.width, array.height, array.transform)
        gml = descriptions.result_coverage(
            layer.name,
            grid,
            array.band_names,
            array.data.dtype,
            array.nodata,
            f"cid:{filename}",
            params.format,
        )
        content_type, body = encoders.multipart(gml, body, params.format, filename)
        return HttpResponse(body, content_type=content_type)
    return _file(body, params.format, filename)


OPERATIONS = {
    "GetCapabilities": get_capabilities,
    "DescribeCoverage": describe_coverage,
    "GetCoverage": get_coverage,
}


# -- building blocks --------------------------------------------------------------------------


def _coverages(request):
    return policy.visible_layers(request.principal).filter(storage="raster").order_by("name")


def _grant(request, name: str, locator: str) -> policy.Grant:
    try:
        grant = policy.grant_for(request.principal, name, Action.VIEW)
    except LayerNotFoundError:
        raise LayerNotFoundError(name, locator) from None
    if grant.layer.is_vector:  # a feature type is no coverage: it answers as unknown
        raise LayerNotFoundError(name, locator)
    return grant


def _is_slice(subset: AxisSubset | None) -> bool:
    return subset is not None and subset.point is not None


def _bbox(source, x: AxisSubset | None, y: AxisSubset | None, crs: Crs) -> BBox:
    """The x/y box of trims and slices in ``crs``; a slice spans one cell around its point."""
    full, width, height = source.native_grid(CoverageSubset(out_srid=crs.epsg))
    cell = ((full[2] - full[0]) / width, (full[3] - full[1]) / height)
    ranges = []
    for subset, low, high, size in ((x, full[0], full[2], cell[0]), (y, full[1], full[3], cell[1])):
        if subset is None:
            ranges.append((low, high))
        elif subset.point is not None:
            ranges.append((subset.point - size / 2, subset.point + size / 2))
        else:
            ranges.append(
                (
                    low if subset.low is None else subset.low,
                    high if subset.high is None else subset.high,
                )
            )
    (minx, maxx), (miny, maxy) = ranges
    return BBox(minx, miny, maxx, maxy, crs.epsg)


def _snapped(layer, x: AxisSubset | None, y: AxisSubset | None) -> BBox:
    """Trims and slices in the stored CRS widened to whole stored cells."""
    info = layer.raster_info
    a, _, c, _, e, f = info["transform"]
    columns = _cells(x, c, a, info["width"])
    rows = _cells(y, f, e, info["height"])
    x0, x1 = c + columns[0] * a, c + columns[1] * a
    y0, y1 = f + rows[1] * e, f + rows[0] * e
    return BBox(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), layer.srid)


def _cells(subset: AxisSubset | None, origin: float, step: float, count: int) -> tuple[int, int]:
    """First and past-last cell index an axis subset covers (outside stays outside)."""
    if subset is None:
        return 0, count
    if subset.point is not None:
        index = math.floor((subset.point - origin) / step + _EDGE)
        return index, index + 1
    start, end = sorted((origin, origin + count * step))
    low = start if subset.low is None else subset.low
    high = end if subset.high is None else subset.high
    first, last = sorted(((low - origin) / step, (high - origin) / step))
    return math.floor(first + _EDGE), math.ceil(last - _EDGE)


def _file(body: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=media_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _get_coverage_10(request) -> HttpResponse:
    params = get_coverage_10_params(request.kvp)
    grant = _grant(request, params.coverage, "COVERAGE")
    layer = grant.layer
    crs = resolve_crs(params.crs, layer.srid, "CRS", SubsettingCrsError)
    output = resolve_crs(params.response_crs, layer.srid, "RESPONSE_CRS", OutputCrsError)
    bbox = BBox(*params.bbox_xy, crs.epsg)
    size = params.size
    if size is None:
        box = bbox.transformed(output.epsg)
        size = (
            max(1, math.ceil(box.width / params.resolution[0])),
            max(1, math.ceil(box.height / params.resolution[1])),
        )
    count = layer.raster_info["count"]
    if params.bands and not all(1 <= b <= count for b in params.bands):
        raise InvalidParameterError(f"BAND must list numbers from 1 to {count}", "BAND")
    # WCS 1.0.0 answers exactly the box asked for: what lies outside the coverage is nodata.
    subset = CoverageSubset(
        bbox=bbox,
        out_srid=output.epsg,
        size=size,
        bands=params.bands,
        resampling=params.resampling,
        clip=False,
    )
    array = coverage_source(layer).read(subset, grant)
    audit.note(request.http, items=array.width * array.height)
    return _file(
        encoders.encode(array, params.format),
        params.format,
        f"{layer.name}.{encoders.EXTENSIONS[params.format]}",
    )
