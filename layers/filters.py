"""Compile pygeofilter ASTs (from CQL2 text/JSON or FES 2.0) into PostGIS SQL.

Property names must be among the layer's visible fields and become quoted identifiers;
every value becomes a quoted literal. Nothing from a request reaches SQL as text.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import shapely
import shapely.geometry
from pygeofilter import ast, values
from psycopg import sql

from geoshare.errors import InvalidParameterError, UnknownPropertyError, first_line
from geoshare.geo import is_geographic, parse_crs, transformer

__all__ = ["FilterContext", "compile_filter", "FilterError", "parse_cql2_text", "parse_cql2_json"]


class FilterError(InvalidParameterError):
    """A filter that cannot be applied: malformed, or using what this server lacks."""


_NUMERIC = {"integer", "bigint", "smallint", "double precision", "real", "numeric"}
_TEMPORAL = {"date", "timestamp", "timestamptz", "time"}
_RELATE_PATTERN = re.compile(r"[TF*012]{9}", re.IGNORECASE)
_COMPARISON = {
    ast.Equal: "=", ast.NotEqual: "<>", ast.LessThan: "<", ast.LessEqual: "<=",
    ast.GreaterThan: ">", ast.GreaterEqual: ">=",
}
_SPATIAL = {
    ast.GeometryIntersects: "ST_Intersects", ast.GeometryDisjoint: "ST_Disjoint",
    ast.GeometryContains: "ST_Contains", ast.GeometryWithin: "ST_Within",
    ast.GeometryTouches: "ST_Touches", ast.GeometryCrosses: "ST_Crosses",
    ast.GeometryOverlaps: "ST_Overlaps", ast.GeometryEquals: "ST_Equals",
}
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mul: "*", ast.Div: "/"}
_TEMPORAL_OPS = {
    ast.TimeBefore: "<", ast.TimeAfter: ">", ast.TimeEquals: "=",
}
_FUNCTIONS = {"lower": "lower", "upper": "upper"}  # CASEI() arrives as lower()
_METRES = {"m": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0, "meter": 1.0,
           "km": 1000.0, "kilometers": 1000.0, "kilometres": 1000.0,
           "urn:ogc:def:uom:EPSG::9001": 1.0, "ft": 0.3048, "feet": 0.3048, "mi": 1609.344}
_MAX_DEPTH = 40
_MAX_NODES = 2000


@dataclass(frozen=True)
class FilterContext:
    """What a filter may refer to: the visible fields (name -> PostgreSQL type), the geometry."""

    fields: Mapping[str, str]
    srid: int  # the layer's storage CRS
    literal_srid: int = 4326  # CRS of geometry literals without one of their own (CRS84 in CQL2)
    # What the filter's geometry property means: the stored column, or what a grant shows of it.
    geometry: sql.Composable = field(default_factory=lambda: sql.Identifier("geom"))
    geometry_names: tuple[str, ...] = ("geom", "geometry", "the_geom", "shape")
    id_names: tuple[str, ...] = ("fid", "id")


def parse_cql2_text(text: str, locator: str = "filter"):
    """The AST of a CQL2 text filter; FilterError with the position of a syntax error."""
    from layers.cql2 import parse

    if len(text) > 20_000:
        raise FilterError(f"{locator} is longer than 20000 characters", locator)
    try:
        return _cql2_like(parse(text))
    except FilterError:
        raise
    except Exception as e:  # lark's UnexpectedInput and friends, or a bad literal
        raise FilterError(f"{locator} is not valid CQL2 text: {first_line(e, 200)}", locator) from None


def parse_cql2_json(document, locator: str = "filter"):
    """The AST of a CQL2 JSON filter (a parsed JSON value or its text)."""
    from pygeofilter.parsers.cql2_json import parse

    try:
        if isinstance(document, str | bytes):
            document = json.loads(document)
        return _cql2_like(parse(document))
    except FilterError:
        raise
    except Exception as e:
        raise FilterError(f"{locator} is not valid CQL2 JSON: {first_line(e, 200)}", locator) from None


def _cql2_like(node):
    # pygeofilter 0.3/0.4 gives CQL2 LIKE the single-character wildcard '.', but CQL2
    # (OGC 21-065) uses '_'. Patch the parsed nodes in place.
    if isinstance(node, ast.Like):
        node.singlechar = "_"
    for child in getattr(node, "get_sub_nodes", lambda: [])() or []:
        if isinstance(child, ast.Node):
            _cql2_like(child)
    return node


def compile_filter(node, context: FilterContext) -> sql.Composable:
    """SQL for a boolean filter AST; FilterError/UnknownPropertyError for what cannot apply."""
    return _Compiler(context).predicate(node, depth=0)


class _Compiler:
    def __init__(self, context: FilterContext):
        self.context = context
        self.nodes = 0

    def _count(self, depth: int) -> None:
        self.nodes += 1
        if depth > _MAX_DEPTH or self.nodes > _MAX_NODES:
            raise FilterError("filter is too deeply nested or too large", "filter")

    def predicate(self, node, depth: int) -> sql.Composable:
        self._count(depth)
        d = depth + 1
        if isinstance(node, ast.And | ast.Or):
            op = sql.SQL(" AND " if isinstance(node, ast.And) else " OR ")
            return sql.SQL("({})").format(op.join([self.predicate(node.lhs, d), self.predicate(node.rhs, d)]))
        if isinstance(node, ast.Not):
            return sql.SQL("(NOT {})").format(self.predicate(node.sub_node, d))
        if isinstance(node, ast.Include):
            return sql.SQL("FALSE" if node.not_ else "TRUE")
        if type(node) in _COMPARISON:
            lhs, rhs = self._comparable(node.lhs, node.rhs, d)
            return sql.SQL("({} {} {})").format(lhs, sql.SQL(_COMPARISON[type(node)]), rhs)
        if isinstance(node, ast.Between):
            lhs, low = self._comparable(node.lhs, node.low, d)
            _, high = self._comparable(node.lhs, node.high, d)
            negate = sql.SQL("NOT " if node.not_ else "")
            return sql.SQL("({} {}BETWEEN {} AND {})").format(lhs, negate, low, high)
        if isinstance(node, ast.Like):
            return self._like(node, d)
        if isinstance(node, ast.In):
            if not node.sub_nodes:
                return sql.SQL("FALSE") if not node.not_ else sql.SQL("TRUE")
            lhs = self.scalar(node.lhs, d)
            items = [self._comparable(node.lhs, item, d)[1] for item in node.sub_nodes]
            negate = sql.SQL("NOT " if node.not_ else "")
            return sql.SQL("({} {}IN ({}))").format(lhs, negate, sql.SQL(", ").join(items))
        if isinstance(node, ast.IsNull):
            target = self.scalar(node.lhs, d)
            return sql.SQL("({} IS {}NULL)").format(target, sql.SQL("NOT " if node.not_ else ""))
        if type(node) in _SPATIAL:
            return sql.SQL("{}({}, {})").format(
                sql.SQL(_SPATIAL[type(node)]), self.geometry(node.lhs, d), self.geometry(node.rhs, d)
            )
        if isinstance(node, ast.BBox):
            return self._bbox(node, d)
        if isinstance(node, ast.DistanceWithin | ast.DistanceBeyond):
            return self._distance(node, d)
        if isinstance(node, ast.Relate):
            if not _RELATE_PATTERN.fullmatch(str(node.pattern)):
                raise FilterError("a RELATE pattern is 9 characters of T, F, *, 0, 1 or 2", "filter")
            return sql.SQL("ST_Relate({}, {}, {})").format(
                self.geometry(node.lhs, d), self.geometry(node.rhs, d), sql.Literal(str(node.pattern))
            )
        if type(node) in _TEMPORAL_OPS:
            self._temporal(node.lhs)
            lhs, rhs = self._comparable(node.lhs, node.rhs, d)
            return sql.SQL("({} {} {})").format(lhs, sql.SQL(_TEMPORAL_OPS[type(node)]), rhs)
        if isinstance(node, ast.TimeDuring):
            interval = node.rhs
            if not isinstance(interval, values.Interval):
                raise FilterError("T_DURING needs an interval", "filter")
            field_type = self._temporal(node.lhs)
            lhs = self.scalar(node.lhs, d)
            return sql.SQL("({} BETWEEN {} AND {})").format(
                lhs, self.literal(interval.start, field_type), self.literal(interval.end, field_type)
            )
        if isinstance(node, bool):
            return sql.SQL("TRUE" if node else "FALSE")
        raise FilterError(f"filter uses {_name(node)}, which this server does not support", "filter")

    # -- expressions ------------------------------------------------------------------------

    def attribute(self, node: ast.Attribute) -> tuple[sql.Composable, str]:
        name = node.name
        if not isinstance(name, str):  # CQL2 JSON {"property": {...}}
            raise FilterError("a property is named by a string", "filter")
        if name in self.context.fields:
            return sql.Identifier(name), self.context.fields[name]
        if name in self.context.id_names:
            return sql.Identifier("fid"), "bigint"
        if name in self.context.geometry_names:
            return self.context.geometry, "geometry"
        raise UnknownPropertyError(
            f"filter names {name[:80]!r}, which is not a property of this layer; use one of "
            f"{', '.join(list(self.context.fields)[:20])}",
            "filter",
        )

    def scalar(self, node, depth: int, field_type: str | None = None) -> sql.Composable:
        self._count(depth)
        if isinstance(node, ast.Attribute):
            column, kind = self.attribute(node)
            if kind == "geometry":
                raise FilterError(f"{node.name!r} is the geometry; compare it with a spatial operator", "filter")
            return column
        if type(node) in _ARITHMETIC:
            # In double precision: integer columns cannot overflow, 7 / 2 is 3.5 as in CQL2.
            lhs, rhs = self._number(node.lhs, depth + 1), self._number(node.rhs, depth + 1)
            if isinstance(node, ast.Div):  # x / 0 is unknown (no row matches), not an error
                rhs = sql.SQL("NULLIF({}, 0)").format(rhs)
            return sql.SQL("({} {} {})").format(lhs, sql.SQL(_ARITHMETIC[type(node)]), rhs)
        if isinstance(node, ast.Function):
            function = _FUNCTIONS.get(node.name.lower())
            if function is None:
                raise FilterError(f"filter function {node.name[:40]!r} is not supported", "filter")
            arguments = [sql.SQL("({})::text").format(self.scalar(a, depth + 1, "text")) for a in node.arguments]
            return sql.SQL("{}({})").format(sql.SQL(function), sql.SQL(", ").join(arguments))
        return self.literal(node, field_type)

    def _number(self, node, depth: int) -> sql.Composable:
        kind = self._type_of(node)
        if kind is not None and kind not in _NUMERIC:
            raise FilterError(f"arithmetic needs numbers; {_describe(node)} is {kind}", "filter")
        return sql.SQL("({})::double precision").format(self.scalar(node, depth, "double precision"))

    def _temporal(self, node) -> str | None:
        kind = self._type_of(node)
        if kind is not None and kind not in _TEMPORAL:
            raise FilterError(f"temporal operators need a date or time; {_describe(node)} is {kind}", "filter")
        return kind

    def literal(self, value, field_type: str | None = None) -> sql.Composable:
        """A value as a literal of the property's type, or FilterError saying why it is not one."""
        if isinstance(value, values.Geometry | values.Envelope) or isinstance(value, ast.Node):
            raise FilterError(f"{_name(value)} cannot be compared as a value", "filter")
        if isinstance(value, float) and not math.isfinite(value):
            raise FilterError("filter numbers must be finite", "filter")
        if isinstance(value, str) and "\x00" in value:
            raise FilterError("filter text contains a NUL character", "filter")
        if not isinstance(value, str | int | float | datetime.date | datetime.time | type(None)):
            raise FilterError(f"filter value {_name(value)} is not supported", "filter")
        if value is not None and field_type is not None:
            value = _as_type(value, field_type)
        return sql.Literal(value)

    def _comparable(self, lhs, rhs, depth: int) -> tuple[sql.Composable, sql.Composable]:
        """Both sides, literals typed after the attribute on the other side."""
        left, right = self._type_of(lhs), self._type_of(rhs)
        if left is None and right is None:
            left = _literal_type(lhs)
            if _family(_literal_type(rhs)) != _family(left):
                raise FilterError(f"filter compares {_describe(lhs)} with {_describe(rhs)}", "filter")
        elif left is not None and right is not None and _family(left) != _family(right):
            raise FilterError(f"filter compares {_describe(lhs)} ({left}) with {_describe(rhs)} ({right})", "filter")
        field_type = left or right
        if _family(field_type) == "other":
            raise FilterError(f"values of type {field_type} cannot be compared", "filter")
        return self.scalar(lhs, depth, field_type), self.scalar(rhs, depth, field_type)

    def _type_of(self, node) -> str | None:
        if isinstance(node, ast.Attribute):
            return self.attribute(node)[1]
        if type(node) in _ARITHMETIC:
            return "double precision"
        if isinstance(node, ast.Function):
            return "text"
        return None

    def _like(self, node: ast.Like, depth: int) -> sql.Composable:
        target = self.scalar(node.lhs, depth)
        pattern = _like_pattern(node.pattern, node.wildcard, node.singlechar, node.escapechar)
        op = "ILIKE" if node.nocase else "LIKE"
        negate = "NOT " if node.not_ else ""
        return sql.SQL("({}::text {}{} {} ESCAPE '\\')").format(
            target, sql.SQL(negate), sql.SQL(op), sql.Literal(pattern)
        )

    # -- geometry ---------------------------------------------------------------------------

    def geometry(self, node, depth: int) -> sql.Composable:
        self._count(depth)
        if isinstance(node, ast.Attribute):
            column, kind = self.attribute(node)
            if kind != "geometry":
                raise FilterError(f"{node.name!r} is not a geometry", "filter")
            return column
        if isinstance(node, values.Geometry):
            geojson = node.geometry
            srid = _crs_srid(geojson.get("crs")) or self.context.literal_srid
            try:
                shape = shapely.geometry.shape({k: v for k, v in geojson.items() if k != "crs"})
            except Exception as e:  # shapely's errors for rings too short, nested lists too deep...
                raise FilterError(f"filter geometry is not valid GeoJSON: {first_line(e, 120)}", "filter") from None
            return self._in_storage(shape, srid)
        if isinstance(node, values.Envelope):
            return self._envelope(node.x1, node.y1, node.x2, node.y2, self.context.literal_srid)
        raise FilterError(f"{_name(node)} is not a geometry", "filter")

    def _in_storage(self, shape, srid: int) -> sql.Composable:
        """A literal geometry in the layer's CRS, reprojected here so PostGIS never fails on it."""
        if srid != self.context.srid:
            shape = shapely.transform(shape, transformer(srid, self.context.srid).transform, interleaved=False)
        coordinates = shapely.get_coordinates(shape)
        if shape.is_empty or not math.isfinite(coordinates.sum()):
            raise FilterError(f"filter geometry has no place in the layer's CRS (EPSG:{self.context.srid})", "filter")
        return sql.SQL("ST_GeomFromWKB({}, {})").format(
            sql.Literal(shapely.to_wkb(shape)), sql.Literal(self.context.srid)
        )

    def _envelope(self, minx, miny, maxx, maxy, srid: int) -> sql.Composable:
        corners = (minx, miny, maxx, maxy)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in corners):
            raise FilterError("bounding box values must be finite numbers", "filter")
        return self._in_storage(shapely.box(*corners), srid)

    def _bbox(self, node: ast.BBox, depth: int) -> sql.Composable:
        srid = _crs_srid(node.crs) or self.context.literal_srid
        envelope = self._envelope(node.minx, node.miny, node.maxx, node.maxy, srid)
        geometry = self.geometry(node.lhs, depth + 1)
        # The stored column's box contains what a grant shows of it, and has the index.
        prefilter = sql.Identifier("geom") if isinstance(node.lhs, ast.Attribute) else geometry
        return sql.SQL("({} && {} AND ST_Intersects({}, {}))").format(prefilter, envelope, geometry, envelope)

    def _distance(self, node, depth: int) -> sql.Composable:
        try:
            metres = float(node.distance) * _METRES[str(node.units or "m")]
        except (KeyError, TypeError, ValueError):
            raise FilterError(f"distance units {node.units!r} are not supported; use m or km", "filter") from None
        if not math.isfinite(metres) or metres < 0:
            raise FilterError("distance must be a finite, non-negative number", "filter")
        lhs, rhs = self.geometry(node.lhs, depth + 1), self.geometry(node.rhs, depth + 1)
        if is_geographic(self.context.srid):
            test = sql.SQL("ST_DWithin({}::geography, {}::geography, {})")
        else:
            test = sql.SQL("ST_DWithin({}, {}, {})")
        within = test.format(lhs, rhs, sql.Literal(metres))
        return within if isinstance(node, ast.DistanceWithin) else sql.SQL("(NOT {})").format(within)


