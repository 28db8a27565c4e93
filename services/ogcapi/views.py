"""The /ogcapi/ views: parse and validate, set the request scope, then pygeoapi or the engines.

Only this module sees HttpRequest. Every view answers errors as problem details through
``errors.problem``; none catches an error itself except ``_answer``.
"""

from __future__ import annotations

import functools
import json
import re

from django.http import HttpResponse
from django.views.decorators.http import require_http_methods
from pygeoapi import api as core_api
from pygeoapi.api import API, APIRequest, apply_gzip
from pygeoapi.api import coverages as coverages_api
from pygeoapi.api import itemtypes as itemtypes_api
from pygeoapi.util import render_j2_template

from geoshare.errors import InvalidParameterError, LayerNotFoundError
from services.ogcapi import conformance as conformance_classes
from services.ogcapi import edits, features
from services.ogcapi.config import CATALOG_ID, config_for, openapi_for
from services.ogcapi.context import request_scope
from services.ogcapi.errors import from_pygeoapi, problem, problem_response
from services.ogcapi.params import (
    Params, coverage_params, items_params, records_params,
)

__all__ = [
    "landing_page", "openapi", "conformance", "collections", "collection", "queryables",
    "items", "item", "coverage", "answer",
]

# Parameters our views parse themselves and pygeoapi must not see: it reads ``filter`` as
# ECQL (not CQL2 text) and knows no ``cursor``.
_OURS = ("filter", "filter-lang", "filter-crs", "cursor")


def answer(view=None, *, methods: tuple[str, ...] = ("GET", "HEAD")):
    """Turn any error raised by ``view`` into problem details (RFC 7807); other ``methods``
    than these answer 405."""
    if view is None:
        return functools.partial(answer, methods=methods)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Exception as error:  # the one place errors become responses
            return problem_response(*problem(error))

    return require_http_methods(list(methods))(wrapper)


@answer
def landing_page(request):
    return _pygeoapi(request, core_api.landing_page)


@answer
def openapi(request):
    return _pygeoapi(request, core_api.openapi_, openapi_document=True)


@answer
def conformance(request):
    config = config_for(request, request.principal)
    body = {"conformsTo": conformance_classes.CONFORMANCE}
    if _wants_html(request):
        with request_scope(request.principal):
            api = API(config, {})
            api_request = APIRequest.from_django(_negotiated(request), api.locales)
            html = render_j2_template(api.tpl_config, config["server"]["templates"],
                                      "conformance.html", body, api_request.locale)
        return HttpResponse(html, content_type="text/html; charset=utf-8")
    return HttpResponse(json.dumps(body), content_type="application/json")


@answer
def collections(request):
    return _pygeoapi(request, core_api.describe_collections)


@answer
def collection(request, collection_id: str):
    config = _collection(request, collection_id)
    return _pygeoapi(request, core_api.describe_collections, collection_id, config=config)


@answer
def queryables(request, collection_id: str):
    config = _collection(request, collection_id)
    return _pygeoapi(request, itemtypes_api.get_collection_queryables, collection_id, config=config)


@answer(methods=("GET", "HEAD", "POST"))
def items(request, collection_id: str):
    config = _collection(request, collection_id)
    if request.method == "POST":
        return edits.create(request, _collection_url(config, collection_id), collection_id)
    params = Params(request.GET)
    if collection_id == CATALOG_ID:
        records_params(params)  # validated here: pygeoapi lets NaN bboxes and bad dates through
        return _pygeoapi(request, itemtypes_api.get_collection_items, collection_id, config=config)
    _require_vector(config, collection_id)
    parsed = items_params(params)
    if _wants_json(request):
        with request_scope(request.principal) as scope:
            grant = scope.grant(collection_id)
        return features.items_response(request, _collection_url(config, collection_id), parsed, grant)
    return _pygeoapi(request, itemtypes_api.get_collection_items, collection_id, config=config,
                     items=parsed)


@answer(methods=("GET", "HEAD", "PUT", "DELETE"))
def item(request, collection_id: str, item_id: str):
    config = _collection(request, collection_id)
    if request.method == "PUT":
        return edits.replace(request, collection_id, item_id)
    if request.method == "DELETE":
        return edits.delete(request, collection_id, item_id)
    params = Params(request.GET)
    if collection_id == CATALOG_ID:
        return _pygeoapi(request, itemtypes_api.get_collection_item, collection_id, item_id[:100],
                         config=config)
    _require_vector(config, collection_id)
    parsed = items_params(params)
    if _wants_json(request):
        with request_scope(request.principal) as scope:
            grant = scope.grant(collection_id)
        return features.item_response(request, _collection_url(config, collection_id), item_id,
                                      parsed, grant)
    return _pygeoapi(request, itemtypes_api.get_collection_item, collection_id, item_id[:100],
                     config=config, items=parsed)


