"""Mapbox Vector Tiles of vector layers, made by PostGIS (ST_AsMVT) from what a Grant shows.

The source is ``PostGISFeatureSource.restricted_table(grant)``, so row filters, hidden
attributes and area limits apply to tiles exactly as to features. Used by OGC API - Tiles,
the web map and anything else that wants vector tiles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from psycopg import sql

from geoshare.geo import BBox
from layers.features import feature_source
from services.tiles import tms as tms_registry
from services.tiles.tms import TileIndex

__all__ = ["MVT_MEDIA_TYPE", "TileSpec", "tile_sql", "render_tile", "tms_srid"]

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


@dataclass(frozen=True)
class TileSpec:
    extent: int = 4096  # MVT grid units per tile side
    buffer: int = 64  # grid units drawn beyond the edge, so lines and labels join up


def tms_srid(tms_id: str) -> int:
    """The EPSG code of a tile matrix set's CRS (3857 for WebMercatorQuad, 4490 for CGCS2000Quad)."""
    return tms_registry.get(tms_id).crs._pyproj_crs.to_epsg()


def tile_sql(layer, grant, index: TileIndex, spec: TileSpec = TileSpec()) -> sql.Composable:
    """The one SQL statement that makes the tile: ST_AsMVT over the grant's view of the layer."""
    tile = tms_registry.check_index(index)
    tms = tms_registry.get(index.tms)
    srid = tms_srid(index.tms)
    bounds = tms.xy_bounds(tile)
    # Select in the layer's own CRS (its index), with the buffer's margin, then clip in the grid's.
    margin = (bounds.right - bounds.left) * spec.buffer / spec.extent
    select_box = BBox(bounds.left - margin, bounds.bottom - margin, bounds.right + margin,
                      bounds.top + margin, srid).transformed(layer.srid)
    source = feature_source(layer)
    envelope = sql.SQL("ST_MakeEnvelope({}, {}, {}, {}, {})")
    tile_box = envelope.format(*(sql.Literal(float(v)) for v in bounds), sql.Literal(srid))
    layer_box = envelope.format(*(sql.Literal(float(v)) for v in select_box.as_tuple()),
                                sql.Literal(layer.srid))
    columns = [sql.Identifier("t", f.name) for f in source.fields(grant)]
    geometry = sql.SQL("t.geom") if layer.srid == srid else sql.SQL("ST_Transform(t.geom, {})").format(sql.Literal(srid))
    return sql.SQL(
        "SELECT ST_AsMVT(q.*, {name}, {extent}, 'geom', 'fid') FROM ("
        "SELECT t.fid, ST_AsMVTGeom({geometry}, {tile_box}, {extent}, {buffer}, true) AS geom{columns} "
        "FROM {table} AS t WHERE t.geom && {layer_box}) AS q WHERE q.geom IS NOT NULL"
    ).format(
        name=sql.Literal(layer.name), extent=sql.Literal(spec.extent), buffer=sql.Literal(spec.buffer),
        geometry=geometry, tile_box=tile_box,
        columns=sql.SQL("").join(sql.SQL(", {}").format(c) for c in columns),
        table=source.restricted_table(grant), layer_box=layer_box,
    )


def render_tile(layer, grant, index: TileIndex, spec: TileSpec = TileSpec()) -> bytes:
    """The MVT bytes of one tile; empty bytes when no feature touches it."""
    statement = tile_sql(layer, grant, index, spec)
    with connection.cursor() as cur:
        cur.execute(statement)
        row = cur.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
