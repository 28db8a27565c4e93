"""Thin pygeoapi providers over geoshare's engines, one per collection kind.

Each provider is built by pygeoapi's ``load_plugin`` from a definition naming the layer
(``data``); it takes the caller's Grant from the request scope (``context.py``) and reads
through the feature engine, the coverage engine or the catalog. None of them decides
visibility: ``policy.grant_for`` and ``policy.visible_layers`` do.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json

import numpy as np
from django.contrib.gis.geos import Polygon
from django.db.models import Q
from pygeoapi.provider.base import BaseProvider
from pygeofilter import ast

from geoshare.access import policy
from geoshare.errors import FeatureNotFoundError, InvalidParameterError, LimitExceededError
from geoshare.geo import BBox, is_geographic
from layers.coverages import coverage_source, to_geotiff
from layers.features import feature_source
from layers.sources import FeatureQuery, GeometryOutput
from services.ogcapi import context
from services.ogcapi.config import crs_uri
from services.ogcapi.params import feature_id

__all__ = ["FeatureProvider", "CoverageProvider", "RecordsProvider", "TileProvider",
           "json_schema_type", "json_value", "geometry_output"]

_JSON_TYPES = {
    "integer": ("integer", None), "bigint": ("integer", None), "smallint": ("integer", None),
    "double precision": ("number", None), "real": ("number", None), "numeric": ("number", None),
    "boolean": ("boolean", None), "date": ("string", "date"),
    "timestamp": ("string", "date-time"), "timestamptz": ("string", "date-time"),
}


def json_schema_type(pg_type: str) -> dict:
    """The JSON Schema of a PostgreSQL column type, as queryables and pygeoapi fields give it."""
    kind, fmt = _JSON_TYPES.get(pg_type, ("string", None))
    return {"type": kind, **({"format": fmt} if fmt else {})}


def json_value(value):
    """A property value JSON can carry."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def geometry_output(layer, crs, skip: bool = False, fmt: str = "geojson") -> GeometryOutput:
    """GeoJSON geometries in ``crs`` (a geoshare.geo.Crs), in that CRS's axis order (Features Part 2)."""
    if skip:
        return GeometryOutput("none")
    precision = 8 if is_geographic(crs.epsg) else 3
    return GeometryOutput(fmt, srid=crs.epsg, precision=precision, axis_yx=crs.yx)


class _LayerProvider(BaseProvider):
    def __init__(self, provider_def):
        super().__init__(provider_def)
        self.grant = context.current().grant(self.data)
        self.layer = self.grant.layer


class FeatureProvider(_LayerProvider):
    """OGC API - Features over ``layers.features``: pygeoapi's arguments become a FeatureQuery.

    Two arguments come from the request scope instead: the filter, parsed by our mended CQL2
    grammar (pygeoapi parses ``filter`` as ECQL, which is not CQL2 text), and the output CRS
    and keyset cursor, which pygeoapi has no slot for.
    """

    def __init__(self, provider_def):
        super().__init__(provider_def)
        self.source = feature_source(self.layer)
        self.id_field = "fid"
        self._fields = self.get_fields()

    def get_fields(self) -> dict:
        return {f.name: {**json_schema_type(f.type), "title": f.title or f.name}
                for f in self.source.fields(self.grant)}

    def query(self, offset=0, limit=10, resulttype="results", bbox=None, datetime_=None,
              properties=None, sortby=None, select_properties=None, skip_geometry=False,
              q=None, filterq=None, **kwargs) -> dict:
        items = context.current().parsed.get("items")
        query = FeatureQuery(
            bbox=BBox(*bbox[:2], *bbox[-2:], srid=self.layer.srid) if bbox else None,
            where=_and(_equalities(properties), items.where if items else None),
            literal_srid=items.literal_srid if items else 4326,
            properties=tuple(select_properties) if select_properties else None,
            sortby=tuple((s["property"], s["order"] != "-") for s in sortby or ()),
            limit=limit, offset=0 if items and items.after_fid else offset,
            after_fid=items.after_fid if items else None,
            geometry=geometry_output(self.layer, items.crs, skip_geometry) if items else
            GeometryOutput("geojson", srid=4326),
        )
        features = [self._feature(f) for f in self.source.features(query, self.grant)]
        collection = {
            "type": "FeatureCollection", "features": features,
            "numberMatched": self.source.estimate(query, self.grant),
            "numberReturned": len(features), "links": [],
        }
        if resulttype == "hits":
            collection["features"], collection["numberReturned"] = [], 0
        return collection

    def get(self, identifier, **kwargs) -> dict:
        fid = feature_id(str(identifier))
        if fid is None:
            raise FeatureNotFoundError(f"no feature {str(identifier)[:40]!r} in this collection", "featureId")
        items = context.current().parsed.get("items")
        output = geometry_output(self.layer, items.crs) if items else GeometryOutput("geojson", srid=4326)
        return self._feature(self.source.get(fid, self.grant, output))

    def _feature(self, feature) -> dict:
        return {
            "type": "Feature", "id": feature.fid,
            "geometry": json.loads(feature.geometry) if feature.geometry else None,
            "properties": {k: json_value(v) for k, v in feature.properties.items()},
        }


