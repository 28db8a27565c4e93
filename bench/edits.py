"""Editing: WFS-T transactions and OGC API - Features Part 4 items against plain SQL.

    .venv/bin/python bench/edits.py [--repeat 20] [--features 1000] [--port 8194]

Serves this checkout with gunicorn and, as an editor with a token, times over one
keep-alive connection: a WFS-T Insert of --features points in one Transaction, an Update and
a Delete of as many by a filter, and OGC API single-feature creates. The peer is the same
change as bare SQL on a copy of the table (psycopg, one round trip, no access policy, no
checks): the floor any server pays. A scratch layer ``bench_edits`` is made for the run and
dropped after it.
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Table, arguments, django_setup, median_p95, ms, served_geoshare  # noqa: E402

LAYER = "bench_edits"
WFS = ('xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" '
       'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:geoshare="urn:geoshare:features"')


def scratch_layer():
    """The layer (one point) and an editor's token, made afresh."""
    import shapely
    from django.contrib.auth.models import User

    from geoshare.access.models import Role, Tier
    from layers.models import Layer
    from tests.factories import department, member, vector_layer

    for old in Layer.objects.filter(name=LAYER):
        old.delete()
    User.objects.filter(username="bench_editor").delete()
    layer = vector_layer(LAYER, [shapely.Point(120.5, 31.9)], {"name": ["起点"], "n": [0], "pressure": [0.1]},
                         tier=Tier.EGOV, dept=department("bench_edit"))
    return layer, member("bench_editor", "bench_edit", Role.EDITOR)


def insert_document(start: int, count: int) -> bytes:
    features = "".join(
        f"<geoshare:{LAYER}><geoshare:name>消防栓{n}</geoshare:name><geoshare:n>{n}</geoshare:n>"
        f"<geoshare:pressure>0.3</geoshare:pressure><geoshare:geom><gml:Point srsName=\"urn:ogc:def:crs:EPSG::4490\">"
        f"<gml:pos>{lon_lat(n)[1]} {lon_lat(n)[0]}</gml:pos></gml:Point></geoshare:geom>"
        f"</geoshare:{LAYER}>"
        for n in range(start, start + count))
    return f'<wfs:Transaction service="WFS" version="2.0.0" {WFS}><wfs:Insert>{features}</wfs:Insert></wfs:Transaction>'.encode()


def filtered(action: str, low: int, high: int, body: str = "") -> bytes:
    between = (f"<fes:Filter><fes:PropertyIsBetween><fes:ValueReference>n</fes:ValueReference>"
               f"<fes:LowerBoundary><fes:Literal>{low}</fes:Literal></fes:LowerBoundary><fes:UpperBoundary>"
               f"<fes:Literal>{high}</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween></fes:Filter>")
    return (f'<wfs:Transaction service="WFS" version="2.0.0" {WFS}><wfs:{action} typeName="geoshare:{LAYER}">'
            f"{body}{between}</wfs:{action}></wfs:Transaction>").encode()


def post(connection, path: str, body: bytes, token: str, expect: int,
         content_type: str = "application/xml") -> float:
    start = time.perf_counter()
    connection.request("POST", path, body=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": content_type})
    response = connection.getresponse()
    answer = response.read()
    elapsed = time.perf_counter() - start
    if response.status != expect:
        raise RuntimeError(f"POST {path} answered {response.status}: {answer[:500]!r}")
    return elapsed


class BareSql:
    """The same changes on a copy of the table, as plain statements, each in one transaction."""

    def __init__(self, table: str):
        from django.db import connection

        self.cursor = connection.cursor()
        self.table = f"geodata.{table}_peer"
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        self.cursor.execute(f"CREATE TABLE {self.table} (LIKE geodata.{table} INCLUDING ALL)")

    def timed(self, statement: str, rows: list[tuple]) -> float:
        from django.db import transaction

        start = time.perf_counter()
        with transaction.atomic():
            self.cursor.executemany(statement, rows)
        return time.perf_counter() - start

    def insert(self, numbers) -> float:
        return self.timed(f"INSERT INTO {self.table} (name, n, pressure, geom) "
                          "VALUES (%s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4490))",
                          [(f"消防栓{n}", n, 0.3, *lon_lat(n)) for n in numbers])

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


def lon_lat(n: int) -> tuple[float, float]:
    return 120.4 + n // 100 * 0.002, 31.8 + n % 100 * 0.002


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--features", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8194)
    args = parser.parse_args()
    django_setup()

    layer, token = scratch_layer()
    count = args.features
    bare = BareSql(layer.table_name)
    ours: dict[str, list[float]] = {"insert": [], "update": [], "delete": [], "create": []}
    peer: dict[str, list[float]] = {key: [] for key in ours}
    update = ("<wfs:Property><wfs:ValueReference>pressure</wfs:ValueReference>"
              "<wfs:Value>0.5</wfs:Value></wfs:Property>")
    feature = json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.5, 31.9]},
                          "properties": {"name": "新栓", "n": -1, "pressure": 0.2}}).encode()
    try:
        with served_geoshare(args.port, workers=2) as server:
            host = urlsplit(server.url)
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
            for run in range(args.repeat):
                low, high = 1 + run * count, (run + 1) * count
                between = (low, high)
                ours["insert"].append(post(connection, "/ows", insert_document(low, count), token, 200))
                peer["insert"].append(bare.insert(range(low, high + 1)))
                ours["update"].append(post(connection, "/ows", filtered("Update", *between, update), token, 200))
                peer["update"].append(bare.timed(
                    f"UPDATE {bare.table} SET pressure = 0.5 WHERE n BETWEEN %s AND %s", [between]))
                ours["create"].append(post(connection, f"/ogcapi/collections/{LAYER}/items", feature, token, 201,
                                           "application/geo+json"))
                peer["create"].append(bare.timed(
                    f"INSERT INTO {bare.table} (name, n, pressure, geom) "
                    "VALUES (%s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4490))", [("新栓", -1, 0.2, 120.5, 31.9)]))
                ours["delete"].append(post(connection, "/ows", filtered("Delete", *between), token, 200))
                peer["delete"].append(bare.timed(f"DELETE FROM {bare.table} WHERE n BETWEEN %s AND %s", [between]))
    finally:
        bare.drop()
        layer.delete()
    table = Table(f"editing a point layer ({args.repeat} runs each, one connection, as an editor)")
    labels = {
        "insert": (f"WFS-T Insert, {count:,} points in one Transaction", count),
        "update": (f"WFS-T Update of {count:,} features by a filter", count),
        "delete": (f"WFS-T Delete of {count:,} features by a filter", count),
        "create": ("OGC API POST /items, one feature", 1),
    }
    for key, (label, features) in labels.items():
        mine, theirs = statistics.median(ours[key]), statistics.median(peer[key])
        table.add(label, f"{args.repeat} ({features / mine:,.0f} features/s)", *median_p95(ours[key]),
                  f"bare SQL {ms(theirs)}", f"{theirs / mine:.2f}×")
    table.print()


if __name__ == "__main__":
    main()
