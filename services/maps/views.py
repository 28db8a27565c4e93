"""OGC API - Maps (collection and dataset maps) and map tiles, beside pygeoapi at /ogcapi/.

Only this module sees HttpRequest; errors are answered as problem details (RFC 7807).
"""

from __future__ import annotations

import functools
import json
import logging

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from geoshare.errors import GeoshareError
from services.ows.kvp import Kvp
from services.ows.urls import absolute_url
from services.render import tiles
from services.render.maps import MapRequest, render_map
from services.render.targets import DATASET, Target, dataset_target, resolve, resolve_target
from services.maps import params
from services.tiles import tms as tile_matrix_sets
from services.wmts.operations import tile_response
from services.wmts.params import tile_index

__all__ = [
    "collection_map", "dataset_map", "collection_tilesets", "dataset_tilesets",
    "collection_tileset", "dataset_tileset", "collection_tile", "dataset_tile",
]

log = logging.getLogger(__name__)
_TMS_URIS = {"WebMercatorQuad": "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"}


def _problems(view):
    """Every error becomes problem details: 404 for an unknown (or hidden) collection."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Exception as error:
            if isinstance(error, GeoshareError) and error.client_fault:
                status, detail = error.http_status, error.message
            else:
                log.error("internal error answering an OGC API - Maps request", exc_info=error)
                status, detail = 500, "internal error; the server log has the details"
            titles = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
            body = {"type": "about:blank", "title": titles.get(status, "Internal Server Error"),
                    "status": status, "detail": detail}
            if getattr(error, "locator", None):
                body["parameter"] = error.locator
            return HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                                content_type="application/problem+json")

    return require_safe(wrapped)


def _kvp(request) -> Kvp:
    return Kvp.from_request(request)


def _map(request, target: Target, p: params.MapParams) -> HttpResponse:
    box, width, height = params.map_geometry(p, target.extent_4490)
    image = render_map(MapRequest(target.layers, box, width, height, p.format,
                                  transparent=p.transparent, bgcolor=p.bgcolor))
    response = HttpResponse(image, content_type=p.format.media_type)
    response["Content-Crs"] = f"<{p.crs.uri}>"
    response["Content-Bbox"] = ",".join(f"{v:.9g}" for v in box.as_tuple())
    return response


def _map_params(request) -> params.MapParams:
    return params.map_params(_kvp(request), request.headers.get("Accept", ""))


@_problems
def collection_map(request, collection: str):
    p = _map_params(request)
    return _map(request, resolve_target(request.principal, collection, locator="collectionId"), p)


@_problems
def dataset_map(request):
    p = _map_params(request)
    if p.collections:
        layers = resolve(request.principal, p.collections, locator="collections")
        target = Target(DATASET, _("selected collections"), "default", tuple(layers), "",
                        is_group=True)
    else:
        target = dataset_target(request.principal, _("all collections"))
    return _map(request, target, p)


def _tileset_summary(request, base: str, tms) -> dict:
    summary = {
        "title": tms.title or tms.id,
        "dataType": "map",
        "crs": tms.crs.root if hasattr(tms.crs, "root") else str(tms.crs),
        "links": [
            {"rel": "self", "type": "application/json",
             "href": absolute_url(request, f"{base}/{tms.id}", {"f": "json"})},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "type": "application/json",
             "href": absolute_url(request, f"/ogcapi/tileMatrixSets/{tms.id}", {"f": "json"})},
        ],
    }
    if tms.id in _TMS_URIS:
        summary["tileMatrixSetURI"] = _TMS_URIS[tms.id]
    return summary


def _tilesets(request, base: str) -> JsonResponse:
    return JsonResponse({
        "links": [{"rel": "self", "type": "application/json",
                   "href": absolute_url(request, base, {"f": "json"})}],
        "tilesets": [_tileset_summary(request, base, tms) for tms in tile_matrix_sets.all_sets()],
    }, json_dumps_params={"ensure_ascii": False})


def _tileset(request, base: str, target: Target, tms_id: str) -> JsonResponse:
    tms = tile_matrix_sets.get(tms_id, "tileMatrixSetId")
    document = _tileset_summary(request, base, tms)
    for mime, f in (("image/png", "png"), ("image/jpeg", "jpeg")):
        document["links"].append({
            "rel": "item", "type": mime, "templated": True,
            "href": absolute_url(request, f"{base}/{tms.id}", {"f": f}).replace(
                "?", "/{tileMatrix}/{tileRow}/{tileCol}?", 1),
        })
    extent = target.extent_4490
    if extent is not None:
        document["boundingBox"] = {
            "lowerLeft": [extent.minx, extent.miny], "upperRight": [extent.maxx, extent.maxy],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        }
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


def _tile(request, target: Target, tms_id: str, z: str, y: str, x: str) -> HttpResponse:
    image_format = params.tile_format(_kvp(request), request.headers.get("Accept", ""))
    index = tile_index(tms_id, z, y, x)
    tile = tiles.get_tile(target, request.principal, index, image_format)
    return tile_response(request, tile, image_format.media_type)


@_problems
def collection_tilesets(request, collection: str):
    resolve_target(request.principal, collection, locator="collectionId")
    return _tilesets(request, f"/ogcapi/collections/{collection}/map/tiles")


@_problems
def dataset_tilesets(request):
    return _tilesets(request, "/ogcapi/map/tiles")


@_problems
def collection_tileset(request, collection: str, tms: str):
    target = resolve_target(request.principal, collection, locator="collectionId")
    return _tileset(request, f"/ogcapi/collections/{collection}/map/tiles", target, tms)


@_problems
def dataset_tileset(request, tms: str):
    target = dataset_target(request.principal, _("all collections"))
    return _tileset(request, "/ogcapi/map/tiles", target, tms)


@_problems
def collection_tile(request, collection: str, tms: str, z: str, y: str, x: str):
    target = resolve_target(request.principal, collection, locator="collectionId")
    return _tile(request, target, tms, z, y, x)


@_problems
def dataset_tile(request, tms: str, z: str, y: str, x: str):
    return _tile(request, dataset_target(request.principal, _("all collections")), tms, z, y, x)
