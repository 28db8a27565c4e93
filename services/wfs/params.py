"""WFS requests, KVP or POST XML, as frozen parameter objects. Every check and limit lives here.

Axis order (``wire_yx``), as GeoServer and GDAL/QGIS read it:
- WFS 2.0.0: a CRS whose EPSG axis order is north first (4490, 4326: lat/lon; 4549: N/E) is
  written and read in that order whatever form names it (EPSG:4490, urn:ogc:def:crs:EPSG::4490,
  http://www.opengis.net/def/crs/EPSG/0/4490);
- WFS 1.1.0: only the urn/http forms mean EPSG order; EPSG:4490 means x/y (lon/lat);
- http://www.opengis.net/gml/srs/epsg.xml#4490 means x/y in both (GeoServer's "strict" form);
- 3857 and CRS84 are x/y by definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from lxml import etree

from geoshare.errors import InvalidParameterError, LimitExceededError, MissingParameterError
from geoshare.geo import CRS84, OFFERED_SRIDS, BBox, Crs, parse_crs
from services.ows.crs import parse_bbox_values
from services.ows.xml import parse_untrusted
from services.wfs.errors import OptionNotSupportedError
from services.wfs.fes import FilterContext, FilterParsingError, parse_filter

__all__ = [
    "PREFIX",
    "NAMESPACE",
    "WFS20",
    "WFS11",
    "GET_FEATURE_BY_ID",
    "OutputFormat",
    "FORMATS",
    "Query",
    "Resolved",
    "GetFeatureParams",
    "GetPropertyValueParams",
    "DescribeParams",
    "get_feature_params",
    "get_property_value_params",
    "describe_params",
    "stored_query_ids",
    "resolve",
    "wire_yx",
    "srs_name",
    "default_crs",
    "max_features",
    "max_queries",
    "layer_name",
    "GEOMETRY_NAMES",
]

PREFIX = "geoshare"
NAMESPACE = "urn:geoshare:features"
WFS20 = "http://www.opengis.net/wfs/2.0"
WFS11 = "http://www.opengis.net/wfs"
GET_FEATURE_BY_ID = "urn:ogc:def:query:OGC-WFS::GetFeatureById"
# Names clients give the geometry property (ours is gml.GEOMETRY_PROPERTY, "geom").
GEOMETRY_NAMES = ("geom", "geometry", "the_geom", "shape")
_FES_LANGUAGES = (
    "urn:ogc:def:query Language:OGC-FES:Filter",
    "urn:ogc:def:queryLanguage:OGC-FES:Filter",
)
_CHARSETS = {
    "utf-8": "UTF-8",
    "utf8": "UTF-8",
    "gbk": "GBK",
    "cp936": "GBK",
    "gb2312": "GBK",
    "gb18030": "GBK",
}


@dataclass(frozen=True)
class OutputFormat:
    key: str
    mime: str  # advertised name and Content-Type
    aliases: tuple[str, ...] = ()
    extension: str = ""

    def matches(self, raw: str) -> bool:
        wanted = _normal(raw)
        return wanted == _normal(self.mime) or wanted in {_normal(a) for a in self.aliases}


# Advertised in this order; GML 3.2 is WFS 2.0's default and GML 3.1.1 is WFS 1.1.0's.
FORMATS = (
    OutputFormat(
        "gml32",
        "application/gml+xml; version=3.2",
        (
            "text/xml; subtype=gml/3.2",
            "text/xml; subtype=gml/3.2.1",
            "gml32",
            "gml3.2",
            "application/gml+xml; version=3.2.1",
        ),
        "gml",
    ),
    OutputFormat(
        "gml311",
        "text/xml; subtype=gml/3.1.1",
        ("gml3", "gml311", "application/gml+xml; version=3.1", "text/xml; subtype=gml/3.1"),
        "gml",
    ),
    OutputFormat(
        "geojson",
        "application/json",
        ("json", "geojson", "application/geo+json", "application/vnd.geo+json"),
        "json",
    ),
    OutputFormat("csv", "text/csv", ("csv",), "csv"),
    OutputFormat(
        "shapezip",
        "application/zip",
        ("shape-zip", "shapezip", "shapefile", "application/x-zipped-shp"),
        "zip",
    ),
    OutputFormat(
        "gpkg",
        "application/geopackage+sqlite3",
        ("gpkg", "geopackage", "application/x-gpkg"),
        "gpkg",
    ),
)
_BY_KEY = {f.key: f for f in FORMATS}


def max_features() -> int:
    """The most features one GetFeature answers (advertised as CountDefault)."""
    return settings.GEOSHARE_WFS_MAX_FEATURES


def max_queries() -> int:
    """The most queries (type names) one request may hold: each is a query of its own."""
    return settings.GEOSHARE_WFS_MAX_QUERIES


def _at_most_max_queries(count: int, what: str, locator: str) -> None:
    if count > max_queries():
        raise LimitExceededError(
            f"{locator}: {count} {what}; at most {max_queries()} are allowed in one request "
            "(each is a query of its own)",
            locator,
        )


@dataclass(frozen=True)
class Query:
    """One wfs:Query as the request gave it; ``resolve`` reads it against its layer."""

    type_name: str  # the layer name, namespace prefix removed
    srs: Crs | None = None
    bbox: str | None = None  # KVP "a,b,c,d[,crs]"
    filter: etree._Element | None = field(default=None, compare=False)
    resource_ids: tuple[str, ...] | None = None
    properties: tuple[str, ...] | None = None  # None: all
    sortby: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class Resolved:
    """A query read against its layer's CRS: what the feature engine needs."""

    srs: Crs
    yx: bool
    bbox: BBox | None
    where: object | None
    ids: tuple[int, ...] | None


