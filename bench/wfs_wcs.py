"""WFS and WCS benchmark against MapServer 8 on the same tables and COG files.

    .venv/bin/python bench/wfs_wcs.py [--scale 10] [--port 8103] [--peer-port 8203]

Reads the demo city in the database GEOSHARE_DATABASE_URL names (``manage.py load_demo
--scale 10`` once): its largest public vector layer and its DEM. Without a layer of at least
100,000 features it imports ``bench_points`` (10,000 x scale points); without a DEM,
``bench_dem`` (4096 x 4096 cells of 5 m). Rows: GetFeature of 100,000 features as GML 3.2
and as GeoJSON (features/s, peak RSS of one server worker), a BBOX + attribute filter
(median, p95 of 40 different boxes), and a 2048 x 2048 GetCoverage reprojected from the
DEM's CRS to EPSG:4490. ratio = MapServer's time / geoshare's: above 1.0 geoshare is faster.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import urllib.parse
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
    served_geoshare,
)

FEATURES = 100_000
FES = "http://www.opengis.net/fes/2.0"
GML = "http://www.opengis.net/gml/3.2"


def download(url: str) -> tuple[int, bytes]:
    """(bytes received, the first 64 KiB), reading the body in 1 MiB chunks."""
    with urllib.request.urlopen(url, timeout=3600) as response:
        head = response.read(65536)
        size = len(head)
        while chunk := response.read(1 << 20):
            size += len(chunk)
    return size, head


def timed_download(url: str, repeat: int) -> tuple[list[float], int, bytes]:
    times, size, head = [], 0, b""
    for _ in range(repeat):
        start = time.perf_counter()
        size, head = download(url)
        times.append(time.perf_counter() - start)
    return times, size, head


def feature_layer(scale: int):
    from layers.models import Layer

    def largest():
        return (
            Layer.objects.filter(storage="vector", published=True, tier=1)
            .order_by("-feature_count")
            .first()
        )

    ensure_demo(scale)
    layer = largest()
    if layer is None or (layer.feature_count or 0) < FEATURES:
        layer = Layer.objects.filter(name="bench_points").first() or _bench_points(
            max(FEATURES, 10_000 * scale)
        )
    return layer


def _bench_points(count: int):
    import numpy as np
    import shapely

    from tests.factories import vector_layer

    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(120.3, 120.9, count), rng.uniform(31.75, 32.05, count)
    return vector_layer(
        "bench_points",
        list(shapely.points(lon, lat)),
        {"name": [f"点{i}" for i in range(count)], "value": rng.integers(0, 1000, count).tolist()},
    )


def dem_layer():
    from layers.models import Layer

    for name in ("dem", "bench_dem"):  # the demo city's, else ours
        layer = Layer.objects.filter(name=name, storage="raster").first()
        if layer is not None:
            return layer
    import numpy as np
    from affine import Affine

    from tests.factories import raster_layer

    rows, cols = np.mgrid[0:4096, 0:4096]
    heights = (5 + 3 * np.sin(rows / 300) + 2 * np.cos(cols / 200)).astype("float32")[None]
    return raster_layer(
        "bench_dem", heights, Affine(5, 0, 520_000, 0, -5, 3_550_000), srid=4549, nodata=-9999.0
    )


def numeric_field(layer) -> tuple[str, float]:
    """A numeric attribute of the layer and its median, for the attribute half of the filter."""
    from django.db import connection
    from psycopg import sql

    from layers import storage

    name = next(
        f["name"]
        for f in layer.fields
        if f["type"] in ("integer", "bigint", "double precision", "numeric")
    )
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {}) FROM {}").format(
                sql.Identifier(name), storage.table(layer.table_name)
            )
        )
        return name, float(cur.fetchone()[0])


def filter_boxes(layer, count: int = 40):
    """Boxes of about 1 km inside the layer's extent (CGCS2000 lon/lat), the same every run."""
    import random

    west, south, east, north = layer.extent.extent
    rng = random.Random(11)
    size = 0.01
    return [
        (x, y, x + size, y + size)
        for x, y in (
            (rng.uniform(west, east - size), rng.uniform(south, north - size)) for _ in range(count)
        )
    ]