def _like_pattern(pattern: str, wildcard: str, singlechar: str, escapechar: str) -> str:
    """A filter's LIKE pattern in PostgreSQL's syntax: % and _ with \\ as escape."""
    out, escaped = [], False
    for ch in str(pattern):
        if escaped:
            out.append("\\" + ch if ch in "%_\\" else ch)
            escaped = False
        elif ch == escapechar:
            escaped = True
        elif ch == wildcard:
            out.append("%")
        elif ch == singlechar:
            out.append("_")
        elif ch in "%_\\":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _crs_srid(crs) -> int | None:
    """The EPSG code of a CRS named in a filter literal, if it names one we understand."""
    if not crs:
        return None
    if isinstance(crs, dict):
        crs = crs.get("properties", {}).get("name", "")
    try:
        return parse_crs(str(crs), "filter-crs").epsg
    except InvalidParameterError:
        raise FilterError(f"filter CRS {str(crs)[:80]!r} is not supported", "filter-crs") from None


def _family(field_type: str) -> str:
    if field_type in _NUMERIC:
        return "number"
    if field_type in ("text", "character varying", "varchar"):
        return "text"
    if field_type in ("date", "timestamp", "timestamptz"):
        return "date"
    if field_type in ("time", "boolean"):
        return field_type
    return "other"


