"""The tile cache: files under settings.TILE_CACHE_DIR, safe on shared storage.

Two kinds of tiles live there, each under its own directory:

- ``mvt/`` vector tiles (OGC API - Tiles): ``tile_path`` + ``get_or_create``, one tile at a
  time. A tile's key holds the layer's id and data revision and a digest of the view it
  shows (the principal's cache key and the Grant's restrictions).
- ``map/`` rendered map tiles (WMTS, OGC API map tiles): ``TileKey`` + ``read``/``write``,
  written a metatile at a time under ``metatile_lock``. Layout
  ``map/<target>/<style>/<tms>/<view>/<z>/<row>/<col>.<ext>``, where ``view`` is
  ``Target.view_key(principal)``: the principal's cache key, a digest of the grant
  restrictions it sees the members on, and the catalog revision of data and styles.

Either way a change to the data misses at once, a restricted view is never served to
anyone else, and files are written to a temporary name in the same directory and renamed:
readers on any machine see a whole tile or none. Locks are flock()s on files beside the
tiles, so processes sharing the directory render each metatile once; nothing lives in
process memory.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

__all__ = [
    "view_digest", "tile_path", "get_or_create", "TileKey", "read", "write", "metatile_lock",
    "truncate", "prune", "root",
]


def view_digest(principal, grant) -> str:
    """What a tile shows depends on these: the principal's view and the grant's restrictions."""
    return hashlib.sha256(f"{principal.cache_key}\n{grant.cache_key}".encode()).hexdigest()[:20]


def _layer_dir(kind: str, layer) -> Path:
    # The creation time tells apart a layer deleted and made again under the same id (a
    # database restored or rebuilt) so its new tiles never meet the old ones.
    return settings.TILE_CACHE_DIR / kind / f"{layer.name}-{layer.pk}-{int(layer.created.timestamp())}"


def tile_path(kind: str, layer, view: str, tms: str, z: int, col: int, row: int, ext: str) -> Path:
    return (_layer_dir(kind, layer) / f"r{layer.data_revision}" / view / tms / str(z) / str(col)
            / f"{row}.{ext}")


def get_or_create(path: Path, make: Callable[[], bytes]) -> tuple[bytes, bool]:
    """(bytes, hit): the cached tile, or ``make()`` stored atomically first."""
    try:
        return path.read_bytes(), True
    except FileNotFoundError:
        pass
    data = make()
    new_revision = not path.parents[4].exists()
    _write_atomic(path, data)
    if new_revision:
        _drop_old_revisions(path.parents[4])
    return data, False


def _drop_old_revisions(current: Path) -> None:
    # The first tile of a new revision clears the layer's older ones; another process doing
    # the same at the same time is harmless (ignore_errors).
    for sibling in current.parent.iterdir():
        if sibling != current and sibling.name.startswith("r"):
            shutil.rmtree(sibling, ignore_errors=True)


@dataclass(frozen=True)
class TileKey:
    target: str  # layer or group name
    style: str
    tms: str
    view: str
    z: int
    row: int
    col: int
    extension: str

    @property
    def relative_path(self) -> Path:
        return Path(self.target, self.style, self.tms, self.view, str(self.z), str(self.row),
                    f"{self.col}.{self.extension}")

    @property
    def etag(self) -> str:
        return f'"{self.view}-{self.z}-{self.row}-{self.col}-{self.extension}"'


def root() -> Path:
    """Where map tiles live."""
    return Path(settings.TILE_CACHE_DIR) / "map"


def read(key: TileKey) -> bytes | None:
    try:
        return (root() / key.relative_path).read_bytes()
    except FileNotFoundError:
        return None


def write(key: TileKey, data: bytes) -> None:
    _write_atomic(root() / key.relative_path, data)


@contextmanager
def metatile_lock(key: TileKey, size: int) -> Iterator[None]:
    """Held while the metatile holding ``key`` renders; other processes wait, then read."""
    directory = root() / key.relative_path.parent.parent / ".locks"
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{key.row - key.row % size}-{key.col - key.col % size}.lock"
    with open(directory / name, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def truncate(target: str | None = None, style: str | None = None, tms: str | None = None,
             zooms: range | None = None) -> int:
    """Delete cached tiles: all, or those of one target (style, matrix set, zoom levels).
    Returns the number of directories removed."""
    parts = [target or "*", style or "*", tms or "*"]
    if zooms is not None:
        patterns = ["/".join(parts + ["*", str(z)]) for z in zooms]
    else:
        # The deepest level named: everything below it goes.
        named = max((n for n, value in enumerate((target, style, tms)) if value), default=-1)
        patterns = ["/".join(parts[:named + 1]) if named >= 0 else "*"]
    removed = 0
    for pattern in patterns:
        for path in root().glob(pattern):
            if path.is_dir() and not any(p.startswith(".") for p in path.relative_to(root()).parts):
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
    return removed


def prune(current: dict[tuple[str, str], str]) -> int:
    """Delete views whose catalog revision is no longer current.

    ``current`` maps (target, style) to its revision digest (the last part of a view key);
    targets and styles not listed are removed whole. Returns the directories removed.
    """
    base = root()
    removed = 0
    for target in _dirs(base):
        for style in _dirs(target):
            revision = current.get((target.name, style.name))
            if revision is None:
                shutil.rmtree(style, ignore_errors=True)
                removed += 1
                continue
            for tms in _dirs(style):
                for view in _dirs(tms):
                    if view.name.rsplit("-", 1)[-1] != revision:
                        shutil.rmtree(view, ignore_errors=True)
                        removed += 1
    return removed


def _dirs(path: Path) -> list[Path]:
    return [p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")] if path.is_dir() else []


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
