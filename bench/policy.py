"""The access policy's cost per request: each principal against the same request as superuser.

    .venv/bin/python bench/policy.py [--repeat 200] [--port 8191]

Serves this checkout with gunicorn and times, request by request over one keep-alive
connection, a WMS GetMap, a WFS query and a cached WMTS tile as: the superuser, an anonymous
caller, a department user (public data, unrestricted) and a department user whose grant on
an internal layer has a row filter and hidden attributes. Principals take turns request by
request, so machine noise falls on all of them alike. Tokens authenticate (a password would
add the hash's cost, which is not the policy's).
"""

from __future__ import annotations

import http.client
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Table,
    arguments,
    django_setup,
    ensure_demo,
    ms,
    percentile,
    served_geoshare,
)


def requests_to_time(landmark) -> dict[str, tuple[str, dict]]:
    from services.tiles import tms

    lon, lat = landmark
    d = 0.004
    tile = tms.get("WebMercatorQuad").tile(lon, lat, 15)
    return {
        "WMS GetMap 256² buildings+roads": ("/ows", {
            "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "buildings,roads",
            "STYLES": "", "CRS": "EPSG:4326", "BBOX": f"{lat - d},{lon - d},{lat + d},{lon + d}",
            "WIDTH": 256, "HEIGHT": 256, "FORMAT": "image/png",
        }),
        "WFS GetFeature bbox, 50 features": ("/ows", {
            "SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": "addresses",
            "COUNT": 50, "OUTPUTFORMAT": "application/json",
            "BBOX": f"{lon - d},{lat - d},{lon + d},{lat + d},urn:ogc:def:crs:OGC:1.3:CRS84",
        }),
        "WMTS cached tile (e-map group)": (
            f"/wmts/1.0.0/emap/default/WebMercatorQuad/{tile.z}/{tile.y}/{tile.x}.png", {}),
        "WFS internal layer with grant, bbox": ("/ows", {
            "SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
            "TYPENAMES": "land_approvals", "COUNT": 50, "OUTPUTFORMAT": "application/json",
            "BBOX": f"{lon - 0.1},{lat - 0.1},{lon + 0.1},{lat + 0.1},urn:ogc:def:crs:OGC:1.3:CRS84",
        }),
    }


def principals() -> dict[str, str | None]:
    """name -> token (None: anonymous). The grant is made here and removed by cleanup()."""
    from django.contrib.auth.models import User

    from geoshare.access import tokens
    from geoshare.access.models import Department, LayerGrant
    from layers.models import Layer

    approvals = Layer.objects.get(name="land_approvals")
    LayerGrant.objects.filter(note="bench/policy.py").delete()
    LayerGrant.objects.create(
        layer=approvals, department=Department.objects.get(code="jy"), note="bench/policy.py",
        row_filter="area_ha > 1", hidden_fields=["approval_no"],
    )
    issued = {}
    for name, username in (("superuser", "admin"), ("department user", "zrzy_viewer"),
                           ("grantee (row filter, hidden)", "jy_viewer")):
        issued[name], _ = tokens.issue(User.objects.get(username=username), "bench/policy.py")
    issued["anonymous"] = None
    return issued


def cleanup() -> None:
    from geoshare.access.models import ApiToken, LayerGrant

    LayerGrant.objects.filter(note="bench/policy.py").delete()
    ApiToken.objects.filter(name="bench/policy.py").delete()


def timed_get(connection: http.client.HTTPConnection, path: str, token: str | None) -> float:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    start = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    if response.status not in (200, 204):
        raise RuntimeError(f"{path} answered {response.status}")
    return elapsed


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--port", type=int, default=8191)
    args = parser.parse_args()
    django_setup()
    ensure_demo(args.scale)
    from fixtures.demo import landmarks

    who = principals()
    table = Table(f"access policy overhead per request ({args.repeat} requests each, one connection)")
    try:
        with served_geoshare(args.port, workers=2) as server:
            host = urlsplit(server.url)
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
            for what, (path, params) in requests_to_time(landmarks.CITY_GOVERNMENT.lnglat).items():
                url = path + ("?" + urlencode(params) if params else "")
                internal = "internal" in what
                allowed = ["superuser", "grantee (row filter, hidden)"] if internal else list(who)
                times = {p: [] for p in allowed}
                for p in allowed:  # warm every principal's caches (styles, tiles, catalog rows)
                    for _ in range(3):
                        timed_get(connection, url, who[p])
                for _ in range(args.repeat):
                    for p in allowed:
                        times[p].append(timed_get(connection, url, who[p]))
                base = statistics.median(times["superuser"])
                for p in allowed:
                    median = statistics.median(times[p])
                    overhead = median - base
                    table.add(
                        f"{what}: {p}", str(args.repeat), ms(median), ms(percentile(times[p], 95)),
                        f"superuser {ms(base)}" if p != "superuser" else "-",
                        f"{overhead * 1000:+.2f} ms ({overhead / base:+.0%})" if p != "superuser" else "-",
                    )
    finally:
        cleanup()
    table.print()


if __name__ == "__main__":
    main()
