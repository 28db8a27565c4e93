"""What a request is, for the audit trail and the rate limits: service, operation, layers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

__all__ = ["RequestInfo", "describe"]

_LAYER_PARAMS = ("LAYERS", "QUERY_LAYERS", "LAYER", "TYPENAMES", "TYPENAME", "COVERAGEID",
                 "COVERAGE", "IDENTIFIER")
_CRS_PARAMS = ("CRS", "SRS", "SRSNAME", "BBOX-CRS", "SUBSETTINGCRS")
_OGCAPI = re.compile(r"^/ogcapi/collections/(?P<layer>[^/]+)(?:/(?P<what>[^/]+))?")
_WMTS = re.compile(r"^/wmts/[^/]+/(?P<layer>[a-z][a-z0-9_]*)/")
_GEOCODING = re.compile(r"^/api/geocoding/(?P<what>[^/]+)")


@dataclass(frozen=True)
class RequestInfo:
    service: str  # "" for requests that are not data services
    operation: str = ""
    layers: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    crs: str = ""
    extra: dict = field(default_factory=dict)


def describe(request) -> RequestInfo:
    path = request.path
    params = {k.upper(): v for k, v in request.GET.items()}
    if path == "/ows":
        service = params.get("SERVICE", "OWS").upper()[:20]
        return RequestInfo(
            service, params.get("REQUEST", request.method)[:40], _layers(params),
            _bbox(params.get("BBOX")), _crs(params),
        )
    if match := _WMTS.match(path):
        return RequestInfo("WMTS", "GetTile", (match["layer"],))
    if path.startswith("/ogcapi"):
        if match := _OGCAPI.match(path):
            return RequestInfo(
                "OGCAPI", match["what"] or "collection", (match["layer"],),
                _bbox(params.get("BBOX")), _crs(params),
            )
        return RequestInfo("OGCAPI", path.removeprefix("/ogcapi").strip("/").split("/")[0] or "landing")
    if match := _GEOCODING.match(path):
        return RequestInfo("GEOCODING", match["what"])
    if path.startswith("/api/catalog"):
        return RequestInfo("CATALOG", "layers")
    return RequestInfo("")


def _layers(params: dict) -> tuple[str, ...]:
    names: list[str] = []
    for key in _LAYER_PARAMS:
        for name in (params.get(key) or "").split(","):
            name = name.strip().split(":")[-1][:63]
            if name and name not in names:
                names.append(name)
    return tuple(names[:50])


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    try:
        values = [float(v) for v in (raw or "").split(",")[:4]]
    except ValueError:
        return None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        return None
    return tuple(values)


def _crs(params: dict) -> str:
    for key in _CRS_PARAMS:
        if params.get(key):
            return params[key][:40]
    return ""
