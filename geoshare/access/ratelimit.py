"""Rate limits for anonymous callers, per service and client address.

Counters live in an unlogged PostgreSQL table, so every web process on every machine
counts together without another server to run. Fixed one-second windows.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from geoshare.access.authentication import client_ip
from geoshare.access.requests import describe

__all__ = ["RateLimitMiddleware"]


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limits = settings.GEOSHARE_RATE_LIMITS
        if limits and not request.user.is_authenticated:
            service = describe(request).service
            limit = limits.get(service)
            if limit is not None and _count(f"{service}:{client_ip(request)}") > limit:
                response = JsonResponse(
                    {"status": 429, "detail": f"more than {limit} {service} requests per second "
                     "from your address; slow down or log in"},
                    status=429,
                )
                response["Retry-After"] = "1"
                return response
        return self.get_response(request)


def _count(key: str) -> int:
    window = int(time.time())
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO access_ratecounter AS c (key, second, hits) VALUES (%s, %s, 1) "
            "ON CONFLICT (key) DO UPDATE SET "
            "hits = CASE WHEN c.second = EXCLUDED.second THEN c.hits + 1 ELSE 1 END, "
            "second = EXCLUDED.second RETURNING hits",
            [key[:200], window],
        )
        return cur.fetchone()[0]
