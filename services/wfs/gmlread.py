"""GML geometries in requests (filters, transactions) as GeoJSON in x/y order.

pygml reads GML 2, 3.1 and 3.2, but flips coordinates by its own list of lat/lon EPSG codes
whatever form the srsName takes ('EPSG:4326' in a WFS 1.1 request means lon/lat), and reads
gml:coordinates with its coordinate and tuple separators swapped: both are mended here.
"""

from __future__ import annotations

import copy

from lxml import etree
from pygml.pre_v32 import parse_pre_v32
from pygml.v32 import parse_v32

from geoshare.geo import Crs, parse_crs

__all__ = ["GML", "GML32", "read_geometry", "crs_of"]

GML32 = "http://www.opengis.net/gml/3.2"
GML = "http://www.opengis.net/gml"


def read_geometry(node: etree._Element, default_crs: Crs, wire_yx, locator: str) -> tuple[dict, Crs]:
    """(GeoJSON geometry in x/y order, its CRS) of a GML geometry element.

    ``default_crs`` is the CRS of a geometry that names none; ``wire_yx(crs)`` whether
    coordinates in ``crs`` come north/lat first. pygml's own errors pass through.
    """
    crs = crs_of(node, default_crs, locator)
    bare = copy.deepcopy(node)
    for element in bare.iter():
        element.attrib.pop("srsName", None)  # pygml would flip by its own rule
    namespace = etree.QName(node).namespace
    _positions_for_coordinates(bare, namespace)
    geojson = (parse_v32 if namespace == GML32 else parse_pre_v32)(bare)
    geojson.pop("crs", None)
    if wire_yx(crs):
        geojson["coordinates"] = _swapped(geojson["coordinates"])
    return geojson, crs


def crs_of(node: etree._Element, default_crs: Crs, locator: str) -> Crs:
    """The CRS the first srsName in ``node`` names, or ``default_crs``."""
    for element in node.iter():
        if srs_name := element.get("srsName"):
            return parse_crs(srs_name, locator)
    return default_crs


def _positions_for_coordinates(root, namespace: str) -> None:
    """gml:coordinates rewritten as gml:pos/gml:posList: pygml swaps its cs and ts."""
    for element in list(root.iter(f"{{{namespace}}}coordinates")):
        cs, ts = element.get("cs", ","), element.get("ts", " ")
        decimal = element.get("decimal", ".")
        tuples = [t for t in (element.text or "").strip().split(ts) if t]
        numbers = " ".join(v.replace(decimal, ".") for t in tuples for v in t.split(cs))
        parent = element.getparent()
        tag = "pos" if etree.QName(parent).localname == "Point" else "posList"
        replacement = etree.Element(f"{{{namespace}}}{tag}")
        replacement.text = numbers
        parent.replace(element, replacement)


def _swapped(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        return (coordinates[1], coordinates[0], *coordinates[2:])
    return [_swapped(c) for c in coordinates]