def fes_filter(box, field: str, value: float, geometry: str) -> str:
    west, south, east, north = box
    return (
        f'<fes:Filter xmlns:fes="{FES}" xmlns:gml="{GML}"><fes:And><fes:BBOX>'
        f"<fes:ValueReference>{geometry}</fes:ValueReference>"
        f'<gml:Envelope srsName="urn:ogc:def:crs:EPSG::4490"><gml:lowerCorner>{south} {west}'
        f"</gml:lowerCorner><gml:upperCorner>{north} {east}</gml:upperCorner></gml:Envelope>"
        f"</fes:BBOX><fes:PropertyIsGreaterThan><fes:ValueReference>{field}</fes:ValueReference>"
        f"<fes:Literal>{value}</fes:Literal></fes:PropertyIsGreaterThan></fes:And></fes:Filter>"
    )


def kvp(base: str, **params) -> str:
    return base + "?" + urllib.parse.urlencode(params)


def ratio(peer: list[float], ours: list[float]) -> str:
    return f"{statistics.median(peer) / statistics.median(ours):.2f}"


def coverage_window(layer, fraction: float = 0.6):
    """The central part of the DEM, in EPSG:4490 lon/lat."""
    from geoshare.geo import BBox

    minx, miny, maxx, maxy = layer.native_bbox
    dx, dy = (maxx - minx) * (1 - fraction) / 2, (maxy - miny) * (1 - fraction) / 2
    return BBox(minx + dx, miny + dy, maxx - dx, maxy - dy, layer.srid).transformed(4490)


