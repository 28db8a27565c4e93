"""GeoJSON items of a feature collection, streamed from the feature engine's cursor.

pygeoapi builds a page as one dict and serialises it whole; here the engine's server-side
cursor is written out feature by feature, geometries already encoded by PostGIS, so a page
of a million features costs the same memory as a page of ten. The members that are known
only at the end (numberReturned, the next link with its keyset cursor) come last.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import urlencode

from django.http import HttpResponse, StreamingHttpResponse

from layers.features import feature_source
from layers.sources import FeatureQuery
from services.ogcapi.params import ItemsParams, feature_id
from services.ogcapi.providers import geometry_output, json_value
from geoshare.errors import FeatureNotFoundError

__all__ = ["items_response", "item_response", "EXACT_COUNT_UP_TO"]

GEOJSON = "application/geo+json"
# Up to this many features a layer's matches are counted; above, numberMatched is the
# planner's estimate (and says so in numberMatchedEstimated), so no page pays a full COUNT.
EXACT_COUNT_UP_TO = 100_000
_CHUNK = 64 * 1024


def items_response(request, collection_url: str, params: ItemsParams, grant) -> StreamingHttpResponse:
    """The page of items ``params`` asks for, as a streamed GeoJSON FeatureCollection."""
    source = feature_source(grant.layer)
    query = FeatureQuery(
        bbox=params.bbox, where=params.where, literal_srid=params.literal_srid,
        properties=params.properties, sortby=params.sortby, limit=params.limit,
        offset=0 if params.after_fid is not None else params.offset, after_fid=params.after_fid,
        geometry=geometry_output(grant.layer, params.crs, params.skip_geometry),
    )
    features = source.features(query, grant)
    first = next(features, None)  # runs the query now, so a bad one is a 400, not a broken stream
    matched, estimated = _number_matched(source, query, grant)
    response = StreamingHttpResponse(
        _collection(request, collection_url, params, first, features, matched, estimated),
        content_type=GEOJSON,
    )
    response["Content-Crs"] = f"<{params.crs.uri}>"
    return response


def item_response(request, collection_url: str, raw_id: str, params: ItemsParams, grant) -> HttpResponse:
    fid = feature_id(raw_id)
    if fid is None:
        raise FeatureNotFoundError(f"no feature {raw_id[:40]!r} in this collection", "featureId")
    feature = feature_source(grant.layer).get(
        fid, grant, geometry_output(grant.layer, params.crs, params.skip_geometry)
    )
    body = _feature_json(feature)[:-1] + ',"links":' + json.dumps([
        _link("self", f"{collection_url}/items/{fid}", request, {"f": "json"}, GEOJSON),
        _link("alternate", f"{collection_url}/items/{fid}", request, {"f": "html"}, "text/html"),
        _link("collection", collection_url, None, {"f": "json"}, "application/json"),
    ], ensure_ascii=False) + "}"
    response = HttpResponse(body, content_type=GEOJSON)
    response["Content-Crs"] = f"<{params.crs.uri}>"
    return response


def _number_matched(source, query: FeatureQuery, grant) -> tuple[int, bool]:
    unpaged = FeatureQuery(bbox=query.bbox, where=query.where, literal_srid=query.literal_srid)
    count = grant.layer.feature_count
    if count is not None and count <= EXACT_COUNT_UP_TO:
        return source.count(unpaged, grant), False
    return source.estimate(unpaged, grant), True


def _collection(request, collection_url, params: ItemsParams, first, features: Iterator,
                matched: int, estimated: bool) -> Iterator[bytes]:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = {"type": "FeatureCollection", "numberMatched": matched}
    if estimated:
        head["numberMatchedEstimated"] = True
    head["timeStamp"] = stamp
    parts, size = [json.dumps(head, ensure_ascii=False)[:-1] + ',"features":['], 0
    returned, last_fid = 0, None
    feature = first
    while feature is not None:
        text = _feature_json(feature)
        parts.append(text if returned == 0 else "," + text)
        size += len(text)
        returned += 1
        last_fid = feature.fid
        if size >= _CHUNK:
            yield "".join(parts).encode()
            parts, size = [], 0
        feature = next(features, None)
    links = _links(request, collection_url, params, returned, last_fid)
    parts.append('],"numberReturned":%d,"links":%s}' % (returned, json.dumps(links, ensure_ascii=False)))
    yield "".join(parts).encode()


def _feature_json(feature) -> str:
    properties = json.dumps(feature.properties, ensure_ascii=False, default=json_value)
    return '{"type":"Feature","id":%d,"geometry":%s,"properties":%s}' % (
        feature.fid, feature.geometry or "null", properties
    )


def _links(request, collection_url, params: ItemsParams, returned: int, last_fid) -> list[dict]:
    items = f"{collection_url}/items"
    links = [
        _link("self", items, request, {"f": "json"}, GEOJSON),
        _link("alternate", items, request, {"f": "html"}, "text/html"),
        _link("collection", collection_url, None, {"f": "json"}, "application/json"),
    ]
    if returned == params.limit and returned:
        if params.sortby:
            paging = {"offset": str(params.offset + params.limit), "cursor": None}
        else:
            paging = {"cursor": str(last_fid), "offset": str(params.offset + params.limit)}
        links.append(_link("next", items, request, {"f": "json", **paging}, GEOJSON))
    if params.offset > 0 and params.after_fid is None:
        previous = {"offset": str(max(0, params.offset - params.limit)), "cursor": None}
        links.append(_link("prev", items, request, {"f": "json", **previous}, GEOJSON))
    return links


def _link(rel: str, href: str, request, changes: dict, media_type: str) -> dict:
    query = {k: request.GET.get(k) for k in request.GET} if request is not None else {}
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return {"rel": rel, "type": media_type, "href": f"{href}?{urlencode(query)}" if query else href}
