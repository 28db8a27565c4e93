"""The audit trail: one row per data access, written once the answer has been sent.

Services add what only they know with ``note(request, items=…)`` (features or pixels
returned, or layers named inside a POSTed XML body); the middleware infers the rest from
the request and counts the bytes, after the last byte for streamed answers.
"""

from __future__ import annotations

import logging

from django.db import connection

from geoshare.access.authentication import client_ip
from geoshare.access.policy import Principal
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
            # Written when the server closes the response, after its last byte went out: the
            # caller does not wait for the INSERT. (Django closes its own file responses the
            # same way; the test client and every WSGI server call close().)
            size = len(response.content)
            response._resource_closers.append(lambda: _write(request, response, info, size))
        return response


def _counting(chunks, request, response, info):
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            yield chunk
    finally:
        _write(request, response, info, size)


# The ORM's create() compiles this statement anew for every request; on a cached tile,
# that costs as much as the tile. The columns are those of AuditRecord.
_INSERT = (
    "INSERT INTO access_auditrecord (time, user_id, username, department, ip, service, "
    "operation, layers, bbox, crs, items, bytes, status, detail) "
    "VALUES (now(), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_ASYNC_COMMIT = "SET LOCAL synchronous_commit = off; "


def _write(request, response, info, size: int) -> None:
    annotations = getattr(request, "_audit", {})
    # The principal the request was answered for; a request refused before it had one
    # (bad credentials) is anonymous.
    principal = getattr(request, "principal", None) or Principal.anonymous()
    bbox = annotations.get("bbox", info.bbox)
    values = [
        principal.user_id,
        principal.username,
        principal.department_code,
        client_ip(request) or None,
        str(annotations.get("service", info.service))[:20],
        str(annotations.get("operation", info.operation))[:40],
        [str(name)[:63] for name in annotations.get("layers", info.layers)],
        [float(v) for v in bbox] if bbox else None,
        str(annotations.get("crs", info.crs))[:40],
        annotations.get("items"),
        size,
        response.status_code,
        str(annotations.get("detail", ""))[:300],
    ]
    # A read is recorded without waiting for the WAL to reach the disk (a cached tile waits
    # 0.2 ms less): only a crash of the database server itself, not of geoshare, can lose
    # the last fraction of a second of such rows. A request that may change data waits, as
    # the change it records did. SET LOCAL ends with the statement's implicit transaction.
    statement = _INSERT if request.method not in ("GET", "HEAD") else _ASYNC_COMMIT + _INSERT
    try:
        with connection.cursor() as cur:
            cur.execute(statement, values)
    except Exception:  # the answer is already out: log, never turn it into an error
        log.exception("could not write the audit record for %s", request.path)
