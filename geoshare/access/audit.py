"""The audit trail: one row per data access, written after the answer is complete.

Services add what only they know with ``note(request, items=…)`` (features or pixels
returned, or layers named inside a POSTed XML body); the middleware infers the rest from
the request and counts the bytes, after the last byte for streamed answers.
"""

from __future__ import annotations

import logging

from geoshare.access.authentication import client_ip
from geoshare.access.requests import describe

__all__ = ["note", "AuditMiddleware"]

log = logging.getLogger(__name__)


def note(request, **fields) -> None:
    """Add to this request's audit row: items, layers, operation, bbox, crs, detail."""
    annotations = getattr(request, "_audit", None)
    if annotations is None:
        annotations = request._audit = {}
    annotations.update(fields)


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        info = describe(request)
        if not info.service or request.method == "OPTIONS":
            return response
        if response.streaming:
            response.streaming_content = _counting(response.streaming_content, request, response, info)
        else:
            _write(request, response, info, len(response.content))
        return response


def _counting(chunks, request, response, info):
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            yield chunk
    finally:
        _write(request, response, info, size)


def _write(request, response, info, size: int) -> None:
    from geoshare.access.models import AuditRecord

    annotations = getattr(request, "_audit", {})
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    profile = getattr(user, "geoshare_profile", None) if authenticated else None
    try:
        AuditRecord.objects.create(
            user_id=user.pk if authenticated else None,
            username=user.get_username() if authenticated else "",
            department=profile.department.code if profile and profile.department_id else "",
            ip=client_ip(request) or None,
            service=annotations.get("service", info.service),
            operation=str(annotations.get("operation", info.operation))[:40],
            layers=list(annotations.get("layers", info.layers)),
            bbox=list(annotations.get("bbox", info.bbox)) if annotations.get("bbox", info.bbox) else None,
            crs=annotations.get("crs", info.crs),
            items=annotations.get("items"),
            bytes=size,
            status=response.status_code,
            detail=str(annotations.get("detail", ""))[:300],
        )
    except Exception:  # the answer is already out: log, never turn it into an error
        log.exception("could not write the audit record for %s", request.path)