@dataclass(frozen=True)
class GetFeatureParams:
    version: str
    queries: tuple[Query, ...]
    count: int | None  # None: up to max_features()
    start_index: int
    hits: bool
    output_format: OutputFormat
    charset: str = "UTF-8"  # shapefile .dbf encoding
    by_id: bool = False  # GetFeatureById: the bare feature, or NotFound


@dataclass(frozen=True)
class GetPropertyValueParams:
    version: str
    query: Query
    value_reference: str
    count: int | None
    start_index: int
    hits: bool


@dataclass(frozen=True)
class DescribeParams:
    version: str
    type_names: tuple[str, ...] | None
    gml32: bool


def wire_yx(crs: Crs, version: str) -> bool:
    """Whether coordinates in ``crs`` come north/lat first on the wire (module docstring)."""
    if not crs.yx or "/gml/srs/epsg.xml#" in crs.text.lower():
        return False
    return version == "2.0.0" or crs.urn_form


def srs_name(crs: Crs, yx: bool) -> str:
    """The srsName written in responses: one that GDAL and GeoServer read in the order used."""
    if yx or crs.srid == CRS84 or not crs.yx:
        return crs.urn
    return f"http://www.opengis.net/gml/srs/epsg.xml#{crs.srid}"


def default_crs(native_srid: int) -> Crs:
    """A feature type's DefaultCRS, as advertised: its storage CRS in urn form."""
    return Crs(native_srid, f"urn:ogc:def:crs:EPSG::{native_srid}", urn_form=True)


def layer_name(raw: str, locator: str = "typeNames") -> str:
    """'geoshare:roads', '{urn:geoshare:features}roads' or 'roads' as the layer 'roads'."""
    name = raw.strip()
    if name.startswith("{"):
        name = name.rsplit("}", 1)[-1]
    name = name.rsplit(":", 1)[-1]
    if not name:
        raise InvalidParameterError(f"{locator} names an empty type name", locator)
    return name


# -- KVP and XML --------------------------------------------------------------------------------