def _equalities(pairs) -> object | None:
    node = None
    for name, value in pairs or ():
        node = _and(node, ast.Equal(ast.Attribute(name), value))
    return node


def _and(a, b):
    if a is None or b is None:
        return a if b is None else b
    return ast.And(a, b)


class CoverageProvider(_LayerProvider):
    """OGC API - Coverages over ``layers.coverages``: GeoTIFF and CoverageJSON.

    The subset, scaling and bands come from the request scope, where params.py put them
    typed: pygeoapi passes neither scaling nor the axis of a subset's CRS.
    """

    def __init__(self, provider_def):
        super().__init__(provider_def)
        self.source = coverage_source(self.layer)
        info = self.layer.raster_info
        self.num_bands = info["count"]
        self.crs = crs_uri(self.layer.srid)
        # Lat/Lon trims in CGCS2000 degrees; E/N (or x/y) in the coverage's own grid CRS.
        self.axes = ["Lon", "Lat", "E", "N", "x", "y"]
        transform = info["transform"]
        bbox = self.layer.native_bbox
        self._coverage_properties = {
            "bbox": bbox, "bbox_crs": self.crs, "crs_type": "GeographicCRS"
            if is_geographic(self.layer.srid) else "ProjectedCRS",
            "bbox_units": "deg" if is_geographic(self.layer.srid) else "m",
            "width": info["width"], "height": info["height"],
            "resx": abs(transform[0]), "resy": abs(transform[4]),
            "x_axis_label": "Lon" if is_geographic(self.layer.srid) else "E",
            "y_axis_label": "Lat" if is_geographic(self.layer.srid) else "N",
        }
        self._fields = self.get_fields()

    def get_fields(self) -> dict:
        info = self.layer.raster_info
        return {
            name: {"title": name, "type": "number", "x-ogc-data-type": dtype,
                   "x-ogc-nodata": info.get("nodata")}
            for name, dtype in zip(info["band_names"], info["dtypes"])
        }

    def query(self, format_="json", **kwargs):
        parsed = context.current().parsed["coverage"]
        array = self.source.read(parsed.subset, self.grant)
        if format_ == "GTiff":
            self.filename = f"{self.layer.name}.tif"
            return to_geotiff(array)
        return coverage_json(array)


MAX_JSON_CELLS = 1_000_000


def coverage_json(array) -> dict:
    """A CoverageJSON Coverage (regular grid) of a CoverageArray; masked cells are null."""
    cells = array.width * array.height * array.data.shape[0]
    if cells > MAX_JSON_CELLS:
        raise LimitExceededError(
            f"CoverageJSON of {array.width}×{array.height}×{array.data.shape[0]} values exceeds "
            f"{MAX_JSON_CELLS}: subset, scale down (scale-factor, scale-size) or ask for f=GTiff",
            "f",
        )
    minx, miny, maxx, maxy = array.bounds
    dx, dy = (maxx - minx) / array.width, (maxy - miny) / array.height
    parameters, ranges = {}, {}
    for i, name in enumerate(array.band_names):
        band = array.data[i]
        values = np.where(np.ma.getmaskarray(band), None, band.filled(0).astype(object))
        parameters[name] = {
            "type": "Parameter", "description": {"en": name},
            "observedProperty": {"label": {"en": name}},
        }
        ranges[name] = {
            "type": "NdArray", "dataType": "float" if band.dtype.kind == "f" else "integer",
            "axisNames": ["y", "x"], "shape": [array.height, array.width],
            "values": [json_value(v.item() if hasattr(v, "item") else v) for v in values.ravel()],
        }
    return {
        "type": "Coverage",
        "domain": {
            "type": "Domain", "domainType": "Grid",
            "axes": {
                "x": {"start": minx + dx / 2, "stop": maxx - dx / 2, "num": array.width},
                "y": {"start": maxy - dy / 2, "stop": miny + dy / 2, "num": array.height},
            },
            "referencing": [{
                "coordinates": ["x", "y"],
                "system": {"type": "GeographicCRS" if is_geographic(array.srid) else "ProjectedCRS",
                           "id": crs_uri(array.srid)},
            }],
        },
        "parameters": parameters,
        "ranges": ranges,
    }


