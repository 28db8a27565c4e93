"""Geocoding speed on the demo city: forward, suggest, reverse and batch, in-process and HTTP.

    manage.py load_demo --scale 10          # once: ~920,000 address points, gazetteer built
    python bench/geocoding.py [--queries 400] [--port 8104] [--no-http]

No open geocoder reads Chinese addresses, so the peer is a naive one on the same
gazetteer: the entry whose whole standard address is most similar to the query by
pg_trgm (a GiST index on the address, made here if missing). Targets: forward p95
≤ 30 ms, suggest p95 ≤ 15 ms, reverse p95 ≤ 10 ms, batch ≥ 2,000 addresses/s on 2 cores.
HTTP goes to gunicorn on --port with anonymous rate limits off.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    Table,
    arguments,
    django_setup,
    ensure_demo,
    median_p95,
    percentile,
    served_geoshare,
)

_PREFIXES = ("", "江苏省苏州市", "江苏省苏州市张家港市", "苏州市", "张家港")
_DIGITS = "零一二三四五六七八九"


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--queries", type=int, default=400, help="timed single requests")
    parser.add_argument("--batch", type=int, default=20_000, help="addresses for throughput")
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--no-http", action="store_true", help="in-process only")
    options = parser.parse_args()
    django_setup()
    ensure_demo(options.scale)
    from services.geocoding.models import Entry

    rng = random.Random(9)
    houses = Entry.objects.filter(level=9).count()
    workload = Workload(rng, options.queries, options.batch)
    table = Table(
        f"geocoding on the demo city ({houses:,} house numbers, "
        f"{Entry.objects.count():,} entries; {os.cpu_count()} cores)"
    )
    in_process(table, workload)
    if not options.no_http:
        over_http(table, workload, options.port)
    table.print()


class Workload:
    """Queries written from the gazetteer, the same for every measurement."""

    def __init__(self, rng: random.Random, count: int, batch: int):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(
                "SELECT address FROM geocoding_entry TABLESAMPLE SYSTEM (5) "
                "WHERE level IN (9, 10, 11, 7) LIMIT %s",
                [max(count, batch)],
            )
            addresses = [row[0] for row in cur.fetchall()]
            cur.execute(
                "SELECT key, initials FROM geocoding_name WHERE form = 0 AND level IN (4, 6, 7, 8) "
                "ORDER BY random() LIMIT %s",
                [count],
            )
            names = cur.fetchall()
            cur.execute(
                "SELECT ST_X(point), ST_Y(point) FROM geocoding_entry TABLESAMPLE SYSTEM (5) "
                "WHERE level = 9 LIMIT %s",
                [count],
            )
            points = cur.fetchall()
        rng.shuffle(addresses)
        written = [_as_written(a, rng) for a in addresses]
        self.forward = written[:count]
        self.batch = written[:batch]
        self.suggest = [
            (
                key[: rng.randint(1, min(4, len(key)))]
                if rng.random() < 0.6
                else initials[: rng.randint(2, max(2, min(5, len(initials))))]
            )
            for key, initials in names
        ]
        # A few metres off a house, as a tap on a map is.
        self.reverse = [
            (x + rng.uniform(-2e-4, 2e-4), y + rng.uniform(-2e-4, 2e-4)) for x, y in points
        ]


def _as_written(address: str, rng: random.Random) -> str:
    body = address.removeprefix("江苏省苏州市张家港市")
    text = rng.choice(_PREFIXES) + body
    if rng.random() < 0.2 and text.endswith("号"):
        text = text[:-1]
    number = re.search(r"[0-9]+(?=号)", text)
    if number and rng.random() < 0.1:  # 一零八号, as registers dictated by phone have it
        digits = "".join(_DIGITS[int(d)] for d in number.group())
        text = text[: number.start()] + digits + text[number.end() :]
    return text


def in_process(table: Table, work: Workload) -> None:
    from geoshare.access.policy import Principal
    from services.geocoding.matcher import geocode
    from services.geocoding.reverse import reverse
    from services.geocoding.scope import scope_for
    from services.geocoding.suggest import suggest

    anonymous = Principal.anonymous()
    geocode(["杨舍镇人民中路88号"], scope_for(anonymous))  # parser built and cached
    ensure_naive_index()
    forward = _each(work.forward, lambda q: geocode([q], scope_for(anonymous), limit=5))
    naive = _each(work.forward[:100], naive_geocode)
    table.add(
        "search, in-process (scope + parse + match)",
        str(len(forward)),
        *median_p95(forward),
        f"{median_p95(naive)[1]} p95 naive trigram",
        f"{percentile(naive, 95) / percentile(forward, 95):.1f}x",
    )
    times = _each(work.suggest, lambda q: suggest(q, scope_for(anonymous)))
    table.add("suggest, in-process", str(len(times)), *median_p95(times))
    times = _each(work.reverse, lambda p: reverse(p[0], p[1], scope_for(anonymous)))
    table.add("reverse, in-process", str(len(times)), *median_p95(times))
    ours = _throughput_in_processes(work.batch, 1)
    baseline_sample = work.batch[:300]
    started = time.perf_counter()
    for text in baseline_sample:
        naive_geocode(text)
    naive_rate = len(baseline_sample) / (time.perf_counter() - started)
    table.add(
        "batch, in-process, 1 process",
        str(len(work.batch)),
        f"{ours:,.0f} addr/s",
        "-",
        f"{naive_rate:,.0f} addr/s naive",
        f"{ours / naive_rate:.0f}x",
    )
    both = _throughput_in_processes(work.batch, 2)
    table.add(
        "batch, in-process, 2 processes",
        str(len(work.batch)),
        f"{both:,.0f} addr/s",
        "-",
        f"{naive_rate:,.0f} addr/s naive",
        f"{both / naive_rate:.0f}x",
    )


def ensure_naive_index() -> None:
    """The peer's index: GiST trigrams on the whole address (made by the benches only)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE INDEX IF NOT EXISTS bench_entry_address_trgm "
            "ON geocoding_entry USING gist (address gist_trgm_ops)"
        )


