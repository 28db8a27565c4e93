"""Zipped Shapefiles and GeoPackages: written to a scratch file in batches, then streamed.

Features go from the engine's cursor to pyogrio as Arrow record batches of ``_BATCH`` rows, so
memory stays bounded whatever the layer size. The finished file is opened, its directory
removed, and the open file handed to the response: the disk space goes when it is closed.
"""

from __future__ import annotations

import base64
import decimal
import os
import tempfile
import zipfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from layers.sources import GeometryOutput
from services.wfs.encoders.collection import Collection, Part
from services.wfs.errors import OptionNotSupportedError

__all__ = ["geometry_output", "shapefile_zip", "geopackage", "check_shapefile"]

_BATCH = 10_000
_ARROW_TYPES = {
    "text": pa.string(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "smallint": pa.int16(),
    "double precision": pa.float64(),
    "real": pa.float32(),
    "numeric": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "time": pa.time64("us"),
    "bytea": pa.string(),
}
_OGR_TYPES = {
    "Point": "Point",
    "MultiPoint": "MultiPoint",
    "MultiLineString": "MultiLineString",
    "MultiPolygon": "MultiPolygon",
}
# GBK shapefiles carry both marks: the .dbf language driver id 0x4D (code page 936), read by
# ArcGIS 9/10 without a .cpg, and a .cpg of "936", read by ArcGIS, QGIS and GDAL.
_SHAPEFILE_ENCODINGS = {"UTF-8": ("UTF-8", "UTF-8"), "GBK": ("LDID/77", "936")}


def geometry_output(srs) -> GeometryOutput:
    return GeometryOutput("wkb", srid=srs.epsg)


def check_shapefile(layer) -> None:
    """Refuse before writing anything a layer a Shapefile cannot hold."""
    if layer.geometry_type not in _OGR_TYPES:
        raise OptionNotSupportedError(
            f"layer {layer.name!r} mixes geometry types, which a Shapefile cannot hold; "
            f"ask for outputFormat=application/geopackage+sqlite3",
            "outputFormat",
        )


def shapefile_zip(collection: Collection, charset: str) -> BinaryIO:
    """A zip of one Shapefile per feature type, as an open file already unlinked from disk."""
    encoding, cpg = _SHAPEFILE_ENCODINGS[charset]
    with _scratch() as scratch:
        directory = Path(scratch)
        for part in collection.parts:
            path = directory / f"{part.layer.name}.shp"
            _write(part, path, "ESRI Shapefile", encoding=encoding)
            path.with_suffix(".cpg").write_text(cpg)
        archive = directory / "features.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for file in sorted(directory.iterdir()):
                if file != archive:
                    zipped.write(file, arcname=file.name)
        return open(archive, "rb")  # noqa: SIM115 - the response closes it


def geopackage(collection: Collection) -> BinaryIO:
    """A GeoPackage with one table per feature type, as an open file already unlinked."""
    with _scratch() as scratch:
        path = Path(scratch) / "features.gpkg"
        for n, part in enumerate(collection.parts):
            _write(part, path, "GPKG", append=n > 0)
        return open(path, "rb")  # noqa: SIM115 - the response closes it


def _scratch():
    """A scratch directory, removed on leaving whatever happened; files opened in it stay open."""
    return tempfile.TemporaryDirectory(prefix="geoshare-wfs-", ignore_cleanup_errors=True)


def _write(
    part: Part, path: Path, driver: str, encoding: str | None = None, append: bool = False
) -> None:
    import pyogrio.raw  # brings pandas (40 MB a process): only for the file downloads

    schema = _schema(part)
    reader = pa.RecordBatchReader.from_batches(schema, _batches(part, schema))
    pyogrio.raw.write_arrow(
        reader,
        os.fspath(path),
        layer=part.layer.name,
        driver=driver,
        geometry_name="geometry" if part.geometry else None,
        geometry_type=_OGR_TYPES.get(part.layer.geometry_type, "Unknown")
        if part.geometry
        else None,
        crs=f"EPSG:{part.srs.epsg}",
        encoding=encoding,
        append=append,
    )


def _schema(part: Part) -> pa.Schema:
    fields = [pa.field("geometry", pa.binary())] if part.geometry else []
    fields += [pa.field(f.name, _ARROW_TYPES.get(f.type, pa.string())) for f in part.fields]
    return pa.schema(fields)


def _batches(part: Part, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    features = iter(part.features)
    converters = [_converter(f.type) for f in part.fields]
    while batch := list(islice(features, _BATCH)):
        columns = [[f.geometry for f in batch]] if part.geometry else []
        for field, convert in zip(part.fields, converters):
            name = field.name
            columns.append([convert(f.properties.get(name)) for f in batch])
        yield pa.RecordBatch.from_arrays(
            [pa.array(column, type=schema.field(i).type) for i, column in enumerate(columns)],
            schema=schema,
        )


def _converter(pg_type: str):
    if pg_type == "numeric":
        return lambda v: float(v) if isinstance(v, decimal.Decimal) else v
    if pg_type == "bytea":
        return lambda v: None if v is None else base64.b64encode(bytes(v)).decode("ascii")
    return lambda v: v