def mapserver_coverage_url(base: str, layer, window) -> str:
    """MapServer's GetCoverage for the same window, in the axis labels its description uses."""
    from lxml import etree

    description = etree.fromstring(
        urllib.request.urlopen(
            kvp(
                base,
                SERVICE="WCS",
                VERSION="2.0.1",
                REQUEST="DescribeCoverage",
                COVERAGEID=layer.name,
            )
        ).read()
    )
    grid_axes = description.findtext(f".//{{{GML}}}RectifiedGrid/{{{GML}}}axisLabels").split()
    crs = "http://www.opengis.net/def/crs/EPSG/0/4490"
    for east, north in (("long", "lat"), ("Long", "Lat"), ("x", "y")):
        url = kvp(
            base,
            SERVICE="WCS",
            VERSION="2.0.1",
            REQUEST="GetCoverage",
            COVERAGEID=layer.name,
            FORMAT="image/tiff",
            OUTPUTCRS=crs,
            SUBSETTINGCRS=crs,
            SCALESIZE=f"{grid_axes[0]}(2048),{grid_axes[1]}(2048)",
        )
        url += (
            f"&SUBSET={east}({window.minx},{window.maxx})"
            f"&SUBSET={north}({window.miny},{window.maxy})"
        )
        _, head = download(url)
        # mapscript's WSGI wrapper leaves MapServer's part headers before the TIFF.
        if b"II*\x00" in head[:1024] or b"MM\x00*" in head[:1024]:
            return url
    raise RuntimeError(f"MapServer answered no GeoTIFF for {layer.name}: {head[:300]!r}")


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--peer-port", type=int, default=8203)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["GEOSHARE_RATE_LIMITS"] = ""  # anonymous rate limits would throttle the benchmark
    django_setup()
    from bench.peers import mapserver

    layer, dem = feature_layer(args.scale), dem_layer()
    field, median_value = numeric_field(layer)
    boxes = filter_boxes(layer)
    window = coverage_window(dem)
    table = Table(
        f"WFS/WCS on {layer.name} ({layer.feature_count} features) and {dem.name}; "
        f"ratio = MapServer time / geoshare time"
    )
    results = {}
    with tempfile.TemporaryDirectory() as tmp, served_geoshare(port=args.port, workers=2) as ours:
        mapfile = mapserver.write_mapfile([layer, dem], Path(tmp) / "peer.map", port=args.peer_port)
        with mapserver.serve(mapfile, port=args.peer_port, workers=2) as peer:
            servers = {
                True: (
                    ours,
                    f"{ours.url}/ows",
                    f"geoshare:{layer.name}",
                    "geom",
                    "application/json",
                ),
                False: (peer, f"{peer.url}/", layer.name, "msGeometry", "geojson"),
            }
            for is_ours, (server, base, *_) in servers.items():  # load the code, then weigh it
                download(kvp(base, SERVICE="WFS", REQUEST="GetCapabilities"))
                results[(is_ours, "idle rss")] = RssSampler(server.pid).largest_rss()
            # Each measurement alternates between the two servers, so load from elsewhere on
            # the machine falls on both alike.
            for label in ("GML 3.2", "GeoJSON"):
                for _ in range(args.repeat):
                    for is_ours, (server, base, typename, _, geojson) in servers.items():
                        extra = {"OUTPUTFORMAT": geojson} if label == "GeoJSON" else {}
                        url = kvp(
                            base,
                            SERVICE="WFS",
                            VERSION="2.0.0",
                            REQUEST="GetFeature",
                            TYPENAMES=typename,
                            COUNT=FEATURES,
                            **extra,
                        )
                        with RssSampler(server.pid) as rss:
                            times, size, _ = timed_download(url, 1)
                        times_so_far, _, peak = results.get((is_ours, label), ([], 0, 0))
                        results[(is_ours, label)] = (
                            times_so_far + times,
                            size,
                            max(peak, rss.peak),
                        )
            for box in boxes:
                for is_ours, (_server, base, typename, geometry, _) in servers.items():
                    url = kvp(
                        base,
                        SERVICE="WFS",
                        VERSION="2.0.0",
                        REQUEST="GetFeature",
                        TYPENAMES=typename,
                        FILTER=fes_filter(box, field, median_value, geometry),
                    )
                    start = time.perf_counter()
                    download(url)
                    results.setdefault((is_ours, "filter"), []).append(time.perf_counter() - start)
            crs = "http://www.opengis.net/def/crs/EPSG/0/4490"
            our_coverage = kvp(
                f"{ours.url}/ows",
                SERVICE="WCS",
                VERSION="2.0.1",
                REQUEST="GetCoverage",
                COVERAGEID=dem.name,
                FORMAT="image/tiff",
                OUTPUTCRS=crs,
                SUBSETTINGCRS=crs,
                SCALESIZE="Long(2048),Lat(2048)",
            )
            our_coverage += (
                f"&SUBSET=Long({window.minx},{window.maxx})&SUBSET=Lat({window.miny},{window.maxy})"
            )
            coverage_urls = {
                True: our_coverage,
                False: mapserver_coverage_url(f"{peer.url}/", dem, window),
            }
            for _ in range(args.repeat * 3):
                for is_ours, url in coverage_urls.items():
                    with RssSampler(servers[is_ours][0].pid) as rss:
                        times, _, _ = timed_download(url, 1)
                    results.setdefault((is_ours, "wcs"), []).extend(times)
                    results[(is_ours, "wcs rss")] = max(
                        results.get((is_ours, "wcs rss"), 0), rss.peak
                    )

    table.add(
        "idle worker RSS (after GetCapabilities)",
        "-",
        f"{results[(True, 'idle rss')] / 2**20:.0f} MB",
        "-",
        f"MapServer {results[(False, 'idle rss')] / 2**20:.0f} MB",
    )
    for label in ("GML 3.2", "GeoJSON"):
        times, size, peak = results[(True, label)]
        peer_times, peer_size, peer_peak = results[(False, label)]
        rate = FEATURES / statistics.median(times)
        table.add(
            f"GetFeature {label}",
            f"{FEATURES} features, {size / 1e6:.0f} MB",
            *median_p95(times),
            f"{statistics.median(peer_times):.2f} s ({peer_size / 1e6:.0f} MB)",
            ratio(peer_times, times),
        )
        table.add(
            f"  {label}: features/s, peak worker RSS",
            f"{rate:,.0f}/s",
            f"{peak / 2**20:.0f} MB",
            "-",
            f"MapServer {peer_peak / 2**20:.0f} MB",
        )
    ours_filter, peer_filter = results[(True, "filter")], results[(False, "filter")]
    table.add(
        f"BBOX + {field} > median filter",
        f"{len(boxes)} boxes",
        *median_p95(ours_filter),
        median_p95(peer_filter)[0],
        ratio(peer_filter, ours_filter),
    )
    table.add(
        "WCS GetCoverage 2048x2048 to EPSG:4490",
        str(args.repeat * 3),
        *median_p95(results[(True, "wcs")]),
        median_p95(results[(False, "wcs")])[0],
        ratio(results[(False, "wcs")], results[(True, "wcs")]),
    )
    table.add(
        "  WCS: peak worker RSS",
        "-",
        f"{results[(True, 'wcs rss')] / 2**20:.0f} MB",
        "-",
        f"MapServer {results[(False, 'wcs rss')] / 2**20:.0f} MB",
    )
    table.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
