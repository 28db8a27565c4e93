"""Where layer data lives: PostGIS tables in the ``geodata`` schema, COG files in RASTER_DIR."""

from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import connection
from psycopg import sql

__all__ = ["SCHEMA", "table", "column", "table_exists", "drop_table", "describe_table_extent", "envelope_polygon"]

SCHEMA = "geodata"


def table(name: str) -> sql.Identifier:
    """The quoted, schema-qualified identifier of a layer table."""
    return sql.Identifier(SCHEMA, name)


def column(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def table_exists(name: str) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [f'{SCHEMA}."{name}"'])
        return cur.fetchone()[0]


def drop_table(name: str) -> None:
    with connection.cursor() as cur:
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table(name)))


def describe_table_extent(name: str, srid: int) -> tuple[list[float] | None, Polygon | None]:
    """(bbox in the native CRS, its envelope in CGCS2000) of a layer table; (None, None) if empty."""
    query = sql.SQL(
        "WITH e AS (SELECT ST_SetSRID(ST_Extent(geom)::geometry, %s) AS box FROM {}) "
        "SELECT ST_XMin(box), ST_YMin(box), ST_XMax(box), ST_YMax(box), "
        "ST_AsBinary(ST_Envelope(ST_Transform(box, 4490))) FROM e"
    ).format(table(name))
    with connection.cursor() as cur:
        cur.execute(query, [srid])
        minx, miny, maxx, maxy, wkb = cur.fetchone()
    if minx is None:
        return None, None
    return [minx, miny, maxx, maxy], envelope_polygon(GEOSGeometry(memoryview(wkb), srid=4490))


def envelope_polygon(geometry: GEOSGeometry) -> Polygon:
    """A polygon even for the degenerate extent of one point or one straight line."""
    if geometry.geom_type == "Polygon":
        return geometry
    minx, miny, maxx, maxy = geometry.extent
    pad = 1e-6
    polygon = Polygon.from_bbox((minx - pad, miny - pad, maxx + pad, maxy + pad))
    polygon.srid = geometry.srid
    return polygon