def get_feature_params(request) -> GetFeatureParams:
    """GetFeature from KVP or a wfs:GetFeature document."""
    version = request.version
    if request.xml is not None:
        return _get_feature_xml(request.xml, version)
    kvp = request.kvp
    output_format = _output_format(kvp.get("OUTPUTFORMAT"), version)
    stored = kvp.get("STOREDQUERY_ID")
    common = dict(
        version=version,
        count=_count(kvp),
        start_index=_start_index(kvp.get("STARTINDEX")),
        hits=_hits(kvp.get("RESULTTYPE")),
        output_format=output_format,
        charset=_charset(kvp.get("FORMAT_OPTIONS")),
    )
    if stored is not None:
        return GetFeatureParams(
            queries=(_stored_query(stored, kvp.get("ID"), _srs(kvp)),), by_id=True, **common
        )
    return GetFeatureParams(queries=_kvp_queries(kvp, version), **common)


def get_property_value_params(request) -> GetPropertyValueParams:
    if request.xml is not None:
        root = request.xml
        queries = _xml_queries(root, request.version)
        value_reference = root.get("valueReference")
        count = _xml_count(root)
        start_index = _start_index(root.get("startIndex"))
        hits = _hits(root.get("resultType"))
    else:
        kvp = request.kvp
        queries = _kvp_queries(kvp, request.version)
        value_reference = kvp.get("VALUEREFERENCE")
        count, start_index = _count(kvp), _start_index(kvp.get("STARTINDEX"))
        hits = _hits(kvp.get("RESULTTYPE"))
    if not value_reference:
        raise MissingParameterError("valueReference is required", "valueReference")
    if len(queries) != 1:
        raise InvalidParameterError("GetPropertyValue takes exactly one typeName", "typeNames")
    return GetPropertyValueParams(
        request.version, queries[0], value_reference.strip(), count, start_index, hits
    )


def describe_params(request) -> DescribeParams:
    if request.xml is not None:
        names = [e.text or "" for e in request.xml if _local(e) == "TypeName"]
        raw_format = request.xml.get("outputFormat")
    else:
        raw_names = request.kvp.get("TYPENAMES") or request.kvp.get("TYPENAME") or ""
        names = [n for n in raw_names.split(",") if n.strip()]
        raw_format = request.kvp.get("OUTPUTFORMAT")
    _at_most_max_queries(len(names), "type names", "typeNames")
    gml32 = request.version == "2.0.0"
    if raw_format and _normal(raw_format) != "xmlschema":
        if _BY_KEY["gml32"].matches(raw_format):
            gml32 = True
        elif _BY_KEY["gml311"].matches(raw_format):
            gml32 = False
        else:
            raise InvalidParameterError(
                f"outputFormat {raw_format[:80]!r} is not a schema language this server writes; "
                f"use {_BY_KEY['gml32'].mime} or {_BY_KEY['gml311'].mime}",
                "outputFormat",
            )
    type_names = tuple(layer_name(n) for n in names) or None
    return DescribeParams(request.version, type_names, gml32)


def stored_query_ids(request) -> tuple[str, ...] | None:
    """The ids a DescribeStoredQueries asks for (None: all)."""
    if request.xml is not None:
        ids = [e.text.strip() for e in request.xml if _local(e) == "StoredQueryId" and e.text]
    else:
        ids = [i for i in request.kvp.list("STOREDQUERY_ID") if i]
    return tuple(ids) or None


# -- reading a query against its layer -------------------------------------------------------


def resolve(query: Query, native_srid: int, version: str) -> Resolved:
    """The query's CRS, bounding box, filter and ids, coordinates in x/y order."""
    srs = query.srs or default_crs(native_srid)
    yx = wire_yx(srs, version)
    offered = (*OFFERED_SRIDS, native_srid)
    bbox = _bbox(query.bbox, srs, version, offered) if query.bbox else None
    where = None
    if query.filter is not None:
        context = FilterContext(query.type_name, srs, lambda crs: wire_yx(crs, version))
        where = parse_filter(query.filter, context)
    ids = None
    if query.resource_ids is not None:
        ids = tuple(_fids(query.resource_ids, query.type_name))
    return Resolved(srs, yx, bbox, where, ids)


