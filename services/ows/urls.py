"""The URLs a capabilities document advertises."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

__all__ = ["absolute_url", "kvp_endpoint", "CARRIED_PARAMS"]

# QGIS 3.22, GDAL and OWSLib call the hrefs advertised in capabilities, not the URL the
# user typed: a credential given as token= must ride along in each of them.
CARRIED_PARAMS = ("token",)


def _base(request) -> str:
    return settings.GEOSHARE_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


def _carried(request, params: dict | None) -> dict:
    query = dict(params or {})
    for name in CARRIED_PARAMS:
        if value := request.GET.get(name):
            query[name] = value
    return query


def absolute_url(request, path: str, params: dict | None = None) -> str:
    """``path`` on this server as the client reached it, carried parameters kept."""
    query = _carried(request, params)
    return _base(request) + path + (f"?{urlencode(query)}" if query else "")


def kvp_endpoint(request, path: str = "/ows") -> str:
    """An OnlineResource for KVP requests: ends in '?' or '&' so clients can append."""
    query = _carried(request, None)
    return _base(request) + path + (f"?{urlencode(query)}&" if query else "?")