class RecordsProvider(BaseProvider):
    """OGC API - Records over the layer catalog: one record per layer the caller may see."""

    def __init__(self, provider_def):
        super().__init__(provider_def)
        self.principal = context.current().principal
        self.id_field = "id"
        self.time_field = "updated"
        self.title_field = "title"
        self._fields = self.get_fields()

    def get_fields(self) -> dict:
        return {
            "title": {"type": "string"}, "description": {"type": "string"},
            "keywords": {"type": "string"}, "kind": {"type": "string"},
            "department": {"type": "string"}, "updated": {"type": "string", "format": "date"},
            "type": {"type": "string"},
        }

    def query(self, offset=0, limit=10, resulttype="results", bbox=None, datetime_=None,
              properties=None, sortby=None, q=None, **kwargs) -> dict:
        layers = self._layers()
        for term in (q or "").replace(",", " ").split():
            layers = layers.filter(
                Q(name__icontains=term) | Q(title__icontains=term) | Q(title_en__icontains=term)
                | Q(abstract__icontains=term) | Q(keywords__icontains=term)
                | Q(department__name__icontains=term)
            )
        if bbox:
            box = Polygon.from_bbox(tuple(bbox[:2]) + tuple(bbox[-2:]))
            box.srid = 4490
            layers = layers.filter(extent__intersects=box)
        if datetime_:
            layers = layers.filter(_date_filter(datetime_))
        for name, value in properties or ():
            layers = layers.filter(_property_filter(name, value))
        order = [("-" if s["order"] == "-" else "") + _SORT.get(s["property"], "name") for s in sortby or ()]
        layers = layers.order_by(*order, "name")
        matched = layers.count()
        page = [] if resulttype == "hits" else list(layers[offset:offset + limit])
        return {
            "type": "FeatureCollection",
            "features": [record(layer, context.current().parsed.get("base_url", "")) for layer in page],
            "numberMatched": matched, "numberReturned": len(page), "links": [],
        }

    def get(self, identifier, **kwargs) -> dict:
        layer = self._layers().filter(name=str(identifier)[:63]).first()
        if layer is None:
            raise FeatureNotFoundError(f"no record {str(identifier)[:40]!r} in the catalog", "recordId")
        return record(layer, context.current().parsed.get("base_url", ""))

    def _layers(self):
        return policy.visible_layers(self.principal).select_related("department")


_SORT = {"title": "title", "updated": "data_updated", "kind": "kind", "department": "department__code"}


def _property_filter(name: str, value: str) -> Q:
    values = [v.strip() for v in str(value).split(",") if v.strip()]
    if name == "keywords":
        return Q(keywords__overlap=values)
    if name == "kind":
        return Q(kind__in=values)
    if name == "department":
        return Q(department__code__in=values) | Q(department__name__in=values)
    if name == "title":
        return Q(title__icontains=value) | Q(title_en__icontains=value)
    if name == "type":
        return Q(storage__in=["vector" if v == "dataset" else v for v in values])
    raise InvalidParameterError(f"{name[:40]!r} cannot filter the catalog", name)


def _date_filter(interval: str) -> Q:
    start, _, end = interval.partition("/")
    condition = Q()
    if start and start != "..":
        condition &= Q(data_updated__gte=start[:10])
    if end and end != "..":
        condition &= Q(data_updated__lte=end[:10])
    if not end:
        condition = Q(data_updated=start[:10])
    return condition


def record(layer, base_url: str) -> dict:
    """The OGC API - Records record (a GeoJSON feature) of one layer."""
    collection = f"{base_url}/collections/{layer.name}"
    links = [{"rel": "describedby", "href": collection, "type": "application/json",
              "title": layer.title}]
    if layer.is_vector:
        links += [
            {"rel": "items", "href": f"{collection}/items", "type": "application/geo+json"},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
             "href": f"{collection}/tiles", "type": "application/json"},
        ]
    else:
        links.append({"rel": "http://www.opengis.net/def/rel/ogc/1.0/coverage",
                      "href": f"{collection}/coverage?f=GTiff", "type": "image/tiff; application=geotiff"})
    return {
        "type": "Feature",
        "id": layer.name,
        "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"],
        "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring] for ring in layer.extent.coords]}
        if layer.extent else None,
        "properties": {
            "type": "dataset",
            "title": layer.title,
            "title_en": layer.title_en,
            "description": layer.abstract,
            "keywords": list(layer.keywords),
            "kind": layer.kind,
            "department": layer.department.code,
            "department_name": layer.department.name,
            "storage": layer.storage,
            "crs": crs_uri(layer.srid),
            "scale_denominator": layer.scale_denominator,
            "lineage": layer.lineage,
            "updated": layer.data_updated.isoformat() if layer.data_updated else None,
            "modified": layer.modified.isoformat(),
            "contacts": [{"name": layer.contact or layer.department.contact,
                          "organization": layer.department.name}],
            "language": {"code": "zh-Hans"},
        },
        "links": links,
    }


class TileProvider(BaseProvider):
    """Makes pygeoapi advertise a vector layer's tiles in its collection documents.

    The tiles themselves are served by ``services/ogcapi/tiles.py`` (pygeoapi's Tiles API
    knows neither CGCS2000Quad nor per-principal tile caches); pygeoapi only needs the kind.
    Building one reads no data: collection listings build one per vector layer.
    """

    tile_type = "vector"

    def __init__(self, provider_def):
        super().__init__(provider_def)
        self.format_type = provider_def["format"]["name"]
