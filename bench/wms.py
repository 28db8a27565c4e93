"""WMS and WMTS benchmark: GetMap against MapServer 8, cached tiles against a static server.

    .venv/bin/python bench/wms.py [--scale 10] [--port 8102] [--seconds 10]

Reads the demo city in the database GEOSHARE_DATABASE_URL names (``manage.py load_demo
--scale 10`` once; loaded here if missing). GetMap draws water, buildings and roads (with
their Chinese names) in the style ``bench``, which this script gives both servers: the
same rules, colours, widths, labels and scale limits, as Mapnik XML for geoshare and as
mapfile CLASSes for MapServer (bench/peers/mapserver.py), served by gunicorn with as many
workers as geoshare (one request at a time per worker, see --threads). Every worker is
warmed first; load comes from wrk at 2 and 8 concurrent clients.

Cached WMTS tiles are compared with the same tile file served by Python's http.server.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    WORKERS,
    Table,
    arguments,
    django_setup,
    ensure_demo,
    served,
    served_geoshare,
    wrk,
)

LAYERS = ("water", "buildings", "roads")
# (name, scale denominator, width, height); centred on the city government (Yangshe).
SCALES = (("city", 250_000), ("district", 25_000), ("street", 3_000))
SIZES = ((256, 256), (1024, 768))
PIXEL_M = 0.00028  # OGC's standard rendering pixel: scale = metres per pixel / 0.28 mm

# The bench style, twice: Mapnik XML for geoshare, CLASSes for MapServer. Keep them equal.
_ROADS = (  # road_class, casing, fill colour, widths far (> 1:50,000) and near, max scale
    ("高速公路", "#a8a8a8", "#f6b26b", (4.5, 3.0), (8.0, 6.0), None),
    ("快速路", "#a8a8a8", "#f9cb8f", (4.0, 2.5), (7.5, 5.5), 600_000),
    ("主干路", "#a8a8a8", "#ffe08a", (3.2, 2.0), (7.0, 5.0), 300_000),
    ("次干路", "#a8a8a8", "#ffffff", (2.2, 1.2), (5.0, 3.5), 80_000),
    ("支路", "#a8a8a8", "#ffffff", None, (3.5, 2.5), 40_000),
    ("巷弄", "#a8a8a8", "#ffffff", None, (2.0, 1.2), 10_000),
)
_NEAR = 50_000
_LABEL_MAX_SCALE = 40_000
_BUILDINGS_MAX_SCALE = 40_000


def _rgb(colour: str) -> str:
    return " ".join(str(int(colour[i:i + 2], 16)) for i in (1, 3, 5))


def mapnik_styles() -> dict[str, str]:
    rules = []
    for name, casing, fill, far, near, max_scale in _ROADS:
        bands = ([(far, _NEAR, max_scale)] if far else []) + [(near, None, min(max_scale or _NEAR, _NEAR))]
        for (casing_w, fill_w), low, high in bands:
            scale = (f"<MinScaleDenominator>{low}</MinScaleDenominator>" if low else "") + (
                f"<MaxScaleDenominator>{high}</MaxScaleDenominator>" if high else "")
            rules.append(
                f"<Rule><Filter>[road_class] = '{name}'</Filter>{scale}"
                f'<LineSymbolizer stroke="{casing}" stroke-width="{casing_w}" stroke-linecap="round"/>'
                f'<LineSymbolizer stroke="{fill}" stroke-width="{fill_w}" stroke-linecap="round"/></Rule>')
    labels = (
        f"<Rule><MaxScaleDenominator>{_LABEL_MAX_SCALE}</MaxScaleDenominator>"
        '<TextSymbolizer face-name="WenQuanYi Zen Hei Regular" size="12" fill="#3a3a3a" '
        'halo-fill="#ffffff" halo-radius="1.5" placement="line">[name]</TextSymbolizer></Rule>')
    return {
        "water": '<Style name="w"><Rule><PolygonSymbolizer fill="#a6cbef"/></Rule></Style>',
        "buildings": (
            f'<Style name="b"><Rule><MaxScaleDenominator>{_BUILDINGS_MAX_SCALE}</MaxScaleDenominator>'
            '<PolygonSymbolizer fill="#d9cfc3"/><LineSymbolizer stroke="#bfae9b" stroke-width="0.6"/>'
            "</Rule></Style>"),
        "roads": f'<Style name="r">{"".join(rules)}{labels}</Style>',
    }


def mapserver_classes() -> dict[str, str]:
    classes = []
    for name, casing, fill, far, near, max_scale in _ROADS:
        bands = ([(far, _NEAR, max_scale)] if far else []) + [(near, None, min(max_scale or _NEAR, _NEAR))]
        for (casing_w, fill_w), low, high in bands:
            scale = (f"MINSCALEDENOM {low} " if low else "") + (f"MAXSCALEDENOM {high} " if high else "")
            label = (
                f'LABEL FONT "wqy" SIZE 12 ANGLE FOLLOW COLOR 58 58 58 OUTLINECOLOR 255 255 255 '
                f"OUTLINEWIDTH 2 MAXSCALEDENOM {_LABEL_MAX_SCALE} END"
            )
            classes.append(
                f'CLASS EXPRESSION "{name}" {scale}'
                f"STYLE COLOR {_rgb(casing)} WIDTH {casing_w} LINECAP ROUND END "
                f"STYLE COLOR {_rgb(fill)} WIDTH {fill_w} LINECAP ROUND END {label} END")
    return {
        "water": "CLASS STYLE COLOR 166 203 239 END END",
        "buildings": (
            f"CLASS MAXSCALEDENOM {_BUILDINGS_MAX_SCALE} STYLE COLOR 217 207 195 END "
            "STYLE OUTLINECOLOR 191 174 155 WIDTH 0.6 END END"),
        "roads": 'CLASSITEM "road_class" LABELITEM "name" ' + " ".join(classes),
    }


def bbox_3857(centre_lnglat: tuple[float, float], scale: int, width: int, height: int):
    """A Web Mercator box of width × height pixels at ``scale`` (as Mapnik and MapServer
    compute it in projected units, without the latitude's scale factor)."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(4490, 3857, always_xy=True).transform(*centre_lnglat)
    half_w, half_h = width * scale * PIXEL_M / 2, height * scale * PIXEL_M / 2
    return x - half_w, y - half_h, x + half_w, y + half_h


def getmap_query(styles: str, box, width: int, height: int) -> str:
    return (
        f"SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={','.join(LAYERS)}&STYLES={styles}"
        f"&CRS=EPSG:3857&BBOX={','.join(f'{v:.2f}' for v in box)}&WIDTH={width}&HEIGHT={height}"
        "&FORMAT=image/png"
    )


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read()


def demo_layers(scale: float):
    from layers.models import Layer

    ensure_demo(scale)
    layers = list(Layer.objects.filter(name__in=LAYERS))
    return sorted(layers, key=lambda layer: LAYERS.index(layer.name))


def install_bench_style(layers) -> None:
    from services.render.stylestore import save_style

    styles = mapnik_styles()
    for layer in layers:
        current = layer.styles.filter(name="bench").first()
        if current is None or current.body != styles[layer.name]:
            save_style(layer, name="bench", title="bench", body=styles[layer.name])


@contextlib.contextmanager
def static_server(directory: Path, port: int):
    with served([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                 "--directory", str(directory)], port, "/") as server:
        yield server


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--peer-port", type=int, default=8292)
    parser.add_argument("--static-port", type=int, default=8293)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=WORKERS)
    # Above 1: threaded workers instead of gunicorn.conf.py's sync ones, to compare.
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--part", choices=("all", "getmap", "tiles"), default="all")
    args = parser.parse_args()
    # The bench measures the map server, not the per-address limits for anonymous callers.
    os.environ["GEOSHARE_RATE_LIMITS"] = ""
    django_setup()
    from django.conf import settings

    from bench.peers import mapserver
    from fixtures.demo.landmarks import CITY_GOVERNMENT

    layers = demo_layers(args.scale)
    install_bench_style(layers)
    counts = ", ".join(f"{layer.name} {layer.feature_count:,}" for layer in layers)
    table = Table(f"WMS GetMap and WMTS tiles on the demo city ({counts})")
    centre = CITY_GOVERNMENT.lnglat
    with tempfile.TemporaryDirectory() as scratch:
        mapfile = mapserver.write_mapfile(layers, Path(scratch) / "peer.map", args.peer_port,
                                          classes=mapserver_classes())
        peer_cm = (mapserver.serve(mapfile, args.peer_port, workers=args.workers)
                   if mapserver.peer_available() and args.part != "tiles" else contextlib.nullcontext(None))
        with served_geoshare(port=args.port, workers=args.workers, threads=args.threads) as geoshare, \
                peer_cm as peer:
            for scale_name, scale in SCALES if args.part != "tiles" else ():
                for width, height in SIZES:
                    box = bbox_3857(centre, scale, width, height)
                    ours = f"{geoshare.url}/ows?" + getmap_query("bench,bench,bench", box, width, height)
                    theirs = f"{peer.url}/?" + getmap_query("", box, width, height) if peer else None
                    slowest = 0.0
                    for url in (ours, theirs):  # fail early on an error; warm every worker
                        if url is None:
                            continue
                        started = time.monotonic()
                        if not fetch(url).startswith(b"\x89PNG"):
                            raise RuntimeError(f"not a PNG from {url}")
                        slowest = max(slowest, time.monotonic() - started)
                        wrk(url, args.workers, max(2, math.ceil(slowest * 2)))
                    for clients in (2, 8):
                        # Long enough for every client to finish a few slow maps.
                        seconds = max(args.seconds, math.ceil(slowest * clients * 3 / 2))
                        mine = wrk(ours, clients, seconds)
                        other = wrk(theirs, clients, seconds) if theirs else None
                        table.add(
                            f"GetMap {width}×{height} {scale_name} 1:{scale:,}, {clients} clients",
                            f"{mine.requests_per_second:.1f} req/s ({mine.requests}, {mine.errors} errors)",
                            f"{mine.p50 * 1000:.1f} ms", f"{mine.p95 * 1000:.1f} ms",
                            f"{other.requests_per_second:.1f} req/s, p95 {other.p95 * 1000:.0f} ms" if other else "-",
                            f"{mine.requests_per_second / other.requests_per_second:.2f}×" if other else "-",
                        )
            if args.part != "getmap":
                tile_table(table, geoshare, args, centre, settings)
    table.print()
    return 0