def _bbox(raw: str, srs: Crs, version: str, offered) -> BBox:
    parts = raw.split(",")
    crs = srs
    if len(parts) == 5:
        crs = parse_crs(parts[4].strip(), "bbox", offered)
    elif len(parts) != 4:
        raise InvalidParameterError(
            f"bbox must be minx,miny,maxx,maxy[,crs], got {raw[:80]!r}", "bbox"
        )
    return parse_bbox_values(",".join(parts[:4]), "bbox", crs, wire_yx(crs, version))


def _fids(resource_ids: tuple[str, ...], type_name: str) -> list[int]:
    fids = []
    for rid in resource_ids:
        prefix, _, number = rid.strip().rpartition(".")
        if number.isascii() and number.isdigit() and layer_name(prefix or type_name, "resourceId") == type_name:
            fids.append(int(number))
    return fids


# -- KVP pieces ----------------------------------------------------------------------------------


def _kvp_queries(kvp, version: str) -> tuple[Query, ...]:
    raw_names = kvp.get("TYPENAMES") or kvp.get("TYPENAME")
    resource_ids = kvp.get("RESOURCEID") or kvp.get("FEATUREID")
    if raw_names is None and resource_ids is None:
        raise MissingParameterError("typeNames is required", "typeNames")
    if raw_names and "(" in raw_names:
        raise OptionNotSupportedError("joins of several types are not supported", "typeNames")
    present = [name for name in ("BBOX", "FILTER", "RESOURCEID", "FEATUREID") if kvp.get(name)]
    if len(present) > 1:
        raise InvalidParameterError(
            f"{' and '.join(present)} exclude each other; give one of them", present[1].lower()
        )
    ids = tuple(r for r in (resource_ids or "").split(",") if r.strip()) if resource_ids else None
    if raw_names:
        names = raw_names.split(",")
        _at_most_max_queries(len(names), "type names", "typeNames")
        names = [layer_name(n) for n in names]
    else:  # RESOURCEID alone: the types its ids name
        names = list(
            dict.fromkeys(layer_name(r.rpartition(".")[0] or r, "resourceId") for r in ids)
        )
        _at_most_max_queries(len(names), "feature types named by the ids", "resourceId")
    filter_language = kvp.get("FILTER_LANGUAGE")
    if filter_language and filter_language not in _FES_LANGUAGES:
        raise InvalidParameterError(
            f"FILTER_LANGUAGE {filter_language[:80]!r} is not supported; use {_FES_LANGUAGES[0]}",
            "filter_language",
        )
    filters = _per_query(kvp.get("FILTER"), len(names), "filter")
    properties = _per_query(kvp.get("PROPERTYNAME"), len(names), "propertyName")
    srs, bbox, sortby = _srs(kvp), kvp.get("BBOX"), _sortby(kvp.get("SORTBY"))
    return tuple(
        Query(
            type_name=name,
            srs=srs,
            bbox=bbox,
            filter=_filter_element(filters[i]) if filters[i] else None,
            resource_ids=ids,
            properties=_property_list(properties[i]),
            sortby=sortby,
        )
        for i, name in enumerate(names)
    )


def _per_query(raw: str | None, n: int, locator: str) -> list[str | None]:
    """A KVP value that may be one per type, in parentheses: (a,b)(c)."""
    if raw is None:
        return [None] * n
    raw = raw.strip()
    if raw.startswith("(") and raw.endswith(")"):
        parts = re.split(r"\)\s*\(", raw[1:-1])
        if len(parts) != n:
            raise InvalidParameterError(
                f"{locator} has {len(parts)} parenthesised lists for {n} type names", locator
            )
        return parts
    return [raw] * n


def _filter_element(text: str) -> etree._Element:
    return parse_untrusted(text.encode("utf-8"), "filter")


def _property_list(raw: str | None) -> tuple[str, ...] | None:
    if raw is None or raw.strip() in ("", "*"):
        return None
    return tuple(dict.fromkeys(
        layer_name(p.rsplit("/", 1)[-1], "propertyName") for p in raw.split(",") if p.strip()
    ))


