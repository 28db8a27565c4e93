"""OGC API errors as RFC 7807 problem details, from one table."""

from __future__ import annotations

import json
import logging

from django.http import HttpResponse

from geoshare.access.authentication import BASIC_CHALLENGE
from geoshare.errors import (
    FeatureNotFoundError, GeoshareError, InvalidParameterError, LayerNotFoundError,
    LimitExceededError, NotAuthenticatedError, UnsupportedCRSError,
)
from layers.edits import EditRefusedError

__all__ = ["CODES", "problem", "problem_response", "from_pygeoapi"]

log = logging.getLogger("geoshare.ogcapi")

# error class -> (OGC exception code, HTTP status); the MRO is walked, so subclasses inherit.
CODES = {
    LayerNotFoundError: ("NotFound", 404),
    FeatureNotFoundError: ("NotFound", 404),
    NotAuthenticatedError: ("NotAuthenticated", 401),
    EditRefusedError: ("Forbidden", 403),
    UnsupportedCRSError: ("InvalidParameterValue", 400),
    LimitExceededError: ("InvalidParameterValue", 400),
    InvalidParameterError: ("InvalidParameterValue", 400),
}
_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           500: "Internal Server Error"}


def problem(error: Exception) -> tuple[int, dict]:
    """(status, problem details) of an error; untyped errors are logged and told apart from none."""
    if isinstance(error, GeoshareError) and error.client_fault:
        for cls in type(error).__mro__:
            if cls in CODES:
                code, status = CODES[cls]
                break
        else:
            code, status = "InvalidParameterValue", error.http_status
        return status, _body(code, status, error.message, error.locator)
    log.error("internal error answering an OGC API request", exc_info=error)
    return 500, _body("NoApplicableCode", 500, "internal error; the server log has the details", None)


def _body(code: str, status: int, detail: str, locator: str | None) -> dict:
    body = {"type": code, "title": _TITLES.get(status, code), "status": status, "detail": detail,
            "code": code}
    if locator:
        body["parameter"] = locator
    return body


def problem_response(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type="application/problem+json; charset=utf-8")
    if status == 401:  # QGIS and GDAL ask for credentials on the challenge
        response["WWW-Authenticate"] = BASIC_CHALLENGE
    return response


def from_pygeoapi(status: int, content) -> dict:
    """Problem details for an error pygeoapi answered in its own shape ({code, description})."""
    try:
        body = json.loads(content)
    except (TypeError, ValueError):
        body = {}
    code = body.get("code") or ("NotFound" if status == 404 else "InvalidParameterValue")
    if status >= 500:
        log.error("pygeoapi answered %s: %s", status, body.get("description"))
        return _body("NoApplicableCode", status, "internal error; the server log has the details", None)
    return _body(code, status, str(body.get("description") or _TITLES.get(status, code)), None)