@answer
def coverage(request, collection_id: str):
    config = _collection(request, collection_id)
    provider = config["resources"][collection_id]["providers"][0]
    if provider["type"] != "coverage":
        raise LayerNotFoundError(collection_id, "collectionId")  # no coverage of that name
    fmt = (request.GET.get("f") or "").strip()
    if fmt.lower() in ("gtiff", "geotiff", "tif", "tiff"):
        fmt = "GTiff"
    elif fmt in ("json", "covjson", "coveragejson"):
        fmt = "json"
    elif fmt == "":
        # GDAL and OWSLib ask without f= or a telling Accept: give them the GeoTIFF.
        fmt = "json" if "json" in request.headers.get("Accept", "") else "GTiff"
    else:
        raise InvalidParameterError(f"f {fmt[:40]!r} is not offered; use GTiff or json", "f")
    with request_scope(request.principal) as scope:
        layer = scope.grant(collection_id).layer
    parsed = coverage_params(Params(request.GET), layer.srid, layer.raster_info["band_names"])
    return _pygeoapi(request, coverages_api.get_collection_coverage, collection_id, config=config,
                     coverage=parsed, format_=fmt)


# -- helpers ------------------------------------------------------------------------------


def _collection(request, collection_id: str) -> dict:
    """The caller's config, after checking the collection exists for it (hidden = unknown)."""
    config = config_for(request, request.principal)
    if collection_id not in config["resources"]:
        raise LayerNotFoundError(collection_id, "collectionId")
    return config


def _require_vector(config: dict, collection_id: str) -> None:
    if config["resources"][collection_id]["providers"][0]["type"] != "feature":
        raise LayerNotFoundError(collection_id, "collectionId")


def _collection_url(config: dict, collection_id: str) -> str:
    return f"{config['server']['url']}/collections/{collection_id}"


def _wants_html(request) -> bool:
    fmt = (request.GET.get("f") or "").strip().lower()
    if fmt:
        return fmt == "html"
    accept = request.headers.get("Accept", "")
    return "text/html" in accept.split(",")[0]


def _wants_json(request) -> bool:
    fmt = (request.GET.get("f") or "").strip().lower()
    if fmt in ("json", "geojson"):
        return True
    if fmt:
        if fmt not in ("html", "jsonld"):
            raise InvalidParameterError(f"f {fmt[:40]!r} is not offered; use json, html or jsonld", "f")
        return False
    return not _wants_html(request)


def _negotiated(request):
    """The request with one of our two languages and no refused media types, as pygeoapi
    fails on any other language (zh-CN, fr) and on an Accept entry with q=0."""
    asked = (request.GET.get("lang") or request.LANGUAGE_CODE or "").lower()
    language = "en-US" if asked.startswith("en") else "zh-Hans"
    request.META["HTTP_ACCEPT_LANGUAGE"] = language
    if "lang" in request.GET:
        request.GET = request.GET.copy()
        request.GET["lang"] = language
    accept = request.META.get("HTTP_ACCEPT")
    if accept:
        request.META["HTTP_ACCEPT"] = ",".join(
            part for part in accept.split(",") if not _QUALITY_ZERO.search(part)) or "*/*"
    return request


_QUALITY_ZERO = re.compile(r";\s*q\s*=\s*0(\.0*)?\s*($|;)")


def _pygeoapi(request, function, *args, config: dict | None = None, openapi_document=False,
              format_: str | None = None, **parsed) -> HttpResponse:
    """pygeoapi's ``execute_from_django``, with the catalog-built config and the request scope.

    pygeoapi.django_.views reads settings.PYGEOAPI_CONFIG at import, one static file for the
    process; geoshare's configuration changes with the catalog and the caller.
    """
    principal = request.principal
    config = config or config_for(request, principal)
    with request_scope(principal, base_url=config["server"]["url"], **parsed):
        document = openapi_for(config, principal) if openapi_document else {}
        api = API(config, document)
        api_request = APIRequest.from_django(_negotiated(request), api.locales)
        # pygeoapi's params dict is the only way in: drop what we parsed ourselves.
        api_request._args = {k: v for k, v in api_request.params.items() if k not in _OURS}
        if format_ is not None:
            api_request._format = format_
        elif not api_request.is_valid(["jsonld"]):
            raise InvalidParameterError(
                f"f {str(api_request.format)[:40]!r} is not offered; use json or html", "f"
            )
        headers, status, content = function(api, api_request, *args)
    if status >= 400:
        return problem_response(status, from_pygeoapi(status, content))
    response = HttpResponse(apply_gzip(headers, content), status=status)
    for key, value in headers.items():
        response[key] = value
    return response
