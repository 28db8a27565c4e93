"""The tile matrix sets geoshare serves, as OGC 2D-TMS JSON files behind one registry.

WMTS, OGC API - Tiles, the tile cache and the web map all read the grids from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import morecantile

from geoshare.errors import InvalidParameterError

__all__ = ["TileIndex", "get", "ids", "all_sets", "check_index"]

_DIR = Path(__file__).resolve().parent
_FILES = ("WebMercatorQuad.json", "CGCS2000Quad.json")


@dataclass(frozen=True)
class TileIndex:
    tms: str
    z: int
    row: int  # y, counted from the top
    col: int  # x, counted from the left


@cache
def _registry() -> dict[str, morecantile.TileMatrixSet]:
    sets = {}
    for name in _FILES:
        data = json.loads((_DIR / name).read_text())
        sets[data["id"]] = morecantile.TileMatrixSet.model_validate(data)
    return sets


def ids() -> list[str]:
    return list(_registry())


def all_sets() -> list[morecantile.TileMatrixSet]:
    return list(_registry().values())


def get(tms_id: str, locator: str = "TileMatrixSet") -> morecantile.TileMatrixSet:
    """The tile matrix set named ``tms_id``; InvalidParameterError naming the known ones."""
    try:
        return _registry()[tms_id]
    except KeyError:
        raise InvalidParameterError(
            f"{locator} {tms_id!r} is unknown; use one of {', '.join(ids())}", locator
        ) from None


def check_index(index: TileIndex) -> morecantile.Tile:
    """The morecantile tile for ``index``; InvalidParameterError when it lies outside the set."""
    tms = get(index.tms)
    if not 0 <= index.z <= tms.maxzoom:
        raise InvalidParameterError(
            f"TileMatrix {index.z} is outside {index.tms} (0 to {tms.maxzoom})", "TileMatrix"
        )
    matrix = tms.matrix(index.z)
    if not 0 <= index.row < matrix.matrixHeight:
        raise InvalidParameterError(
            f"TileRow {index.row} is outside 0 to {matrix.matrixHeight - 1}", "TileRow"
        )
    if not 0 <= index.col < matrix.matrixWidth:
        raise InvalidParameterError(
            f"TileCol {index.col} is outside 0 to {matrix.matrixWidth - 1}", "TileCol"
        )
    return morecantile.Tile(index.col, index.row, index.z)