def _literal_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "double precision"
    if isinstance(value, datetime.datetime | datetime.date):
        return "timestamp"
    if isinstance(value, datetime.time):
        return "time"
    if isinstance(value, str):
        return "text"
    return _name(value)


def _as_type(value, field_type: str):
    """``value`` as a Python value PostgreSQL compares with a ``field_type`` without failing."""
    family = _family(field_type)
    if family == "other":
        raise FilterError(f"values of type {field_type} cannot be compared", "filter")
    converted = _CONVERTERS[family](value)
    if converted is None:
        raise FilterError(f"filter compares a {family} with {str(value)[:80]!r}", "filter")
    return converted


def _to_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value for c in ".eEnN") else int(value)
        except ValueError:
            return None
    return value if isinstance(value, int | float) and math.isfinite(value) else None


def _to_text(value):
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def _to_boolean(value):
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value if isinstance(value, bool) else None


def _to_date(value):
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if isinstance(value, datetime.date) else None


def _to_time(value):
    if isinstance(value, str):
        try:
            return datetime.time.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, datetime.time) else None


_CONVERTERS = {"number": _to_number, "text": _to_text, "boolean": _to_boolean, "date": _to_date, "time": _to_time}


def _describe(node) -> str:
    if isinstance(node, ast.Attribute):
        return repr(node.name[:80])
    if isinstance(node, ast.Node):
        return "an expression"
    return repr(str(node)[:80])


def _name(node) -> str:
    return type(node).__name__
