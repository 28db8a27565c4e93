"""Requests no part of the platform can answer, refused before any of it runs."""

import json

from django.http import HttpResponse

__all__ = ["RefuseNulMiddleware"]


class RefuseNulMiddleware:
    """A NUL character in the path or a parameter answers 400 (problem details naming it):
    PostgreSQL text cannot hold one, so it would fail every lookup, and the audit row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path:
            return _refused("path")
        if "%00" in query or "\x00" in query:
            name = next((k for k, values in request.GET.lists()
                         if "\x00" in k or any("\x00" in v for v in values)), "query")
            return _refused(name.replace("\x00", "")[:40])
        return self.get_response(request)


def _refused(parameter: str) -> HttpResponse:
    body = {"type": "InvalidParameterValue", "title": "Bad Request", "status": 400,
            "detail": f"{parameter} contains a NUL character, which no value may hold",
            "parameter": parameter}
    return HttpResponse(json.dumps(body), status=400, content_type="application/problem+json")
