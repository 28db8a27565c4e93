"""The WMTS operations: parse → policy (through render.resolve_target) → tile cache → bytes."""

from __future__ import annotations

from django.http import HttpResponse

from services.ows.dispatch import OwsRequest
from services.render.targets import resolve_target
from services.render import tiles
from services.wmts import params
from services.wmts.capabilities import capabilities

__all__ = ["OPERATIONS", "get_capabilities", "tile_for", "tile_response"]


def get_capabilities(request: OwsRequest) -> HttpResponse:
    return HttpResponse(capabilities(request.http), content_type="application/xml; charset=UTF-8")


def tile_for(principal, p: params.GetTileParams) -> tiles.Tile:
    target = resolve_target(principal, p.layer, p.style, locator="Layer", style_locator="Style")
    return tiles.get_tile(target, principal, p.index, p.format)


def tile_response(http_request, tile: tiles.Tile, media_type: str) -> HttpResponse:
    """A tile with its ETag; 304 when the client already holds it."""
    if tile.etag in http_request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(tile.data, content_type=media_type)
    response["ETag"] = tile.etag
    response["X-Cache"] = "hit" if tile.cached else "miss"
    # Clients keep tiles but ask again each time (a 304 is cheap): a layer hidden or
    # restyled must not linger in a browser's or a proxy's cache.
    visibility = "public" if http_request.principal.is_anonymous else "private"
    response["Cache-Control"] = f"{visibility}, no-cache"
    return response


def get_tile(request: OwsRequest) -> HttpResponse:
    p = params.get_tile_params(request.kvp)
    return tile_response(request.http, tile_for(request.principal, p), p.format.media_type)


OPERATIONS = {"GetCapabilities": get_capabilities, "GetTile": get_tile}
