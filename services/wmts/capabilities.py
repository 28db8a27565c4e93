"""WMTS 1.0.0 capabilities: visible layers and groups, each linked to both tile matrix sets.

QGIS (3.22) adds WMTS through its WMS provider and lists each TileMatrixSetLink as a child
of the layer; the CGCS2000 grid is declared with its well-known scale set and its top-left
corner in the CRS's own axis order (latitude first), as QGIS and OWSLib read it.
"""

from __future__ import annotations

from functools import cache, lru_cache

from django.utils.translation import gettext as _
from lxml import etree

from geoshare.geo import BBox, axis_yx
from services.ows.urls import absolute_url, kvp_endpoint
from services.render.targets import DEFAULT_STYLE, default_style, published
from services.render.tiles import tms_epsg
from services.tiles import tms as tile_matrix_sets

__all__ = ["capabilities", "TILE_FORMATS"]

WMTS = "http://www.opengis.net/wmts/1.0"
OWS = "http://www.opengis.net/ows/1.1"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TILE_FORMATS = {"image/png": "png", "image/jpeg": "jpg"}
# OGC 07-057r7 Annex E: the URNs of the well-known scale sets the grids follow.
_WKSS = {
    "WebMercatorQuad": "urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible",
    "CGCS2000Quad": "urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad",
}
_MERCATOR_LAT = 85.0511287798