def naive_geocode(text: str):
    """The peer: the entry whose whole address is nearest to the text in trigram distance."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, address FROM geocoding_entry ORDER BY address <-> %s LIMIT 1", [text]
        )
        return cur.fetchone()


def _each(items, call) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        call(item)
        times.append(time.perf_counter() - started)
    return times


def _throughput_in_processes(texts: list[str], processes: int) -> float:
    parts = [texts[n::processes] for n in range(processes)]
    context = multiprocessing.get_context("fork")
    from django.db import connections

    connections.close_all()  # each child opens its own
    started = time.perf_counter()
    with context.Pool(processes) as pool:
        done = sum(pool.map(_geocode_part, parts))
    return done / (time.perf_counter() - started)


def _geocode_part(texts: list[str]) -> int:
    from geoshare.access.policy import Principal
    from services.geocoding.matcher import geocode
    from services.geocoding.scope import scope_for

    scope = scope_for(Principal.anonymous())
    for start in range(0, len(texts), 1000):
        geocode(texts[start : start + 1000], scope, limit=1)
    return len(texts)


def over_http(table: Table, work: Workload, port: int) -> None:
    os.environ["GEOSHARE_RATE_LIMITS"] = ""  # the bench is a load generator, not an abuser
    with served_geoshare(port=port) as server:  # as many workers as ./platform up
        base = server.url + "/api/geocoding/"
        _get(base, {})
        floor = _each(range(200), lambda _: _get(base, {}))
        table.add("HTTP floor: GET /api/geocoding/ (no look-up)", str(len(floor)), *median_p95(floor))
        for path, items, make in (
            ("search", work.forward, lambda q: {"q": q}),
            ("suggest", work.suggest, lambda q: {"q": q}),
            ("reverse", work.reverse, lambda p: {"lon": p[0], "lat": p[1]}),
        ):
            _get(base + path, make(items[0]))  # each worker warms up on first use
            for item in items[:20]:
                _get(base + path, make(item))
            times = _each(items, lambda item: _get(base + path, make(item)))
            table.add(f"{path}, HTTP (gunicorn, one client)", str(len(times)), *median_p95(times))
        chunks = [work.batch[n : n + 1000] for n in range(0, len(work.batch), 1000)]
        _post(base + "batch", {"addresses": chunks[0]})
        started = time.perf_counter()
        with ThreadPoolExecutor(2) as clients:
            answered = sum(
                clients.map(
                    lambda c: len(_post(base + "batch", {"addresses": c})["results"]), chunks
                )
            )
        rate = answered / (time.perf_counter() - started)
        table.add(
            "batch, HTTP POST /batch (1,000 each, 2 clients)", str(answered), f"{rate:,.0f} addr/s"
        )


def _get(url: str, params: dict) -> dict:
    with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params), timeout=60) as r:
        return json.load(r)


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=300) as r:
        return json.load(r)


if __name__ == "__main__":
    main()
