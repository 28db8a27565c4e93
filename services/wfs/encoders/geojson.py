"""GeoJSON feature collections, streamed. Coordinates are always x/y (lon/lat, easting/northing),
as RFC 7946 and GDAL read them; a CRS other than CRS84 is named in the legacy "crs" member."""

from __future__ import annotations

import base64
import datetime
import decimal
import json
from collections.abc import Iterator

from geoshare.geo import CRS84
from layers.sources import Feature, GeometryOutput
from services.wfs.encoders._stream import chunked
from services.wfs.encoders.collection import Collection, Part
from services.wfs.encoders.gml import precision

__all__ = ["geometry_output", "feature_collection", "feature_document", "CONTENT_TYPE"]

CONTENT_TYPE = "application/json; charset=UTF-8"


def _default(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# One encoder for every feature: json.dumps with options would build a new one per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default).encode


def geometry_output(srs) -> GeometryOutput:
    return GeometryOutput("geojson", srid=srs.epsg, precision=precision(srs))


def feature_collection(collection: Collection) -> Iterator[bytes]:
    return chunked(_collection(collection))


def feature_document(part: Part, feature: Feature) -> bytes:
    """One GeoJSON Feature (GetFeatureById)."""
    return _feature(part.layer.name, feature, _crs_member(part)).encode("utf-8")


def _crs_member(part: Part) -> str:
    # ST_AsGeoJSON names any CRS but 4326 inside each geometry; RFC 7946 has no such member.
    return f'"crs":{{"type":"name","properties":{{"name":"EPSG:{part.srs.epsg}"}}}},'


def _feature(layer_name: str, feature: Feature, crs_member: str = "") -> str:
    geometry = feature.geometry if feature.geometry is not None else "null"
    if crs_member:
        geometry = geometry.replace(crs_member, "", 1)
    return (
        f'{{"type":"Feature","id":"{layer_name}.{feature.fid}","geometry":{geometry},'
        f'"properties":{_ENCODE(feature.properties)}}}'
    )


def _collection(collection: Collection):
    yield '{"type":"FeatureCollection","features":['
    first = True
    for part in collection.parts:
        name, crs_member = part.layer.name, _crs_member(part)
        for feature in part.features:
            yield ("" if first else ",\n") + _feature(name, feature, crs_member)
            first = False
    tail = {
        "numberReturned": collection.number_returned,
        "timeStamp": collection.timestamp,
    }
    if collection.number_matched is not None:
        tail["numberMatched"] = collection.number_matched
    srs = collection.parts[0].srs if collection.parts else None
    if srs is not None and srs.srid not in (CRS84, 4326):
        tail["crs"] = {"type": "name", "properties": {"name": srs.urn}}
    links = [
        {"rel": rel, "href": url, "type": "application/json"}
        for rel, url in (("next", collection.next_url), ("previous", collection.previous_url))
        if url
    ]
    if links:
        tail["links"] = links
    yield "]," + _ENCODE(tail)[1:] + "\n"