def _first_per_name(keys) -> tuple[tuple[str, bool], ...]:
    """Sort keys with a repeated name dropped: a key after the same name orders nothing more,
    and repeats must not each become an ORDER BY term. What remains is at most the layer's
    properties, as any other name is refused."""
    first: dict[str, bool] = {}
    for name, ascending in keys:
        first.setdefault(name, ascending)
    return tuple(first.items())


def _sortby(raw: str | None) -> tuple[tuple[str, bool], ...]:
    if not raw:
        return ()
    keys = []
    for item in raw.split(","):
        words = item.split()
        if not words:
            continue
        if len(words) > 2 or (
            len(words) == 2 and words[1].upper() not in ("ASC", "DESC", "A", "D")
        ):
            raise InvalidParameterError(
                f"sortBy items are 'name [ASC|DESC]', got {item.strip()[:80]!r}", "sortBy"
            )
        keys.append(
            (layer_name(words[0], "sortBy"), len(words) == 1 or words[1].upper() in ("ASC", "A"))
        )
    return _first_per_name(keys)


def _srs(kvp) -> Crs | None:
    raw = kvp.get("SRSNAME")
    return parse_crs(raw, "srsName") if raw else None


def _count(kvp) -> int | None:
    for name in ("COUNT", "MAXFEATURES"):
        if kvp.get(name) is not None:
            return _checked_count(kvp.get(name), name.lower() if name == "COUNT" else "maxFeatures")
    return None


