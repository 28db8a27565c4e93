"""Map tiles (WMTS, OGC API - Tiles map tiles) from the disk cache or rendered as metatiles.

A miss renders the whole metatile around the tile (GEOSHARE_TILE_METATILE² tiles, with a
GEOSHARE_TILE_BUFFER-pixel margin) in one Mapnik pass, so labels are placed once and
continue across tile edges, and stores every tile of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from geoshare.geo import BBox
from services.render import mapnik_
from services.render.formats import ImageFormat
from services.render.inimage import blank_image
from services.render.maps import MapRequest, render_image
from services.render.targets import Target
from services.tiles import cache, tms as tile_matrix_sets
from services.tiles.tms import TileIndex

__all__ = ["Tile", "get_tile", "render_metatile", "metatiles", "tms_epsg"]


@dataclass(frozen=True)
class Tile:
    data: bytes
    etag: str
    cached: bool  # False: rendered by this request (or empty, outside every layer)


def tms_epsg(tms) -> int:
    return tms.crs._pyproj_crs.to_epsg()


def _key(target: Target, principal, index: TileIndex, image_format: ImageFormat) -> cache.TileKey:
    return cache.TileKey(target.name, target.style, index.tms, target.view_key(principal),
                         index.z, index.row, index.col, image_format.extension)


def get_tile(target: Target, principal, index: TileIndex, image_format: ImageFormat) -> Tile:
    """The tile at ``index`` (checked beforehand with tms.check_index) for ``principal``."""
    key = _key(target, principal, index, image_format)
    data = cache.read(key)
    if data is not None:
        return Tile(data, key.etag, True)
    if not _touches(target, index):
        return Tile(_empty(image_format, index), key.etag, False)
    size = settings.GEOSHARE_TILE_METATILE
    with cache.metatile_lock(key, size):
        data = cache.read(key)  # another process may have rendered it meanwhile
        if data is not None:
            return Tile(data, key.etag, True)
        tiles = render_metatile(target, principal, index, image_format)
    return Tile(tiles[(index.row, index.col)], key.etag, False)


def render_metatile(target: Target, principal, index: TileIndex,
                    image_format: ImageFormat) -> dict[tuple[int, int], bytes]:
    """Render and store the metatile holding ``index``; returns its tiles by (row, col)."""
    tms = tile_matrix_sets.get(index.tms)
    matrix = tms.matrix(index.z)
    row0, col0, rows, cols = _metatile(index)
    top_left = tms.xy_bounds(col0, row0, index.z)
    bottom_right = tms.xy_bounds(col0 + cols - 1, row0 + rows - 1, index.z)
    bbox = BBox(top_left.left, bottom_right.bottom, bottom_right.right, top_left.top, tms_epsg(tms))
    width, height = matrix.tileWidth, matrix.tileHeight
    image = render_image(MapRequest(
        target.layers, bbox, cols * width, rows * height, image_format, transparent=True,
        buffer=settings.GEOSHARE_TILE_BUFFER,
    ))
    tiles = {}
    for r in range(rows):
        for c in range(cols):
            view = image.view(c * width, r * height, width, height)
            data = mapnik_.encode(view, image_format.cached_encoder)
            tile_index = TileIndex(index.tms, index.z, row0 + r, col0 + c)
            cache.write(_key(target, principal, tile_index, image_format), data)
            tiles[(row0 + r, col0 + c)] = data
    return tiles


def metatiles(target: Target, tms_id: str, zooms, bbox_4490: BBox | None = None) -> Iterator[TileIndex]:
    """The top-left tile of every metatile covering the target's extent (∩ ``bbox_4490``)."""
    tms = tile_matrix_sets.get(tms_id)
    extent = target.extent_4490
    if extent is None:
        return
    if bbox_4490 is not None:
        extent = BBox(max(extent.minx, bbox_4490.minx), max(extent.miny, bbox_4490.miny),
                      min(extent.maxx, bbox_4490.maxx), min(extent.maxy, bbox_4490.maxy), 4490)
        if extent.minx >= extent.maxx or extent.miny >= extent.maxy:
            return
    size = settings.GEOSHARE_TILE_METATILE
    for z in zooms:
        seen = set()
        for tile in tms.tiles(extent.minx, extent.miny, extent.maxx, extent.maxy, [z]):
            corner = (tile.y - tile.y % size, tile.x - tile.x % size)
            if corner not in seen:
                seen.add(corner)
                yield TileIndex(tms_id, z, *corner)


def _metatile(index: TileIndex) -> tuple[int, int, int, int]:
    """(first row, first column, rows, columns) of the metatile holding ``index``."""
    matrix = tile_matrix_sets.get(index.tms).matrix(index.z)
    size = settings.GEOSHARE_TILE_METATILE
    row0, col0 = index.row - index.row % size, index.col - index.col % size
    return row0, col0, min(size, matrix.matrixHeight - row0), min(size, matrix.matrixWidth - col0)


def _touches(target: Target, index: TileIndex) -> bool:
    """Whether the metatile holding ``index`` meets any layer's extent (else: nothing to draw,
    and its tiles can never carry a label from a neighbour either)."""
    extent = target.extent_4490
    if extent is None:
        return False
    tms = tile_matrix_sets.get(index.tms)
    row0, col0, rows, cols = _metatile(index)
    top_left = tms.bounds(col0, row0, index.z)  # lon/lat
    bottom_right = tms.bounds(col0 + cols - 1, row0 + rows - 1, index.z)
    return not (bottom_right.right < extent.minx or top_left.left > extent.maxx
                or top_left.top < extent.miny or bottom_right.bottom > extent.maxy)


def _empty(image_format: ImageFormat, index: TileIndex) -> bytes:
    matrix = tile_matrix_sets.get(index.tms).matrix(index.z)
    return blank_image(matrix.tileWidth, matrix.tileHeight, image_format, True, "#ffffff")