def _ows(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{OWS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _el(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{WMTS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def capabilities(http_request) -> bytes:
    layers, groups = published(http_request.principal)
    root = etree.Element(f"{{{WMTS}}}Capabilities", nsmap={
        None: WMTS, "ows": OWS, "xlink": XLINK, "xsi": XSI,
    }, version="1.0.0")
    root.set(f"{{{XSI}}}schemaLocation",
             f"{WMTS} http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd")
    identification = _ows(root, "ServiceIdentification")
    _ows(identification, "Title", _("geoshare tile service"))
    _ows(identification, "Abstract", _("Cached map tiles of the city's layers and e-map, in "
                                       "Web Mercator and the CGCS2000 geographic grid."))
    _ows(identification, "ServiceType", "OGC WMTS")
    _ows(identification, "ServiceTypeVersion", "1.0.0")
    _operations(root, http_request)
    contents = _el(root, "Contents")
    for group, members in groups:
        extents = [layer.extent.extent for layer, _style in members if layer.extent]
        _layer(contents, http_request, group.name, group.title, group.abstract, extents,
               [(DEFAULT_STYLE, group.title)])
    for layer in layers:
        styles = sorted(layer.styles.all(), key=lambda s: (not s.is_default, s.name)) or [
            default_style(layer)
        ]
        _layer(contents, http_request, layer.name, layer.title, layer.abstract,
               [layer.extent.extent] if layer.extent else [],
               [(s.name, s.title) for s in styles])
    for tms in tile_matrix_sets.all_sets():
        contents.append(_tile_matrix_set(tms.id))
    _el(root, "ServiceMetadataURL").set(
        f"{{{XLINK}}}href", absolute_url(http_request, "/wmts/1.0.0/WMTSCapabilities.xml")
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _operations(root, http_request) -> None:
    metadata = _ows(root, "OperationsMetadata")
    for name in ("GetCapabilities", "GetTile"):
        operation = _ows(metadata, "Operation", name=name)
        get = _ows(_ows(_ows(operation, "DCP"), "HTTP"), "Get")
        get.set(f"{{{XLINK}}}href", kvp_endpoint(http_request))
        allowed = _ows(_ows(get, "Constraint", name="GetEncoding"), "AllowedValues")
        _ows(allowed, "Value", "KVP")
        if name == "GetTile":
            rest = _ows(get.getparent(), "Get")
            rest.set(f"{{{XLINK}}}href", absolute_url(http_request, "/wmts/1.0.0/"))
            _ows(_ows(_ows(rest, "Constraint", name="GetEncoding"), "AllowedValues"), "Value", "RESTful")


def _layer(contents, http_request, name, title, abstract, extents, styles) -> None:
    layer = _el(contents, "Layer")
    _ows(layer, "Title", title)
    if abstract:
        _ows(layer, "Abstract", abstract)
    if extents:
        box = BBox(min(e[0] for e in extents), min(e[1] for e in extents),
                   max(e[2] for e in extents), max(e[3] for e in extents), 4490)
    else:
        box = BBox(-180.0, -90.0, 180.0, 90.0, 4490)
    wgs84 = _ows(layer, "WGS84BoundingBox")
    _ows(wgs84, "LowerCorner", f"{box.minx!r} {box.miny!r}")
    _ows(wgs84, "UpperCorner", f"{box.maxx!r} {box.maxy!r}")
    _ows(layer, "Identifier", name)
    for n, (style_name, style_title) in enumerate(styles):
        style = _el(layer, "Style", isDefault="true" if n == 0 else "false")
        _ows(style, "Title", style_title)
        _ows(style, "Identifier", style_name)
        legend = _el(style, "LegendURL", format="image/png")
        legend.set(f"{{{XLINK}}}href", absolute_url(http_request, "/ows", {
            "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetLegendGraphic",
            "FORMAT": "image/png", "LAYER": name, "STYLE": style_name,
        }))
    for mime in TILE_FORMATS:
        _el(layer, "Format", mime)
    for tms in tile_matrix_sets.all_sets():
        link = _el(layer, "TileMatrixSetLink")
        _el(link, "TileMatrixSet", tms.id)
        if extents:
            limits = _el(link, "TileMatrixSetLimits")
            for z, (row0, row1, col0, col1) in _limits(tms.id, box):
                entry = _el(limits, "TileMatrixLimits")
                _el(entry, "TileMatrix", str(z))
                _el(entry, "MinTileRow", str(row0))
                _el(entry, "MaxTileRow", str(row1))
                _el(entry, "MinTileCol", str(col0))
                _el(entry, "MaxTileCol", str(col1))
    for mime, extension in TILE_FORMATS.items():
        template = absolute_url(http_request, (
            f"/wmts/1.0.0/{name}/{{Style}}/{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/"
            f"{{TileCol}}.{extension}"
        ))
        # The template's braces must reach the client unescaped.
        _el(layer, "ResourceURL", format=mime, resourceType="tile",
            template=template.replace("%7B", "{").replace("%7D", "}"))


def _limits(tms_id: str, box: BBox) -> list[tuple[int, tuple[int, int, int, int]]]:
    """(z, (min row, max row, min col, max col)) of the tiles covering ``box`` at each level."""
    return _limits_cached(tms_id, box.as_tuple())


@lru_cache(maxsize=4096)
def _limits_cached(tms_id: str, bounds: tuple) -> list:
    tms = tile_matrix_sets.get(tms_id)
    west, south, east, north = bounds
    south, north = max(south, -_MERCATOR_LAT), min(north, _MERCATOR_LAT)
    out = []
    for matrix in tms.tileMatrices:
        z = int(matrix.id)
        top_left = tms.tile(west, north, z)
        bottom_right = tms.tile(min(east, 179.999999), max(south, -89.999999), z)
        out.append((z, (top_left.y, bottom_right.y, top_left.x, bottom_right.x)))
    return out


@cache
def _tile_matrix_set_xml(tms_id: str) -> bytes:
    tms = tile_matrix_sets.get(tms_id)
    epsg = tms_epsg(tms)
    element = etree.Element(f"{{{WMTS}}}TileMatrixSet", nsmap={None: WMTS, "ows": OWS})
    _ows(element, "Identifier", tms.id)
    _ows(element, "SupportedCRS", f"urn:ogc:def:crs:EPSG::{epsg}")
    if tms.id in _WKSS:
        _el(element, "WellKnownScaleSet", _WKSS[tms.id])
    yx = axis_yx(epsg)
    for matrix in tms.tileMatrices:
        entry = _el(element, "TileMatrix")
        _ows(entry, "Identifier", matrix.id)
        _el(entry, "ScaleDenominator", repr(matrix.scaleDenominator))
        # pointOfOrigin in the JSON follows the CRS's axis order, as WMTS TopLeftCorner does.
        first, second = matrix.pointOfOrigin
        x, y = (second, first) if tms._invert_axis else (first, second)
        corner = f"{float(y)!r} {float(x)!r}" if yx else f"{float(x)!r} {float(y)!r}"
        _el(entry, "TopLeftCorner", corner)
        _el(entry, "TileWidth", str(matrix.tileWidth))
        _el(entry, "TileHeight", str(matrix.tileHeight))
        _el(entry, "MatrixWidth", str(matrix.matrixWidth))
        _el(entry, "MatrixHeight", str(matrix.matrixHeight))
    return etree.tostring(element)


def _tile_matrix_set(tms_id: str):
    return etree.fromstring(_tile_matrix_set_xml(tms_id))
