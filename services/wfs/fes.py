"""FES 2.0 and OGC Filter 1.1 XML into pygeofilter ASTs: pygeofilter's parsers, mended.

pygeofilter 0.4's FES parsers are used for everything they read right. What they do not, is
mended here, node by node, before their handlers see it:

- fes:ResourceId (and Filter 1.1's ogc:FeatureId/ogc:GmlObjectId, and the ogc:ResourceId and
  unprefixed GmlObjectId id GDAL writes) are unknown to them, and fes:Filter takes a single
  child, so a filter of several ids fails;
- BBOX becomes NOT Disjoint (no index use), drops the envelope's srsName, and needs the
  ValueReference that FES 2.0 makes optional;
- GML coordinates without a srsName are left in no CRS at all (geometries are read by
  ``gmlread``, which mends pygml's axis order), and gml:Envelope/gml:Box as operands are
  not read;
- PropertyIsLike reads FES 2.0's escapeChar only after failing on FES 1.0's escape, and
  matchCase="false" on PropertyIsEqualTo/NotEqualTo is ignored;
- ogc:Distance's units attribute (Filter 1.1) is a KeyError;
- malformed input surfaces as TypeError/KeyError/IndexError instead of a parse error;
- operators without a namespace (GDAL's wfs:Delete writes them) are not recognised.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import shapely.geometry
from lxml import etree
from pygeofilter import ast, values
from pygeofilter.parsers.fes.gml import is_temporal, parse_temporal
from pygeofilter.parsers.fes.util import NodeParsingError
from pygeofilter.parsers.fes.v11 import FES11Parser
from pygeofilter.parsers.fes.v20 import FES20Parser

from geoshare.errors import GeoshareError, first_line
from geoshare.geo import Crs
from layers.filters import FilterError
from services.wfs.gmlread import GML, GML32, crs_of, read_geometry

__all__ = ["FilterParsingError", "FilterContext", "parse_filter", "FES20", "OGC"]

FES20 = "http://www.opengis.net/fes/2.0"
OGC = "http://www.opengis.net/ogc"
_NO_WILDCARDS = ("\x01", "\x02", "\x03")  # characters XML 1.0 cannot carry: never in a literal


class FilterParsingError(FilterError):
    """A filter that is not well-formed FES: the request could not be parsed."""


@dataclass(frozen=True)
class FilterContext:
    """What a filter is read against: its feature type and how its coordinates are ordered."""

    type_name: str  # the layer name; ResourceIds of other types match nothing
    default_crs: Crs  # the CRS of geometries that name none (the query's srsName or DefaultCRS)
    wire_yx: object  # (Crs) -> bool: whether coordinates in that CRS come north/lat first
    locator: str = "filter"


def parse_filter(root: etree._Element, context: FilterContext):
    """The AST of a fes:Filter (FES 2.0) or ogc:Filter (Filter 1.1) element."""
    namespace = etree.QName(root).namespace
    parser_class = {FES20: _Fes20, OGC: _Fes11}.get(namespace)
    if parser_class is None or etree.QName(root).localname != "Filter":
        raise FilterParsingError(
            f"{context.locator} must be a fes:Filter ({FES20}) or ogc:Filter ({OGC}) element, "
            f"got {root.tag[:80]!r}",
            context.locator,
        )
    try:
        return parser_class(context).parse(_qualified(root, namespace))
    except GeoshareError as e:
        if e.locator in (None, "filter", "filter-crs"):
            e.locator = context.locator
        raise
    except (
        NodeParsingError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RecursionError,
    ) as e:
        raise FilterParsingError(
            f"{context.locator} is not a valid filter: {first_line(e, 200)}", context.locator
        ) from None


def _qualified(root: etree._Element, namespace: str) -> etree._Element:
    """The filter with unqualified operators put in its namespace: GDAL's wfs:Delete writes
    <ogc:Filter><PropertyIsEqualTo>… with no default namespace."""
    if all(etree.QName(e).namespace for e in root.iter() if isinstance(e.tag, str)):
        return root
    root = copy.deepcopy(root)
    for element in root.iter():
        if isinstance(element.tag, str) and not etree.QName(element).namespace:
            element.tag = f"{{{namespace}}}{element.tag}"
    return root


class _Mended:
    """The mends, shared by both versions; ``_ID_TAGS`` names each version's id elements."""

    namespace: str
    _ID_TAGS: tuple[str, ...]

    def __init__(self, context: FilterContext):
        self.context = context

    def _evaluate_node(self, node):
        qname = etree.QName(node)
        if qname.namespace in (GML32, GML):
            return self._gml(node, qname)
        if qname.namespace == self.namespace:
            name = qname.localname
            if name == "Filter":
                return self._filter(node)
            if name in self._ID_TAGS:
                return _ids_predicate(self._resource_ids([node]))
            if name == "BBOX":
                return self._bbox(node)
            if name == "PropertyIsLike":
                return self._like(node)
            if name in ("PropertyIsEqualTo", "PropertyIsNotEqualTo"):
                return self._equality(node, negate=name == "PropertyIsNotEqualTo")
            if name == "Distance":
                units = node.get("uom") or node.get("units") or "m"
                return float(node.text), units
            if name in ("ValueReference", "PropertyName"):
                return ast.Attribute(_property_name(node.text))
        return super()._evaluate_node(node)

    # -- ids ----------------------------------------------------------------------------------

    def _filter(self, node):
        children = [c for c in node if isinstance(c.tag, str)]
        if children and all(etree.QName(c).localname in self._ID_TAGS for c in children):
            return _ids_predicate(self._resource_ids(children))
        if len(children) != 1:
            raise FilterParsingError(
                f"{self.context.locator} must hold one operator or only resource ids, "
                f"got {len(children)} elements",
                self.context.locator,
            )
        return self._evaluate_node(children[0])

    def _resource_ids(self, nodes) -> list[int]:
        ids = []
        for node in nodes:
            # GDAL writes GmlObjectId's id unprefixed in GetFeature filters.
            rid = node.get("rid") or node.get("fid") or node.get(f"{{{GML}}}id") or node.get("id") or ""
            type_name, _, number = rid.rpartition(".")
            # A bare number is a fid of the queried type; "<type>.<fid>" is our gml:id.
            if number.isascii() and number.isdigit() and type_name in ("", self.context.type_name):
                ids.append(int(number))
        return ids

    # -- comparisons ----------------------------------------------------------------------------

    def _operands(self, node) -> list:
        return [self._evaluate_node(c) for c in node if isinstance(c.tag, str)]

    def _equality(self, node, negate: bool):
        lhs, rhs = self._operands(node)
        if (
            node.get("matchCase", "true").lower() == "false"
            and isinstance(rhs, str)
            and isinstance(lhs, ast.Attribute)
        ):
            # ILIKE on the value as text works for every column type; lower() would not.
            return ast.Like(
                lhs,
                rhs,
                nocase=True,
                wildcard=_NO_WILDCARDS[0],
                singlechar=_NO_WILDCARDS[1],
                escapechar=_NO_WILDCARDS[2],
                not_=negate,
            )
        return ast.NotEqual(lhs, rhs) if negate else ast.Equal(lhs, rhs)

    def _like(self, node):
        lhs, pattern = self._operands(node)
        wildcard, singlechar = node.get("wildCard"), node.get("singleChar")
        escapechar = node.get("escapeChar") or node.get("escape")
        if not wildcard or not singlechar or not escapechar:
            raise FilterParsingError(
                "PropertyIsLike needs wildCard, singleChar and escapeChar attributes",
                self.context.locator,
            )
        return ast.Like(
            lhs,
            "" if pattern is None else str(pattern),
            nocase=node.get("matchCase", "true").lower() == "false",
            wildcard=wildcard,
            singlechar=singlechar,
            escapechar=escapechar,
            not_=False,
        )

    # -- geometry -------------------------------------------------------------------------------

    def _bbox(self, node):
        children = [c for c in node if isinstance(c.tag, str)]
        if len(children) == 2:
            lhs, shape = self._evaluate_node(children[0]), children[1]
        elif len(children) == 1:
            lhs, shape = ast.Attribute("geom"), children[0]
        else:
            raise FilterParsingError("BBOX needs an envelope", self.context.locator)
        local = etree.QName(shape).localname
        if local in ("Envelope", "Box"):
            crs, (minx, miny, maxx, maxy) = self._envelope(shape)
            return ast.BBox(lhs, minx, miny, maxx, maxy, crs=f"EPSG:{crs.epsg}")
        return ast.GeometryIntersects(lhs, self._evaluate_node(shape))

    def _gml(self, node, qname):
        if is_temporal(node):
            return parse_temporal(node, {"gml": qname.namespace})
        if qname.localname in ("Envelope", "Box"):
            crs, (minx, miny, maxx, maxy) = self._envelope(node)
            ring = [(minx, miny), (maxx, miny), (maxx, maxy), (minx, maxy), (minx, miny)]
            return _geometry_value({"type": "Polygon", "coordinates": [ring]}, crs)
        geojson, crs = read_geometry(node, self.context.default_crs, self.context.wire_yx,
                                     self.context.locator)
        return _geometry_value(geojson, crs)

    def _envelope(self, node) -> tuple[Crs, tuple[float, float, float, float]]:
        crs = crs_of(node, self.context.default_crs, self.context.locator)
        corners = [
            _numbers(c.text)
            for c in node
            if etree.QName(c).localname in ("lowerCorner", "upperCorner", "pos")
        ]
        if not corners:  # GML 2: <gml:coordinates>x1,y1 x2,y2</gml:coordinates>
            text = "".join(c.text or "" for c in node if etree.QName(c).localname == "coordinates")
            corners = [_numbers(pair.replace(",", " ")) for pair in text.split()]
        if len(corners) != 2 or any(len(c) < 2 for c in corners):
            raise FilterParsingError(
                "an envelope needs a lower and an upper corner", self.context.locator
            )
        (a, b), (c, d) = corners[0][:2], corners[1][:2]
        if self.context.wire_yx(crs):
            a, b, c, d = b, a, d, c
        if a > c or b > d:
            raise FilterError(
                "an envelope's lower corner must lie below its upper corner", self.context.locator
            )
        return crs, (a, b, c, d)


