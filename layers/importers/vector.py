"""Load a vector reader's batches into a new PostGIS table, repairing geometries on the way."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.csv
import shapely
from django.conf import settings
from django.db import connection
from psycopg import sql

from geoshare.errors import ImportFailedError
from layers import storage
from layers.importers.base import ImportReport, ImportRequest, Progress, resolve_srid
from layers.importers.readers import CsvReader, VectorReader

__all__ = ["load_vector"]

# The column type each declared geometry type is stored as. Polygons and lines are
# promoted to their multi type because shapefiles mix the two freely.
_STORED_TYPE = {
    "Point": "Point",
    "MultiPoint": "MultiPoint",
    "LineString": "MultiLineString",
    "MultiLineString": "MultiLineString",
    "Polygon": "MultiPolygon",
    "MultiPolygon": "MultiPolygon",
}
_DIMENSION = {"Point": 0, "MultiPoint": 0, "MultiLineString": 1, "MultiPolygon": 2}
_MULTI = {
    "MultiPoint": shapely.MultiPoint,
    "MultiLineString": shapely.MultiLineString,
    "MultiPolygon": shapely.MultiPolygon,
}
_TYPE_ID = {"Point": 0, "MultiPoint": 4, "MultiLineString": 5, "MultiPolygon": 6}
_SINGLE_TYPE_ID = {"MultiPoint": 0, "MultiLineString": 1, "MultiPolygon": 3}
_MULTI_OF_SINGLE = {
    "MultiPoint": shapely.multipoints,
    "MultiLineString": shapely.multilinestrings,
    "MultiPolygon": shapely.multipolygons,
}


def load_vector(request: ImportRequest, reader: VectorReader, where: str,
                progress: Progress | None = None) -> tuple[ImportReport, dict]:
    """Create ``geodata.<name>`` and fill it. Runs inside the caller's transaction.

    Returns the report (without a layer yet) and the Layer fields this table implies.
    """
    srid = _srid_for(request, reader, where)
    stored_type = _STORED_TYPE.get(_base_type(reader.geometry_type), "Geometry")
    _create_table(request.name, reader, stored_type, srid)
    report = ImportReport(layer=None)
    batch_size = settings.GEOSHARE_IMPORT_BATCH_SIZE
    columns = [storage.column(f.name) for f in reader.fields] + [storage.column("geom")]
    # Arrow writes each batch as CSV in C++; PostgreSQL's CSV COPY reads an unquoted empty
    # field as NULL and a quoted one ("") as an empty string, which is what Arrow writes.
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        storage.table(request.name), sql.SQL(", ").join(columns)
    )
    options = pyarrow.csv.WriteOptions(include_header=False, quoting_style="needed")
    with connection.cursor() as cur, cur.cursor.copy(copy_sql) as copy:
        for batch in reader.batches(batch_size):
            ewkb = _prepare_geometries(batch.geometries, stored_type, srid, batch.first_row, report)
            table = pa.Table.from_arrays(
                [_copyable(column) for column in batch.columns] + [pa.array(ewkb, pa.string())],
                names=[f.name for f in reader.fields] + ["geom"],
            )
            sink = pa.BufferOutputStream()
            pyarrow.csv.write_csv(table, sink, options)
            copy.write(sink.getvalue().to_pybytes())
            report.features += len(batch)
            if progress:
                progress(report.features, reader.total)
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(
                sql.Identifier(f"{request.name}_geom_idx"), storage.table(request.name)
            )
        )
        cur.execute(sql.SQL("ANALYZE {}").format(storage.table(request.name)))
    native_bbox, extent = storage.describe_table_extent(request.name, srid)
    layer_fields = {
        "storage": "vector",
        "srid": srid,
        "table_name": request.name,
        "geometry_type": stored_type,
        "fields": [
            {"name": f.name, "type": f.pg_type, "title": f.source} for f in reader.fields
        ],
        "feature_count": report.features,
        "native_bbox": native_bbox,
        "extent": extent,
    }
    return report, layer_fields


def _copyable(column: pa.Array) -> pa.Array:
    """Arrow CSV writes most types as PostgreSQL reads them; binary must become \\x hex."""
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        return pa.array(
            [None if v is None else "\\x" + v.hex() for v in column.to_pylist()], pa.string()
        )
    return column


def _srid_for(request: ImportRequest, reader: VectorReader, where: str) -> int:
    if isinstance(reader, CsvReader) and reader.crs is None and request.srid is None:
        if reader.projected_hint:
            raise ImportFailedError(
                f"unknown CRS: coordinates in {where} look projected (|x| > 180); give --srs",
                "srs",
            )
        return resolve_srid(None, 4490, where)
    return resolve_srid(reader.crs, request.srid, where)


def _base_type(ogr_type: str | None) -> str:
    if not ogr_type:
        return "Unknown"
    return ogr_type.replace(" Z", "").replace(" M", "").replace("25D", "").strip()


def _create_table(name: str, reader: VectorReader, stored_type: str, srid: int) -> None:
    columns = [
        sql.SQL("{} {}").format(storage.column(f.name), sql.SQL(f.pg_type)) for f in reader.fields
    ]
    statement = sql.SQL(
        "CREATE TABLE {} (fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, {}"
        "geom geometry({}, {}))"
    ).format(
        storage.table(name),
        sql.SQL("").join(c + sql.SQL(", ") for c in columns),
        sql.SQL(stored_type),
        sql.Literal(srid),
    )
    with connection.cursor() as cur:
        cur.execute(statement)


def _prepare_geometries(geometries: np.ndarray, stored_type: str, srid: int, first_row: int,
                        report: ImportReport) -> np.ndarray:
    """Hex EWKB for COPY: 2D, valid, of the stored type; unusable ones become NULL, reported."""
    geometries = shapely.force_2d(np.asarray(geometries, dtype=object))
    present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
    invalid = present & ~shapely.is_valid(geometries)
    if invalid.any():
        geometries[invalid] = shapely.make_valid(geometries[invalid])
        report.repaired += int(invalid.sum())
    if stored_type != "Geometry":
        type_ids = shapely.get_type_id(geometries)
        single = _SINGLE_TYPE_ID.get(stored_type, -2)
        promote = present & (type_ids == single)
        if promote.any():
            geometries[promote] = _MULTI_OF_SINGLE[stored_type](
                geometries[promote], indices=np.arange(int(promote.sum()))
            )
        odd = present & ~promote & (type_ids != _TYPE_ID[stored_type])
        for i in np.flatnonzero(odd):
            geometries[i] = _coerce(geometries[i], stored_type)
        present &= ~shapely.is_missing(geometries)
    report.without_geometry.extend(int(first_row + i) for i in np.flatnonzero(~present))
    geometries[~present] = None
    return shapely.to_wkb(shapely.set_srid(geometries, srid), hex=True, include_srid=True)


def _coerce(geometry, stored_type: str):
    """``geometry`` (say, a collection from make_valid) as ``stored_type``, or None.

    Keeps only the parts of the stored type's dimension: the slivers of line that
    repairing a polygon can leave behind are dropped, the polygon kept.
    """
    parts = [
        part for part in _simple_parts(geometry)
        if shapely.get_dimensions(part) == _DIMENSION[stored_type] and not part.is_empty
    ]
    if not parts:
        return None
    if stored_type == "Point":
        return parts[0] if len(parts) == 1 else None
    return _MULTI[stored_type](parts)


def _simple_parts(geometry) -> list:
    if geometry.geom_type.startswith("Multi") or geometry.geom_type == "GeometryCollection":
        return [p for part in shapely.get_parts(geometry) for p in _simple_parts(part)]
    return [geometry]
