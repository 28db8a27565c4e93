"""Coverage descriptions: WCS 2.0.1 DescribeCoverage (and the GML part of a multipart answer),
WCS 1.0.0 DescribeCoverage. Grid geometry is written the way GDAL's WCS driver reads it:
envelope and grid origin in the CRS's axis order, offset vectors listed column axis first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from affine import Affine
from lxml import etree

from geoshare.geo import OFFERED_SRIDS, Crs
from services.wcs.params import WCS10, WCS20, crs_axes, grid_axes

__all__ = [
    "Grid",
    "layer_grid",
    "coverage_descriptions",
    "result_coverage",
    "coverage_description_10",
    "lon_lat_envelope",
    "GML32",
    "GML",
    "GMLCOV",
    "SWE",
    "XLINK",
    "sub",
    "wgs84_bounds",
]

GML32 = "http://www.opengis.net/gml/3.2"
GML = "http://www.opengis.net/gml"
GMLCOV = "http://www.opengis.net/gmlcov/1.0"
SWE = "http://www.opengis.net/swe/2.0"
XLINK = "http://www.w3.org/1999/xlink"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_DATA_TYPE = "http://www.opengis.net/def/dataType/OGC/0/"


@dataclass(frozen=True)
class Grid:
    """A rectified grid: its CRS, x/y bounds, size and affine transform (x/y)."""

    crs: Crs
    bounds: tuple[float, float, float, float]
    width: int
    height: int
    transform: Affine


def layer_grid(layer) -> Grid:
    info = layer.raster_info
    crs = Crs(layer.srid, f"EPSG:{layer.srid}", True)
    return Grid(
        crs, tuple(layer.native_bbox), info["width"], info["height"], Affine(*info["transform"])
    )


def sub(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def wgs84_bounds(layer):
    """(west, south, east, north) in CGCS2000, which equals WGS 84 to centimetres."""
    return layer.extent.extent if layer.extent else None


def _g(name: str) -> str:
    return f"{{{GML32}}}{name}"


def _pair(x: float, y: float, crs: Crs) -> str:
    first, second = (y, x) if crs.yx else (x, y)
    return f"{first!r} {second!r}"


# -- WCS 2.0.1 ----------------------------------------------------------------------------------


def coverage_descriptions(layers) -> bytes:
    root = etree.Element(
        f"{{{WCS20}}}CoverageDescriptions",
        nsmap={
            "wcs": WCS20,
            "gml": GML32,
            "gmlcov": GMLCOV,
            "swe": SWE,
            "xlink": XLINK,
            "xsi": _XSI,
        },
    )
    root.set(
        f"{{{_XSI}}}schemaLocation",
        f"{WCS20} http://schemas.opengis.net/wcs/2.0/wcsDescribeCoverage.xsd",
    )
    for layer in layers:
        description = sub(root, f"{{{WCS20}}}CoverageDescription", **{_g("id"): layer.name})
        grid = layer_grid(layer)
        _bounded_by(description, grid)
        sub(description, f"{{{WCS20}}}CoverageId", layer.name)
        _domain_set(description, grid, layer.name)
        info = layer.raster_info
        _range_type(description, info["band_names"], info["dtypes"], info["nodata"])
        parameters = sub(description, f"{{{WCS20}}}ServiceParameters")
        sub(parameters, f"{{{WCS20}}}CoverageSubtype", "RectifiedGridCoverage")
        sub(parameters, f"{{{WCS20}}}nativeFormat", "image/tiff")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def result_coverage(
    name: str, grid: Grid, band_names, dtype, nodata, href: str, media_type: str
) -> bytes:
    """The gmlcov:RectifiedGridCoverage of a GetCoverage result whose range set is a file part."""
    root = etree.Element(
        f"{{{GMLCOV}}}RectifiedGridCoverage",
        nsmap={"gml": GML32, "gmlcov": GMLCOV, "swe": SWE, "xlink": XLINK},
        **{_g("id"): name},
    )
    _bounded_by(root, grid)
    _domain_set(root, grid, name)
    range_set = sub(sub(root, _g("rangeSet")), _g("File"))
    sub(
        range_set,
        _g("rangeParameters"),
        **{
            f"{{{XLINK}}}href": href,
            f"{{{XLINK}}}arcrole": "fileReference",
            f"{{{XLINK}}}role": "http://www.opengis.net/spec/WCS_coverage-encoding_geotiff/1.0/",
        },
    )
    sub(range_set, _g("fileReference"), href)
    sub(range_set, _g("fileStructure"))
    sub(range_set, _g("mimeType"), media_type)
    _range_type(root, band_names, [str(dtype)] * len(band_names), nodata)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _bounded_by(parent, grid: Grid) -> None:
    axes = crs_axes(grid.crs)
    minx, miny, maxx, maxy = grid.bounds
    envelope = sub(
        sub(parent, _g("boundedBy")),
        _g("Envelope"),
        srsName=grid.crs.uri,
        axisLabels=" ".join(a.label for a in axes),
        uomLabels=" ".join(a.uom for a in axes),
        srsDimension=2,
    )
    sub(envelope, _g("lowerCorner"), _pair(minx, miny, grid.crs))
    sub(envelope, _g("upperCorner"), _pair(maxx, maxy, grid.crs))


def _domain_set(parent, grid: Grid, name: str) -> None:
    rectified = sub(
        sub(parent, _g("domainSet")), _g("RectifiedGrid"), dimension=2, **{_g("id"): f"{name}-grid"}
    )
    envelope = sub(sub(rectified, _g("limits")), _g("GridEnvelope"))
    sub(envelope, _g("low"), "0 0")
    sub(envelope, _g("high"), f"{grid.width - 1} {grid.height - 1}")
    sub(rectified, _g("axisLabels"), " ".join(a.label for a in grid_axes(grid.crs)))
    t = grid.transform
    origin_x, origin_y = t @ (0.5, 0.5)  # the centre of the first cell
    point = sub(
        sub(rectified, _g("origin")),
        _g("Point"),
        srsName=grid.crs.uri,
        **{_g("id"): f"{name}-origin"},
    )
    sub(point, _g("pos"), _pair(origin_x, origin_y, grid.crs))
    # One offset vector per grid axis, columns first; each in the CRS's axis order.
    sub(rectified, _g("offsetVector"), _pair(t.a, t.d, grid.crs), srsName=grid.crs.uri)
    sub(rectified, _g("offsetVector"), _pair(t.b, t.e, grid.crs), srsName=grid.crs.uri)


def _range_type(parent, band_names, dtypes, nodata) -> None:
    record = sub(sub(parent, f"{{{GMLCOV}}}rangeType"), f"{{{SWE}}}DataRecord")
    for name, dtype in zip(band_names, dtypes):
        field = sub(record, f"{{{SWE}}}field", name=name)
        quantity = sub(field, f"{{{SWE}}}Quantity", definition=_DATA_TYPE + dtype)
        if nodata is not None:
            nil = sub(
                sub(quantity, f"{{{SWE}}}nilValues"),
                f"{{{SWE}}}NilValue",
                reason="http://www.opengis.net/def/nil/OGC/0/unknown",
            )
            nil.text = _number(nodata)
        sub(quantity, f"{{{SWE}}}uom", code="1")
        interval = _interval(dtype)
        if interval:
            sub(
                sub(sub(quantity, f"{{{SWE}}}constraint"), f"{{{SWE}}}AllowedValues"),
                f"{{{SWE}}}interval",
                interval,
            )


def _interval(dtype: str) -> str | None:
    try:
        info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else np.finfo(dtype)
    except (TypeError, ValueError):
        return None
    return f"{_number(info.min)} {_number(info.max)}"


def _number(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


# -- WCS 1.0.0 ----------------------------------------------------------------------------------


def coverage_description_10(layers) -> bytes:
    def w(name: str) -> str:
        return f"{{{WCS10}}}{name}"

    def g(name: str) -> str:
        return f"{{{GML}}}{name}"

    root = etree.Element(
        w("CoverageDescription"), version="1.0.0", nsmap={None: WCS10, "gml": GML, "xlink": XLINK}
    )
    for layer in layers:
        grid = layer_grid(layer)
        info = layer.raster_info
        offering = sub(root, w("CoverageOffering"))
        if layer.abstract:
            sub(offering, w("description"), layer.abstract)
        sub(offering, w("name"), layer.name)
        sub(offering, w("label"), layer.title)
        lon_lat_envelope(offering, layer)
        spatial = sub(sub(offering, w("domainSet")), w("spatialDomain"))
        minx, miny, maxx, maxy = grid.bounds
        envelope = sub(spatial, g("Envelope"), srsName=f"EPSG:{layer.srid}")
        sub(envelope, g("pos"), f"{minx!r} {miny!r}")
        sub(envelope, g("pos"), f"{maxx!r} {maxy!r}")
        rectified = sub(spatial, g("RectifiedGrid"), dimension=2, srsName=f"EPSG:{layer.srid}")
        limits = sub(sub(rectified, g("limits")), g("GridEnvelope"))
        sub(limits, g("low"), "0 0")
        sub(limits, g("high"), f"{grid.width - 1} {grid.height - 1}")
        sub(rectified, g("axisName"), "x")
        sub(rectified, g("axisName"), "y")
        t = grid.transform
        origin_x, origin_y = t @ (0.5, 0.5)
        sub(sub(rectified, g("origin")), g("pos"), f"{origin_x!r} {origin_y!r}")
        sub(rectified, g("offsetVector"), f"{t.a!r} {t.d!r}")
        sub(rectified, g("offsetVector"), f"{t.b!r} {t.e!r}")
        range_set = sub(sub(offering, w("rangeSet")), w("RangeSet"))
        sub(range_set, w("name"), "bands")
        sub(range_set, w("label"), "bands")
        axis = sub(sub(range_set, w("axisDescription")), w("AxisDescription"))
        sub(axis, w("name"), "Band")
        sub(axis, w("label"), "Band")
        values = sub(axis, w("values"))
        for n in range(1, info["count"] + 1):
            sub(values, w("singleValue"), str(n))
        if info["nodata"] is not None:
            sub(sub(range_set, w("nullValues")), w("singleValue"), _number(info["nodata"]))
        crss = sub(offering, w("supportedCRSs"))
        for srid in dict.fromkeys((layer.srid, *(s for s in OFFERED_SRIDS if s))):
            sub(crss, w("requestResponseCRSs"), f"EPSG:{srid}")
        sub(crss, w("nativeCRSs"), f"EPSG:{layer.srid}")
        formats = sub(offering, w("supportedFormats"), nativeFormat="GeoTIFF")
        for name in ("GeoTIFF", "PNG"):
            sub(formats, w("formats"), name)
        interpolations = sub(offering, w("supportedInterpolations"), default="nearest neighbor")
        for name in ("nearest neighbor", "bilinear", "bicubic"):
            sub(interpolations, w("interpolationMethod"), name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def lon_lat_envelope(parent, layer) -> None:
    bounds = wgs84_bounds(layer)
    if bounds is None:
        return
    west, south, east, north = bounds
    envelope = sub(parent, f"{{{WCS10}}}lonLatEnvelope", srsName="urn:ogc:def:crs:OGC:1.3:CRS84")
    sub(envelope, f"{{{GML}}}pos", f"{west!r} {south!r}")
    sub(envelope, f"{{{GML}}}pos", f"{east!r} {north!r}")