class _Fes20(_Mended, FES20Parser):
    namespace = FES20
    _ID_TAGS = ("ResourceId",)


class _Fes11(_Mended, FES11Parser):
    namespace = OGC
    _ID_TAGS = ("FeatureId", "GmlObjectId", "ResourceId")  # GDAL's 2.0 Update: ogc:ResourceId


# pygeofilter's metaclass builds a class's handler table from its direct bases only, which
# would drop the comparison and logical handlers of their common base: keep theirs whole.
for _mended, _theirs in ((_Fes20, FES20Parser), (_Fes11, FES11Parser)):
    _mended.tag_map, _mended.namespace_map = _theirs.tag_map, _theirs.namespace_map


def _ids_predicate(ids: list[int]):
    if not ids:
        return ast.Include(not_=True)  # matches nothing, as an id of another type does
    return ast.In(ast.Attribute("fid"), sorted(set(ids)), not_=False)


def _property_name(text: str | None) -> str:
    """'geoshare:roads/geoshare:name' or 'geoshare:name' as the property 'name'."""
    step = (text or "").strip().rsplit("/", 1)[-1]
    return step.rsplit(":", 1)[-1] if not step.startswith("{") else step.rsplit("}", 1)[-1]


def _numbers(text: str | None) -> list[float]:
    numbers = [float(v) for v in (text or "").split()]
    if not all(math.isfinite(v) for v in numbers):
        raise FilterError("coordinates must be finite numbers", "filter")
    return numbers


def _geometry_value(geojson: dict, crs: Crs) -> values.Geometry:
    try:
        shape = shapely.geometry.shape(geojson)
    except (ValueError, TypeError, shapely.errors.GEOSException) as e:
        raise FilterParsingError(f"filter geometry is not valid: {e}", "filter") from None
    if shape.is_empty or not all(math.isfinite(v) for v in shape.bounds):
        raise FilterError("filter geometry coordinates must be finite numbers", "filter")
    named = {"type": "name", "properties": {"name": f"EPSG:{crs.epsg}"}}
    return values.Geometry({**geojson, "crs": named})
