"""Readers that turn a vector file into batches of (geometries, attribute rows).

Both readers stream: memory stays bounded by the batch size, whatever the file size.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import pyogrio.raw
import shapely
from pyogrio.errors import DataSourceError, DataLayerError

from geoshare.errors import ImportFailedError, first_line
from layers.importers.encoding import text_encoding

__all__ = ["Field", "Batch", "VectorReader", "OgrReader", "CsvReader"]


@dataclass(frozen=True)
class Field:
    name: str  # the column name in PostGIS
    source: str  # the name in the file, shown as the field title
    pg_type: str


@dataclass(frozen=True)
class Batch:
    first_row: int  # 1-based number of the first row of the batch in the source
    geometries: np.ndarray  # shapely geometries or None
    columns: list[pa.Array]  # one per reader field, in order

    def __len__(self) -> int:
        return len(self.geometries)


class VectorReader:
    crs: str | None
    geometry_type: str | None  # OGR's name, e.g. "MultiPolygon", "Point Z", "Unknown"
    fields: list[Field]
    total: int | None

    def batches(self, size: int) -> Iterator[Batch]:
        raise NotImplementedError


class OgrReader(VectorReader):
    """GeoPackage, Shapefile, GeoJSON: anything GDAL reads, through pyogrio's Arrow stream."""

    def __init__(self, path: Path, layer: str | None = None, encoding: str | None = None):
        self.path, self.encoding = path, encoding
        try:
            layers = [name for name, _ in pyogrio.list_layers(path)]
        except (DataSourceError, DataLayerError, OSError) as e:
            raise ImportFailedError(f"not a readable vector file: {path.name}: {first_line(e)}") from None
        if not layers:
            raise ImportFailedError(f"not a readable vector file: {path.name} holds no layer")
        if layer is None and len(layers) > 1:
            raise ImportFailedError(
                f"{path.name} holds {len(layers)} layers ({', '.join(layers[:10])}); "
                "choose one with --source-layer",
                "source_layer",
            )
        if layer is not None and layer not in layers:
            raise ImportFailedError(
                f"{path.name} has no layer {layer!r}; it has: {', '.join(layers[:10])}",
                "source_layer",
            )
        self.layer = layer or layers[0]
        try:
            info = pyogrio.read_info(path, layer=self.layer, encoding=encoding)
        except (DataSourceError, DataLayerError) as e:
            raise ImportFailedError(f"not a readable vector file: {path.name}: {first_line(e)}") from None
        self.crs = info["crs"]
        self.geometry_type = info["geometry_type"]
        self.total = info["features"] if info["features"] >= 0 else None
        with self._open_arrow(batch_size=1) as (meta, reader):
            self.fields = _fields_from_arrow(reader.schema, _geometry_name(meta))

    def _open_arrow(self, batch_size: int):
        return pyogrio.raw.open_arrow(
            self.path, layer=self.layer, encoding=self.encoding, batch_size=batch_size,
            use_pyarrow=True,
        )

    def batches(self, size: int) -> Iterator[Batch]:
        first_row = 1
        try:
            with self._open_arrow(batch_size=size) as (meta, reader):
                geometry_name = _geometry_name(meta)
                for record_batch in reader:
                    wkb = record_batch.column(geometry_name).to_numpy(zero_copy_only=False)
                    geometries = _from_wkb(wkb, first_row)
                    columns = [record_batch.column(f.source) for f in self.fields]
                    yield Batch(first_row, geometries, columns)
                    first_row += record_batch.num_rows
        except (DataSourceError, DataLayerError) as e:
            raise ImportFailedError(f"unreadable data in {self.path.name}: {first_line(e)}") from None