def _checked_count(raw: str, locator: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidParameterError(
            f"{locator} must be an integer, got {raw[:80]!r}", locator
        ) from None
    if not 0 <= value <= max_features():
        raise InvalidParameterError(
            f"{locator} must be from 0 to {max_features()}, got {value}; page with startIndex",
            locator,
        )
    return value


def _start_index(raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidParameterError(
            f"startIndex must be an integer, got {raw[:80]!r}", "startIndex"
        ) from None
    if not 0 <= value < 2**62:
        raise InvalidParameterError(f"startIndex must be 0 or more, got {value}", "startIndex")
    return value


def _hits(raw: str | None) -> bool:
    if raw is None or raw == "" or raw.lower() == "results":
        return False
    if raw.lower() == "hits":
        return True
    raise InvalidParameterError(
        f"resultType must be results or hits, got {raw[:80]!r}", "resultType"
    )


def _output_format(raw: str | None, version: str) -> OutputFormat:
    if not raw:
        return _BY_KEY["gml32" if version == "2.0.0" else "gml311"]
    for output_format in FORMATS:
        if output_format.matches(raw) and not (version != "2.0.0" and output_format.key == "gml32"):
            return output_format
    offered = [f.mime for f in FORMATS if version == "2.0.0" or f.key != "gml32"]
    raise InvalidParameterError(
        f"outputFormat {raw[:80]!r} is not offered; use one of {', '.join(offered)}", "outputFormat"
    )


def _charset(raw: str | None) -> str:
    """FORMAT_OPTIONS=charset:GBK (GeoServer's syntax) picks the shapefile encoding."""
    charset = "UTF-8"
    for option in (raw or "").split(";"):
        key, _, value = option.partition(":")
        if key.strip().lower() == "charset":
            charset = _CHARSETS.get(value.strip().lower())
            if charset is None:
                raise InvalidParameterError(
                    f"format_options charset {value.strip()[:40]!r} is not supported; "
                    "use UTF-8 or GBK",
                    "format_options",
                )
    return charset


def _stored_query(stored_id: str, feature_id: str | None, srs: Crs | None) -> Query:
    if stored_id != GET_FEATURE_BY_ID:
        raise InvalidParameterError(
            f"storedQuery_id {stored_id[:80]!r} is not a stored query here; "
            f"use {GET_FEATURE_BY_ID}",
            "storedQuery_id",
        )
    if not feature_id:
        raise MissingParameterError("ID is required by GetFeatureById", "ID")
    type_name, _, number = feature_id.strip().rpartition(".")
    if not type_name or not (number.isascii() and number.isdigit()):
        raise InvalidParameterError(
            f"ID must be a feature id such as roads.12, got {feature_id[:80]!r}", "ID"
        )
    return Query(type_name=layer_name(type_name, "ID"), srs=srs, resource_ids=(feature_id.strip(),))


# -- POST XML ------------------------------------------------------------------------------------


def _get_feature_xml(root, version: str) -> GetFeatureParams:
    common = dict(
        version=version,
        count=_xml_count(root),
        start_index=_start_index(root.get("startIndex")),
        hits=_hits(root.get("resultType")),
        output_format=_output_format(root.get("outputFormat"), version),
    )
    stored = [e for e in root if _local(e) == "StoredQuery"]
    if stored:
        element = stored[0]
        parameters = {
            p.get("name", "").upper(): (p.text or "").strip()
            for p in element
            if _local(p) == "Parameter"
        }
        query = _stored_query(element.get("id", ""), parameters.get("ID"), None)
        return GetFeatureParams(queries=(query,), by_id=True, **common)
    return GetFeatureParams(queries=_xml_queries(root, version), **common)


def _xml_count(root) -> int | None:
    for name in ("count", "maxFeatures"):
        if root.get(name) is not None:
            return _checked_count(root.get(name), name)
    return None


def _xml_queries(root, version: str) -> tuple[Query, ...]:
    elements = [e for e in root if isinstance(e.tag, str)]
    _at_most_max_queries(len(elements), "wfs:Query elements", "Query")
    queries = []
    for element in elements:
        if _local(element) != "Query":
            raise InvalidParameterError(
                f"{_local(element)[:40]} is not supported here; use wfs:Query", "request"
            )
        raw_names = element.get("typeNames") or element.get("typeName")
        if not raw_names:
            raise MissingParameterError("wfs:Query needs typeNames", "typeNames")
        if "(" in raw_names or len(raw_names.split()) > 1 or "," in raw_names:
            raise OptionNotSupportedError("joins of several types are not supported", "typeNames")
        srs = parse_crs(element.get("srsName"), "srsName") if element.get("srsName") else None
        properties, filter_element, sortby = [], None, []
        for child in element:
            name = _local(child)
            if name == "PropertyName":
                properties.append(layer_name((child.text or "").rsplit("/", 1)[-1], "propertyName"))
            elif name == "Filter":
                filter_element = child
            elif name == "SortBy":
                sortby = _xml_sortby(child)
            elif isinstance(child.tag, str):
                raise InvalidParameterError(f"wfs:Query cannot hold {name[:40]}", "request")
        queries.append(
            Query(
                type_name=_qualified(raw_names, element),
                srs=srs,
                filter=filter_element,
                properties=tuple(dict.fromkeys(properties)) or None,
                sortby=_first_per_name(sortby),
            )
        )
    if not queries:
        raise MissingParameterError("the request holds no wfs:Query", "Query")
    return tuple(queries)


def _xml_sortby(element) -> list[tuple[str, bool]]:
    keys = []
    for prop in element:
        if _local(prop) != "SortProperty":
            continue
        name = order = None
        for child in prop:
            if _local(child) in ("ValueReference", "PropertyName"):
                name = child.text or ""
            elif _local(child) == "SortOrder":
                order = (child.text or "ASC").strip().upper()
        if not name or order not in (None, "ASC", "DESC"):
            raise FilterParsingError(
                "fes:SortProperty needs a ValueReference and ASC or DESC", "sortBy"
            )
        keys.append((layer_name(name.rsplit("/", 1)[-1], "sortBy"), order != "DESC"))
    return keys


def _qualified(raw: str, element) -> str:
    """A type name in a document: a prefix bound to another namespace is an unknown type."""
    prefix, _, local = raw.strip().rpartition(":")
    if prefix and element.nsmap.get(prefix) not in (None, NAMESPACE):
        return f"{prefix}:{local}"  # LayerNotFoundError follows, as for any unknown name
    return layer_name(raw)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _normal(value: str) -> str:
    # '+' arrives as ' ' from clients that do not encode it: compare without either.
    return re.sub(r"[\s+]", "", value.lower())
