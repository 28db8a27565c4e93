"""The tile cache on disk, under settings.TILE_CACHE_DIR; made to live on shared storage.

Layout: ``<root>/<target>/<style>/<tms>/<view>/<z>/<row>/<col>.<ext>``, where ``view`` is
``Target.view_key(principal)``: the principal's cache key, a digest of the grant
restrictions it sees the members on, and the catalog revision of data and styles. A data or style change is a new view,
so it misses at the next request; a restricted view never reads another's tiles.

Writes go to a temporary file renamed into place (readers on any machine see a whole
tile or none). Rendering a metatile takes an flock on a lock file, so processes sharing
the directory render each metatile once. Nothing lives in process memory.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

__all__ = ["TileKey", "read", "write", "metatile_lock", "truncate", "prune", "root"]


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
    return Path(settings.TILE_CACHE_DIR)


def read(key: TileKey) -> bytes | None:
    try:
        return (root() / key.relative_path).read_bytes()
    except FileNotFoundError:
        return None


def write(key: TileKey, data: bytes) -> None:
    path = root() / key.relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
