"""Web map benchmark: first load to first map render, bytes and requests, in Chromium.

    .venv/bin/python bench/webmap.py [--port 8105] [--runs 7] [--scale 10]

Serves this checkout with gunicorn (static files through WhiteNoise, gzipped at collectstatic
time, as ``./platform up`` does) and opens /map/ in Debian's Chromium through Playwright.
"First render" is the first ``rendercomplete`` of the OpenLayers map, i.e. every tile of
the default view loaded and drawn (``window.__firstRender``, ms since navigation start).
Byte counts come from the Chrome DevTools Protocol: "transferred" is what crossed the wire
(gzip where the server compressed), "raw" the decoded bodies. A cold run uses a fresh
browser context (empty cache); the peer column is the same page reloaded with a warm cache.
Needs the demo city (``manage.py load_demo``; run once with --scale) and the built bundle.
"""

from __future__ import annotations

import gzip
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    ROOT,
    VENV_BIN,
    WORKERS,
    Table,
    arguments,
    django_setup,
    ensure_demo,
    ms,
    percentile,
    served_geoshare,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class Load:
    first_render: float  # seconds since navigation start
    requests: int = 0
    transferred: int = 0
    raw: int = 0
    js_transferred: int = 0
    js_raw: int = 0
    hosts: set = field(default_factory=set)


def load(context, url: str) -> Load:
    """Open ``url`` in ``context`` and wait for the first map render; count what was fetched."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    responses: dict[str, dict] = {}
    finished: dict[str, int] = {}
    cdp.on("Network.responseReceived", lambda e: responses.__setitem__(e["requestId"], e["response"]))
    cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]))
    raw_sizes: dict[str, int] = {}
    cdp.on("Network.dataReceived", lambda e: raw_sizes.__setitem__(
        e["requestId"], raw_sizes.get(e["requestId"], 0) + e["dataLength"]))
    page.goto(url)
    page.wait_for_function("window.__firstRender !== undefined", timeout=60_000)
    first_render = page.evaluate("window.__firstRender") / 1000
    page.wait_for_load_state("networkidle")
    result = Load(first_render)
    for request_id, response in responses.items():
        if request_id not in finished:
            continue
        result.requests += 1
        result.transferred += finished[request_id]
        result.raw += raw_sizes.get(request_id, 0)
        result.hosts.add(response["url"].split("/")[2])
        if response["mimeType"] in ("application/javascript", "text/javascript"):
            result.js_transferred += finished[request_id]
            result.js_raw += raw_sizes.get(request_id, 0)
    page.close()
    return result


def warm_up(base: str, workers: int) -> None:
    """Make every gunicorn worker import the application before anything is timed."""
    def fetch(path: str) -> None:
        with urllib.request.urlopen(base + path, timeout=120) as response:
            response.read()

    with ThreadPoolExecutor(workers * 4) as pool:
        list(pool.map(fetch, ["/map/", "/api/catalog/layers/"] * workers * 4))


def bundle_sizes() -> tuple[int, int]:
    """Raw and gzip bytes of every JavaScript file the build made (lazy chunks included)."""
    raw = zipped = 0
    for path in (ROOT / "web" / "dist" / "webmap" / "assets").glob("*.js"):
        data = path.read_bytes()
        raw += len(data)
        zipped += len(gzip.compress(data, 9))
    return raw, zipped


def kb(n: float) -> str:
    return f"{n / 1024:.0f} KiB"


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not (ROOT / "web" / "dist" / "webmap" / "manifest.json").exists():
        print("web/dist is missing: run ./platform setup (it builds the web map)")
        return 1
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            print(f"port {args.port} is taken: stop that server or pass --port")
            return 1
    django_setup()
    ensure_demo(args.scale)

    from playwright.sync_api import sync_playwright

    static_root = tempfile.mkdtemp(prefix="geoshare-bench-static-")
    env = {"GEOSHARE_STATIC_ROOT": static_root}
    subprocess.run([str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env={**os.environ, **env}, check=True)
    cold: list[Load] = []
    warm: list[Load] = []
    with served_geoshare(args.port, workers=WORKERS, env=env) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        url = f"{server.url}/map/"
        warm_up(server.url, WORKERS)
        load(browser.new_context(viewport=VIEWPORT), url)  # fills the tile cache
        for _ in range(args.runs):
            context = browser.new_context(viewport=VIEWPORT)
            cold.append(load(context, url))
            warm.append(load(context, url))
            context.close()
        browser.close()
    foreign = set().union(*(r.hosts for r in cold + warm)) - {f"127.0.0.1:{args.port}"}

    table = Table(f"web map /map/, {args.runs} cold loads (peer: the same page, warm cache)")

    def row(what: str, values, warm_values, fmt) -> None:
        median, p95 = statistics.median(values), percentile(values, 95)
        peer = statistics.median(warm_values)
        table.add(what, str(len(values)), fmt(median), fmt(p95), fmt(peer),
                  f"{median / peer:.1f}x" if peer else "-")

    row("first map render", [r.first_render for r in cold], [r.first_render for r in warm], ms)
    row("requests", [r.requests for r in cold], [r.requests for r in warm], lambda n: f"{n:.0f}")
    row("bytes transferred", [r.transferred for r in cold], [r.transferred for r in warm], kb)
    row("bytes decoded (raw)", [r.raw for r in cold], [r.raw for r in warm], kb)
    row("JavaScript transferred (gzip)", [r.js_transferred for r in cold],
        [r.js_transferred for r in warm], kb)
    row("JavaScript decoded (raw)", [r.js_raw for r in cold], [r.js_raw for r in warm], kb)
    raw, zipped = bundle_sizes()
    table.add("whole bundle incl. lazy print/PDF chunks, raw / gzip -9", "1", kb(raw), kb(zipped))
    table.print()
    if foreign:
        print(f"requests left the platform: {sorted(foreign)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
