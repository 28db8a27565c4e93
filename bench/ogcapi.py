"""OGC API benchmark: items paging, full-layer GeoJSON streaming, vector tiles.

    .venv/bin/python bench/ogcapi.py [--scale 10] [--port 8101]

Reads the largest vector layer of the database GEOSHARE_DATABASE_URL names (the demo city:
``manage.py load_demo --scale 10`` once). Without one of at least 100,000 features it imports
``bench_points`` (50,000 x scale points) first. Peer of the MVT rows: the bare ST_AsMVT SQL
of the same tile, run in PostgreSQL with no HTTP, policy or cache around it.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    RssSampler,
    Table,
    arguments,
    django_setup,
    ensure_demo,
    median_p95,
    ms,
    served_geoshare,
    timed,
)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=600) as response:
        return response.read()


def largest_layer(scale: int):
    from layers.models import Layer

    ensure_demo(scale)
    layer = Layer.objects.filter(storage="vector", published=True, tier=1).order_by("-feature_count").first()
    if layer is None or (layer.feature_count or 0) < 100_000:
        layer = Layer.objects.filter(name="bench_points").first() or _bench_points(50_000 * scale)
    return layer


def _bench_points(count: int):
    import numpy as np
    import shapely

    from tests.factories import vector_layer

    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(120.3, 120.9, count), rng.uniform(31.75, 32.05, count)
    return vector_layer(
        "bench_points", list(shapely.points(lon, lat)),
        {"name": [f"点{i}" for i in range(count)], "value": rng.integers(0, 1000, count).tolist()},
    )


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.db import connection

    from geoshare.access.policy import Grant
    from services.tiles import tms as tms_registry
    from services.tiles.mvt import tile_sql
    from services.tiles.tms import TileIndex

    layer = largest_layer(args.scale)
    table = Table(f"OGC API on {layer.name} ({layer.feature_count} features)")
    with served_geoshare(port=args.port, workers=2) as server:
        items = f"{server.url}/ogcapi/collections/{layer.name}/items?f=json&limit=1000"
        first = timed(lambda: fetch(items), repeat=15)
        # Walk the next links (keyset cursors) to page 500, or the last page there is.
        url, page = items, 1
        while page < 500:
            links = json.loads(fetch(url))["links"]
            following = next((link["href"] for link in links if link["rel"] == "next"), None)
            if following is None:
                break
            url, page = following, page + 1
        deep = timed(lambda: fetch(url), repeat=15)
        table.add("items limit=1000, page 1", "15", *median_p95(first))
        table.add(f"items limit=1000, page {page} (cursor)", "15", *median_p95(deep),
                  ms(statistics.median(first)), f"{statistics.median(deep) / statistics.median(first):.2f}")

        everything = f"{server.url}/ogcapi/collections/{layer.name}/items?f=json&limit=1000000"
        with RssSampler(server.pid) as rss:
            start = time.perf_counter()
            with urllib.request.urlopen(everything, timeout=3600) as response:
                size = 0
                while chunk := response.read(1 << 20):
                    size += len(chunk)
            seconds = time.perf_counter() - start
        count = min(layer.feature_count or 0, 1_000_000)
        table.add("stream whole layer as GeoJSON", f"{count} features", f"{seconds:.1f} s",
                  "-", "-", f"{count / seconds:,.0f} features/s")
        table.add("peak RSS of a server worker while streaming", f"{size / 1e6:.0f} MB sent",
                  f"{rss.peak / 2**20:.0f} MB")

        tms = tms_registry.get("WebMercatorQuad")
        minx, miny, maxx, maxy = layer.extent.extent
        centre = tms.tile((minx + maxx) / 2, (miny + maxy) / 2, 14)
        tiles = [(centre.x + dx, centre.y + dy) for dx in range(-3, 3) for dy in range(-2, 2)]
        grant = Grant(layer)

        def bare_sql(x, y) -> float:
            statement = tile_sql(layer, grant, TileIndex("WebMercatorQuad", 14, y, x))
            with connection.cursor() as cur:
                start = time.perf_counter()
                cur.execute(statement)
                cur.fetchone()
                return time.perf_counter() - start

        for x, y in tiles:  # both sides read the same pages from a warm PostgreSQL buffer cache
            bare_sql(x, y)

        def cold_tile(x, y) -> float:
            shutil.rmtree(settings.TILE_CACHE_DIR / "mvt", ignore_errors=True)  # a cache miss
            start = time.perf_counter()
            fetch(f"{server.url}/ogcapi/collections/{layer.name}/tiles/WebMercatorQuad/14/{y}/{x}")
            return time.perf_counter() - start

        cold, bare = [], []
        for n, (x, y) in enumerate(tiles):
            # Whichever reads a tile first may find its pages outside PostgreSQL's buffers:
            # the order alternates, so neither side always pays for it.
            if n % 2:
                bare.append(bare_sql(x, y))
                cold.append(cold_tile(x, y))
            else:
                cold.append(cold_tile(x, y))
                bare.append(bare_sql(x, y))
        hot_url = f"{server.url}/ogcapi/collections/{layer.name}/tiles/WebMercatorQuad/14/{centre.y}/{centre.x}"
        hot = timed(lambda: fetch(hot_url), repeat=30)
        table.add("MVT z14 cold (cache miss)", str(len(cold)), *median_p95(cold),
                  ms(statistics.median(bare)) + " bare SQL",
                  f"{statistics.median(cold) / statistics.median(bare):.2f}")
        table.add("MVT z14 cached", "30", *median_p95(hot))
    table.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
