"""OGC API - Tiles: vector tilesets of every vector layer, in WebMercatorQuad and CGCS2000Quad."""

from __future__ import annotations

import json

from django.http import HttpResponse

from geoshare.access import policy
from geoshare.errors import InvalidParameterError, LayerNotFoundError
from services.ogcapi.config import config_for
from services.ogcapi.context import request_scope
from services.ogcapi.providers import json_schema_type
from services.ogcapi.views import answer
from services.tiles import cache, tms as tms_registry
from services.tiles.mvt import MVT_MEDIA_TYPE, render_tile
from services.tiles.tms import TileIndex
from layers.features import feature_source

__all__ = ["tile_matrix_sets", "tile_matrix_set", "tilesets", "tileset", "tile"]

_TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"


def _json(body: dict) -> HttpResponse:
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")


def _base(request) -> str:
    return config_for(request, request.principal)["server"]["url"]


@answer
def tile_matrix_sets(request):
    base = _base(request)
    return _json({"tileMatrixSets": [
        {"id": t.id, "title": t.title, "uri": _uri(t.id), "crs": str(t.crs.root),
         "links": [{"rel": "self", "type": "application/json",
                    "href": f"{base}/tileMatrixSets/{t.id}"}]}
        for t in tms_registry.all_sets()
    ]})


@answer
def tile_matrix_set(request, tms_id: str):
    tms = tms_registry.get(tms_id, "tileMatrixSetId")
    return HttpResponse(tms.model_dump_json(exclude_none=True), content_type="application/json")


def _uri(tms_id: str) -> str:
    if tms_id == "WebMercatorQuad":
        return _TMS_URI
    return f"http://www.opengis.net/def/tilematrixset/geoshare/1.0/{tms_id}"


def _vector_grant(request, collection_id: str):
    config = config_for(request, request.principal)
    resource = config["resources"].get(collection_id)
    if resource is None or resource["providers"][0]["type"] != "feature":
        raise LayerNotFoundError(collection_id, "collectionId")
    with request_scope(request.principal) as scope:
        return scope.grant(collection_id), config["server"]["url"]


@answer
def tilesets(request, collection_id: str):
    grant, base = _vector_grant(request, collection_id)
    return _json({
        "tilesets": [_tileset_summary(base, collection_id, t.id) for t in tms_registry.all_sets()],
        "links": [{"rel": "self", "type": "application/json",
                   "href": f"{base}/collections/{collection_id}/tiles"}],
    })


def _tileset_summary(base: str, collection_id: str, tms_id: str) -> dict:
    href = f"{base}/collections/{collection_id}/tiles/{tms_id}"
    return {
        "title": f"{collection_id} {tms_id}", "dataType": "vector", "crs": str(tms_registry.get(tms_id).crs.root),
        "tileMatrixSetURI": _uri(tms_id),
        "links": [
            {"rel": "self", "type": "application/json", "href": href},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "type": "application/json",
             "href": f"{base}/tileMatrixSets/{tms_id}"},
            {"rel": "item", "type": MVT_MEDIA_TYPE, "templated": True,
             "href": f"{href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"},
        ],
    }


@answer
def tileset(request, collection_id: str, tms_id: str):
    grant, base = _vector_grant(request, collection_id)
    tms = tms_registry.get(tms_id, "tileMatrixSetId")
    layer = grant.layer
    body = _tileset_summary(base, collection_id, tms.id)
    body["tileMatrixSetLimits"] = []
    body["layers"] = [{
        "id": layer.name, "title": layer.title, "dataType": "vector",
        "geometryDimension": _dimension(layer.geometry_type),
        "minTileMatrix": "0", "maxTileMatrix": str(tms.maxzoom),
        "propertiesSchema": {"type": "object", "properties": {
            f.name: json_schema_type(f.type) for f in feature_source(layer).fields(grant)
        }},
    }]
    if layer.extent is not None:
        minx, miny, maxx, maxy = layer.extent.extent
        body["boundingBox"] = {"lowerLeft": [minx, miny], "upperRight": [maxx, maxy],
                               "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
    return _json(body)


def _dimension(geometry_type: str) -> int:
    kind = (geometry_type or "").lower()
    return 0 if "point" in kind else 1 if "line" in kind else 2


@answer
def tile(request, collection_id: str, tms_id: str, z: str, row: str, col: str):
    index = TileIndex(tms_registry.get(tms_id, "tileMatrixSetId").id, _int(z, "tileMatrix"),
                      _int(row, "tileRow"), _int(col, "tileCol"))
    tms_registry.check_index(index)
    fmt = (request.GET.get("f") or "mvt").lower()
    if fmt not in ("mvt", "pbf"):
        raise InvalidParameterError(f"f {fmt[:40]!r} is not offered; tiles are mvt", "f")
    # The hot path: one query for the grant, none for pygeoapi's configuration.
    grant = policy.grant_for(request.principal, collection_id)
    layer = grant.layer
    if not layer.is_vector:
        raise LayerNotFoundError(collection_id, "collectionId")
    path = cache.tile_path("mvt", layer, cache.view_digest(request.principal, grant), index.tms,
                           index.z, index.col, index.row, "mvt")
    data, hit = cache.get_or_create(path, lambda: render_tile(layer, grant, index))
    if not data:
        response = HttpResponse(status=204)
    else:
        response = HttpResponse(data, content_type=MVT_MEDIA_TYPE)
    response["X-Cache"] = "hit" if hit else "miss"
    # Tiles of public data may be cached by proxies; others only by the caller.
    response["Cache-Control"] = "public, max-age=300" if request.principal.is_anonymous else "private, max-age=300"
    return response


def _int(raw: str, name: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidParameterError(f"{name} must be a non-negative integer, got {raw[:40]!r}", name)
    return int(raw)
