"""GetTile parameters (KVP or REST path) → a frozen value; every check lives here."""

from __future__ import annotations

from dataclasses import dataclass

from geoshare.errors import InvalidParameterError
from services.ows.kvp import Kvp
from services.render.formats import ImageFormat, by_extension, parse_format
from services.tiles import tms as tile_matrix_sets
from services.tiles.tms import TileIndex, check_index
from services.wmts.errors import TileOutOfRangeError

__all__ = ["GetTileParams", "get_tile_params", "tile_index"]


@dataclass(frozen=True)
class GetTileParams:
    layer: str
    style: str
    format: ImageFormat
    index: TileIndex


def tile_index(tms_id: str, matrix: str, row: str, col: str) -> TileIndex:
    """A checked TileIndex; TileOutOfRangeError names the coordinate that is outside."""
    tms = tile_matrix_sets.get(tms_id, "TileMatrixSet")
    values = {}
    for name, raw in (("TileMatrix", matrix), ("TileRow", row), ("TileCol", col)):
        try:
            values[name] = int(raw.strip())
        except ValueError:
            raise InvalidParameterError(f"{name} must be an integer, got {raw[:80]!r}", name) from None
    index = TileIndex(tms.id, values["TileMatrix"], values["TileRow"], values["TileCol"])
    try:
        check_index(index)
    except InvalidParameterError as e:
        raise TileOutOfRangeError(e.message, e.locator) from None
    return index


def get_tile_params(kvp: Kvp) -> GetTileParams:
    layer = kvp.required("LAYER")
    style = kvp.get("STYLE") or ""
    image_format = parse_format(kvp.required("FORMAT"), "Format")
    index = tile_index(kvp.required("TILEMATRIXSET"), kvp.required("TILEMATRIX"),
                       kvp.required("TILEROW"), kvp.required("TILECOL"))
    return GetTileParams(layer, style, image_format, index)


def rest_params(layer: str, style: str, tms_id: str, matrix: str, row: str, col: str,
                extension: str) -> GetTileParams:
    return GetTileParams(layer, style, by_extension(extension, "Format"),
                         tile_index(tms_id, matrix, row, col))