def tile_table(table: Table, geoshare, args, centre, settings) -> None:
    """A cached WMTS tile against the very same file from a static file server."""
    import morecantile

    tile = morecantile.tms.get("WebMercatorQuad").tile(*centre, 16)
    path = f"wmts/1.0.0/buildings/bench/WebMercatorQuad/16/{tile.y}/{tile.x}.png"
    url = f"{geoshare.url}/{path}"
    data = fetch(url)  # renders the metatile and caches it
    wrk(url, args.workers, 2)  # every worker warm, as for GetMap
    cached = sorted(
        (p for p in Path(settings.TILE_CACHE_DIR, "map", "buildings", "bench", "WebMercatorQuad")
         .glob(f"*/16/{tile.y}/{tile.x}.png") if p.read_bytes() == data),
        key=lambda p: p.stat().st_mtime, reverse=True)
    if not cached:
        raise RuntimeError(f"the tile of {url} is not in the cache")
    with static_server(cached[0].parents[3], args.static_port) as static:
        static_url = f"{static.url}/{cached[0].relative_to(cached[0].parents[3])}"
        for clients in (2, 8):
            mine = wrk(url, clients, args.seconds)
            other = wrk(static_url, clients, args.seconds)
            table.add(
                f"WMTS cached tile 256×256 ({len(data):,} B), {clients} clients",
                f"{mine.requests_per_second:.0f} req/s ({mine.requests}, {mine.errors} errors)",
                f"{mine.p50 * 1000:.1f} ms", f"{mine.p95 * 1000:.1f} ms",
                f"http.server {other.requests_per_second:.0f} req/s",
                f"{mine.requests_per_second / other.requests_per_second:.2f}×",
            )


if __name__ == "__main__":
    sys.exit(main())
