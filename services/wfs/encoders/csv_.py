"""CSV of one feature type, streamed: a UTF-8 byte order mark (Excel then reads Chinese text),
a header row, one row per feature with the geometry as x/y WKT in a last column named WKT
(the name GDAL's CSV driver reads as geometry)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from layers.sources import GeometryOutput
from services.wfs.encoders._stream import chunked
from services.wfs.encoders._values import lexical
from services.wfs.encoders.collection import Collection
from services.wfs.encoders.gml import precision

__all__ = ["geometry_output", "feature_collection", "CONTENT_TYPE"]

CONTENT_TYPE = "text/csv; charset=UTF-8"
_ROWS_PER_PIECE = 500


def geometry_output(srs) -> GeometryOutput:
    return GeometryOutput("wkt", srid=srs.epsg, precision=precision(srs))


def feature_collection(collection: Collection) -> Iterator[bytes]:
    return chunked(_rows(collection))


def _rows(collection: Collection):
    (part,) = collection.parts  # operations allow one type name for CSV
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = [(f.name, lexical(f.type)) for f in part.fields]

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["fid", *(name for name, _ in columns), *(["WKT"] if part.geometry else [])])
    yield "\ufeff" + flush()
    for n, feature in enumerate(part.features, start=1):
        properties = feature.properties
        row = [feature.fid]
        for name, write in columns:
            value = properties.get(name)
            row.append("" if value is None else write(value))
        if part.geometry:
            row.append(feature.geometry or "")
        writer.writerow(row)
        if n % _ROWS_PER_PIECE == 0:
            yield flush()
    yield flush()
