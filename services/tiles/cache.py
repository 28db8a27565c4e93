"""The tile cache: files under settings.TILE_CACHE_DIR, safe on shared storage.

A tile's key holds the layer's id and data revision and a digest of the view it shows
(the principal's cache key and the Grant's restrictions), so a change to the layer misses
at once and a restricted view is never served to anyone else. Files are written to a
temporary name in the same directory and renamed: readers on any machine see a whole
tile or none.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

__all__ = ["view_digest", "tile_path", "get_or_create"]


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
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    if new_revision:
        _drop_old_revisions(path.parents[4])
    return data, False


def _drop_old_revisions(current: Path) -> None:
    # The first tile of a new revision clears the layer's older ones; another process doing
    # the same at the same time is harmless (ignore_errors).
    for sibling in current.parent.iterdir():
        if sibling != current and sibling.name.startswith("r"):
            shutil.rmtree(sibling, ignore_errors=True)
