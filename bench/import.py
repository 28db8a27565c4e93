"""Import the demo city with geoshare's importer, and the same files with GDAL for comparison.

    python bench/import.py --scale 1 [--repeat 3]

Prints ``what | how many | median | p95 | peer | ratio``: per layer and in total, the
import time (and features per second) of ``layers.importers.import_file``, the time of the
peer on the same file, and ratio = our features/s ÷ the peer's. The peer is
``ogr2ogr -f PostgreSQL`` (COPY, one transaction, GiST index) into a scratch schema for
vector layers, and ``gdal_translate -of COG`` with our creation options for rasters.

Layers are imported as bench_<name> and deleted afterwards; the scratch schema is dropped.
Uses the database of GEOSHARE_DATABASE_URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import arguments, django_setup  # noqa: E402

PEER_SCHEMA = "bench_peer"


def main() -> None:
    parser = arguments(__doc__, scale=1)
    parser.add_argument("--repeat", type=int, help="runs per layer (default 3, 1 above scale 2)")
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.scale <= 2 else 1)

    django_setup()
    from fixtures.demo.catalog import LAYERS
    from fixtures.demo.files import demo_files
    from fixtures.demo.load import ensure_departments

    files = demo_files(args.scale, log=lambda line: print(line, file=sys.stderr))
    departments, _ = ensure_departments()
    ours = {e.name: [] for e in LAYERS}
    peer = {e.name: [] for e in LAYERS}
    sizes = {}
    _drop_bench_layers()
    _sql(f"DROP SCHEMA IF EXISTS {PEER_SCHEMA} CASCADE; CREATE SCHEMA {PEER_SCHEMA}")
    try:
        for run in range(repeat):
            for entry in LAYERS:
                seconds, size = _ours(entry, files, departments)
                ours[entry.name].append(seconds)
                sizes[entry.name] = size
                peer[entry.name].append(_peer(entry.name, files.path(entry.name), size))
                print(f"run {run + 1}/{repeat} {entry.name}: {seconds:.2f} s, "
                      f"peer {peer[entry.name][-1]:.2f} s", file=sys.stderr)
    finally:
        _drop_bench_layers()
        _sql(f"DROP SCHEMA IF EXISTS {PEER_SCHEMA} CASCADE")
    print(_table(args.scale, repeat, LAYERS, sizes, ours, peer))


def _ours(entry, files, departments) -> tuple[float, tuple]:
    from fixtures.demo.load import import_demo_layer

    started = time.perf_counter()
    report = import_demo_layer(entry, files, departments, name=f"bench_{entry.name}")
    seconds = time.perf_counter() - started
    layer = report.layer
    if layer.is_vector:
        size = ("features", report.features)
    else:
        info = layer.raster_info
        size = ("pixels", info["width"] * info["height"], f"{info['width']}×{info['height']} px")
    layer.delete()
    return seconds, size


def _peer(name: str, path: Path, size: tuple) -> float:
    if size[0] == "features":
        command = [
            "ogr2ogr", "-f", "PostgreSQL", _pg_conninfo(), str(path), "-nln",
            f"{PEER_SCHEMA}.{name}", "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid",
            "-lco", "SPATIAL_INDEX=GIST", "-nlt", "PROMOTE_TO_MULTI", "-gt", "unlimited",
            "--config", "PG_USE_COPY", "YES",
        ]
        started = time.perf_counter()
        _run(command)
        seconds = time.perf_counter() - started
        _sql(f'DROP TABLE {PEER_SCHEMA}."{name}"')
        return seconds
    with tempfile.TemporaryDirectory() as scratch:
        predictor = "3" if name == "dem" else "2"
        command = [
            "gdal_translate", "-q", "-of", "COG", str(path), str(Path(scratch) / "out.tif"),
            "-co", "COMPRESS=DEFLATE", "-co", f"PREDICTOR={predictor}", "-co", "BLOCKSIZE=512",
            "-co", "OVERVIEWS=AUTO", "-co", "BIGTIFF=IF_SAFER", "-co", "NUM_THREADS=ALL_CPUS",
        ]
        started = time.perf_counter()
        _run(command)
        return time.perf_counter() - started


def _run(command: list[str]) -> None:
    db = _db()
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"]}
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    errors = [line for line in result.stderr.splitlines() if "user_version" not in line]
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {' '.join(errors[:3])}")


def _db() -> dict:
    from django.conf import settings

    return settings.DATABASES["default"]


def _pg_conninfo() -> str:
    db = _db()
    return (f"PG:host={db['HOST'] or 'localhost'} port={db['PORT'] or 5432} "
            f"dbname={db['NAME']} user={db['USER']}")


def _sql(statement: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement)


def _drop_bench_layers() -> None:
    from fixtures.demo.catalog import LAYERS
    from layers.models import Layer

    for layer in Layer.objects.filter(name__in=[f"bench_{e.name}" for e in LAYERS]):
        layer.delete()


def _table(scale, repeat, layers, sizes, ours, peer) -> str:
    rows = [("what", "how many", "median", "p95", "peer", "ratio")]
    for entry in layers:
        rows.append(_row(entry.name, sizes[entry.name], ours[entry.name], peer[entry.name]))
    for kind, label in (("features", "total vector"), ("pixels", "total raster")):
        names = [e.name for e in layers if sizes[e.name][0] == kind]
        count = sum(sizes[n][1] for n in names)
        size = (kind, count) if kind == "features" else (kind, count, f"{count / 1e6:.1f} Mpx")
        rows.append(_row(label, size, _sums(ours, names, repeat), _sums(peer, names, repeat)))
    names = [e.name for e in layers]
    rows.append(_row("total", ("all", 0, f"{len(names)} layers"), _sums(ours, names, repeat),
                     _sums(peer, names, repeat)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    title = (f"import of the demo city, scale {scale:g}, {repeat} run(s); "
             "peer: ogr2ogr -f PostgreSQL (vector), gdal_translate -of COG (raster)")
    return "\n".join([title, *lines])


def _sums(times: dict, names: list[str], repeat: int) -> list[float]:
    return [sum(times[n][run] for n in names) for run in range(repeat)]


def _row(label: str, size: tuple, ours: list[float], peer: list[float]) -> tuple:
    median, p95 = float(np.median(ours)), float(np.percentile(ours, 95))
    peer_median = float(np.median(peer))
    if size[0] == "features":
        how_many = f"{size[1]:,} features"
        rate = f" · {_rate(size[1] / median)}/s"
        peer_rate = f" · {_rate(size[1] / peer_median)}/s"
    else:
        how_many, rate, peer_rate = size[2], "", ""
    return (label, how_many, f"{median:.2f} s{rate}", f"{p95:.2f} s",
            f"{peer_median:.2f} s{peer_rate}", f"{peer_median / median:.2f}")


def _rate(per_second: float) -> str:
    return f"{per_second / 1000:.1f}k" if per_second >= 1000 else f"{per_second:.0f}"


if __name__ == "__main__":
    main()
