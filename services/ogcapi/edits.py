"""OGC API - Features Part 4: create, replace and delete items, for those allowed to edit.

POST a GeoJSON Feature to ``/collections/{id}/items``; PUT one to, or DELETE,
``/collections/{id}/items/{fid}``. Coordinates are CRS84 unless a ``Content-Crs`` header
names another offered CRS (then in its axis order, as Part 2 reads them). A layer hidden
from the caller is unknown (404); one it may see but not edit answers 403, or 401 to an
anonymous caller. The edits themselves are ``layers.edits``'.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse

from geoshare.access import audit, policy
from geoshare.errors import (
    FeatureNotFoundError, InvalidParameterError, LimitExceededError,
)
from geoshare.geo import OFFERED_SRIDS, parse_crs
from layers import edits
from layers.features import feature_source
from services.ogcapi.params import feature_id

__all__ = ["create", "replace", "delete"]

_MEDIA_TYPES = ("application/geo+json", "application/json")
_CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def create(request, collection_url: str, collection_id: str) -> HttpResponse:
    _, grant = edits.grants(request.principal, collection_id, "collectionId")
    fid, = edits.insert(grant.layer, grant, [_feature(request)])
    audit.note(request, operation="create", items=1)
    response = HttpResponse(status=201)
    response["Location"] = f"{collection_url}/items/{fid}"
    return response


def replace(request, collection_id: str, item_id: str) -> HttpResponse:
    seen, grant = edits.grants(request.principal, collection_id, "collectionId")
    fid = _fid(item_id)
    with _refused_if_seen(seen, fid):
        edits.replace(grant.layer, grant, [fid], _feature(request))
    audit.note(request, operation="replace", items=1)
    return HttpResponse(status=204)


def delete(request, collection_id: str, item_id: str) -> HttpResponse:
    seen, grant = edits.grants(request.principal, collection_id, "collectionId")
    fid = _fid(item_id)
    with _refused_if_seen(seen, fid):
        edits.delete(grant.layer, grant, [fid])
    audit.note(request, operation="delete", items=1)
    return HttpResponse(status=204)


@contextmanager
def _refused_if_seen(seen: policy.Grant, fid: int):
    """A feature the caller may see but not edit is refused (403), not unknown (404)."""
    try:
        yield
    except FeatureNotFoundError:
        feature_source(seen.layer).get(fid, seen)  # unknown to the caller too: 404
        raise edits.EditRefusedError(
            f"you may not edit feature {fid} of layer {seen.layer.name!r}", "featureId") from None


def _fid(item_id: str) -> int:
    fid = feature_id(item_id)
    if fid is None:
        raise FeatureNotFoundError(f"no feature {item_id[:40]!r} in this collection", "featureId")
    return fid


def _feature(request) -> edits.FeatureEdit:
    media_type = request.content_type.split(";")[0].strip().lower()
    if media_type not in _MEDIA_TYPES:
        raise InvalidParameterError(
            f"Content-Type {media_type[:60]!r} is not accepted; send {_MEDIA_TYPES[0]}", "Content-Type")
    try:
        body = request.body
    except RequestDataTooBig:
        raise LimitExceededError(
            f"a feature may take at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes", "body") from None
    try:
        feature = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InvalidParameterError(f"the body is not JSON: {e}", "body") from None
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidParameterError("the body must be one GeoJSON Feature", "body")
    crs = parse_crs(request.headers.get("Content-Crs", "").strip().strip("<>") or _CRS84,
                    "Content-Crs", OFFERED_SRIDS)
    return edits.FeatureEdit(feature.get("properties") or {}, feature.get("geometry"), crs.epsg,
                             yx=crs.yx)