class CsvReader(VectorReader):
    """A table of points with coordinate columns (lon/lat, x/y, 经度/纬度) or a WKT column."""

    X_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "坐标x", "x坐标")
    Y_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "坐标y", "y坐标")
    WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape")

    def __init__(self, path: Path, encoding: str | None = None):
        self.path = path
        head = path.read_bytes()[: 1 << 20]
        if b"\x00" in head:
            raise ImportFailedError(f"not a CSV file: {path.name} contains binary data")
        self.encoding = encoding or _csv_encoding(head, path.name)
        with self._open() as f:
            sample = f.read(64 * 1024)
        try:
            self.dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            self.dialect = csv.excel
        with self._open() as f:
            header = next(csv.reader(f, self.dialect), None)
        if not header:
            raise ImportFailedError(f"not a CSV file: {path.name} is empty")
        self.header = [h.strip() for h in header]
        lowered = [h.lower() for h in self.header]
        self.x_col = _find(lowered, self.X_NAMES)
        self.y_col = _find(lowered, self.Y_NAMES)
        self.wkt_col = _find(lowered, self.WKT_NAMES)
        if self.wkt_col is None and (self.x_col is None or self.y_col is None):
            raise ImportFailedError(
                f"no coordinates: {path.name} needs lon/lat (or x/y, 经度/纬度) columns "
                "or a WKT column"
            )
        self.crs = None
        self._profile()

    def _open(self):
        encoding = "utf-8-sig" if self.encoding == "UTF-8" else self.encoding
        return open(self.path, encoding=encoding, newline="")

    def _geometry_columns(self) -> set[int]:
        if self.wkt_col is not None:
            return {self.wkt_col}
        return {self.x_col, self.y_col}

    def _profile(self) -> None:
        """First pass: count rows, infer column types, and check coordinate ranges."""
        skip = self._geometry_columns()
        kinds = {i: "bigint" for i in range(len(self.header)) if i not in skip}
        total, max_abs_x = 0, 0.0
        with self._open() as f:
            reader = csv.reader(f, self.dialect)
            next(reader)
            for row in reader:
                if not row:
                    continue
                total += 1
                for i, kind in list(kinds.items()):
                    value = row[i].strip() if i < len(row) else ""
                    if value and kind != "text":
                        kinds[i] = _widen(kind, value)
                if self.wkt_col is None:
                    x = _float(row[self.x_col] if self.x_col < len(row) else "")
                    if x is not None:
                        max_abs_x = max(max_abs_x, abs(x))
        self.total = total
        self.geometry_type = "Unknown" if self.wkt_col is not None else "Point"
        self.projected_hint = max_abs_x > 180
        taken: set[str] = set()
        self._columns = [i for i in range(len(self.header)) if i not in skip]
        self.fields = [
            Field(column_name(self.header[i], taken), self.header[i], kinds[i])
            for i in self._columns
        ]

    def batches(self, size: int) -> Iterator[Batch]:
        with self._open() as f:
            reader = csv.reader(f, self.dialect)
            next(reader)
            geometries, rows, first_row, number = [], [], 1, 0
            for row in reader:
                if not row:
                    continue
                number += 1
                geometries.append(self._geometry(row, number))
                rows.append(tuple(
                    _convert(row[i] if i < len(row) else "", field.pg_type)
                    for i, field in zip(self._columns, self.fields)
                ))
                if len(rows) == size:
                    yield self._batch(first_row, geometries, rows)
                    geometries, rows, first_row = [], [], number + 1
            if rows:
                yield self._batch(first_row, geometries, rows)

    def _batch(self, first_row: int, geometries: list, rows: list[tuple]) -> Batch:
        columns = [
            pa.array(values, type=_ARROW_TYPES[field.pg_type])
            for values, field in zip(zip(*rows), self.fields)
        ] if self.fields else []
        return Batch(first_row, np.array(geometries, dtype=object), columns)

    def _geometry(self, row: list[str], number: int):
        if self.wkt_col is not None:
            text = row[self.wkt_col].strip() if self.wkt_col < len(row) else ""
            if not text:
                return None
            try:
                return shapely.from_wkt(text)
            except shapely.errors.GEOSException:
                return None
        x = _float(row[self.x_col] if self.x_col < len(row) else "")
        y = _float(row[self.y_col] if self.y_col < len(row) else "")
        if x is None or y is None:
            return None
        return shapely.Point(x, y)


_ARROW_TYPES = {"bigint": pa.int64(), "double precision": pa.float64(), "text": pa.string()}


def column_name(source: str, taken: set[str]) -> str:
    """A PostgreSQL column name for a source field: lower case, no punctuation, unique."""
    name = re.sub(r"[^\w]+", "_", source.strip().lower(), flags=re.UNICODE).strip("_") or "field"
    if name[0].isdigit():
        name = f"f_{name}"
    while len(name.encode()) > 60:
        name = name[:-1]
    if name in ("fid", "geom"):
        name = f"{name}_1"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate


def _geometry_name(meta: dict) -> str:
    return meta["geometry_name"] or "wkb_geometry"


def _fields_from_arrow(schema: pa.Schema, geometry_name: str) -> list[Field]:
    taken: set[str] = set()
    return [
        Field(column_name(f.name, taken), f.name, _pg_type(f.type))
        for f in schema
        if f.name != geometry_name
    ]


def _pg_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        fits_int4 = arrow_type.bit_width < 32 or (
            arrow_type.bit_width == 32 and pa.types.is_signed_integer(arrow_type)
        )
        return "integer" if fits_int4 else "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_decimal(arrow_type):
        return "numeric"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    if pa.types.is_time(arrow_type):
        return "time"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "bytea"
    return "text"


def _from_wkb(wkb: np.ndarray, first_row: int) -> np.ndarray:
    try:
        return shapely.from_wkb(wkb)
    except shapely.errors.GEOSException:
        for offset, blob in enumerate(wkb):
            try:
                shapely.from_wkb(blob)
            except shapely.errors.GEOSException as e:
                raise ImportFailedError(
                    f"bad geometry: source row {first_row + offset} cannot be read ({e})"
                ) from None
        raise


def _csv_encoding(head: bytes, name: str) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "UTF-8"
    # The sample may end in the middle of a character: decide on whole lines.
    cut = head.rfind(b"\n") if len(head) == 1 << 20 else len(head)
    return text_encoding(head[: cut if cut > 0 else len(head)].splitlines(), where=name)


def _find(names: list[str], candidates: tuple[str, ...]) -> int | None:
    for candidate in candidates:
        if candidate in names:
            return names.index(candidate)
    return None


def _float(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _widen(kind: str, value: str) -> str:
    if kind == "bigint":
        try:
            if -(2**63) <= int(value) < 2**63:
                return "bigint"
        except ValueError:
            pass
        kind = "double precision"
    if kind == "double precision":
        try:
            float(value)
            return "double precision"
        except ValueError:
            pass
    return "text"


def _convert(text: str, pg_type: str):
    text = text.strip()
    if pg_type == "text":
        return text
    if not text:
        return None
    return int(text) if pg_type == "bigint" else float(text)
