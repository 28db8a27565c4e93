"""Recognise an uploaded file and make it readable: unzip shapefiles, sniff encodings."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from geoshare.errors import ImportFailedError
from layers.importers.encoding import shapefile_encoding

__all__ = ["Source", "open_source", "detect_format"]

_SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"}
_MAX_UNZIPPED_RATIO = 200  # zip bombs: refuse archives that expand more than this


@dataclass(frozen=True)
class Source:
    format: str  # gpkg | shapefile | geojson | csv | geotiff
    path: Path
    encoding: str | None = None
    source_layer: str | None = None

    @property
    def is_raster(self) -> bool:
        return self.format == "geotiff"


def detect_format(path: Path) -> str:
    """The format of ``path`` from its first bytes and its name; ImportFailedError if none fits."""
    if not path.is_file():
        raise ImportFailedError(f"no such file: {path}")
    with open(path, "rb") as f:
        head = f.read(16)
    suffix = path.suffix.lower()
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "geotiff"
    if suffix == ".shp":
        if head[:4] != b"\x00\x00\x27\x0a":
            raise ImportFailedError(f"not a shapefile: {path.name} lacks the shapefile header")
        return "shapefile"
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".gpkg", ".tif", ".tiff", ".zip"):
        raise ImportFailedError(f"corrupt file: {path.name} is not a valid {suffix[1:]} file")
    raise ImportFailedError(
        f"unsupported file: {path.name}; import GeoPackage, zipped Shapefile, GeoJSON, "
        "CSV or GeoTIFF"
    )


@contextmanager
def open_source(path: Path, encoding: str | None = None, source_layer: str | None = None,
                ) -> Iterator[Source]:
    """The readable form of an uploaded file; temporary files are removed on every path."""
    kind = detect_format(path)
    if kind != "zip":
        if kind == "shapefile":
            _require_parts(path)
            if encoding is None:
                encoding = shapefile_encoding(path)
        yield Source(kind, path, encoding, source_layer)
        return
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="unzip-", dir=settings.UPLOAD_DIR))
    try:
        shp = _extract_shapefile(path, scratch, source_layer)
        yield Source("shapefile", shp, encoding or shapefile_encoding(shp), None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _require_parts(shp: Path) -> None:
    # GDAL opens a .shp alone and reads bare shapes; a shapefile needs its .dbf and .shx.
    for suffix in (".dbf", ".shx"):
        if not (shp.with_suffix(suffix).exists() or shp.with_suffix(suffix.upper()).exists()):
            raise ImportFailedError(
                f"not a shapefile: {shp.name} comes without its .dbf or .shx"
            )


def _extract_shapefile(archive: Path, into: Path, wanted: str | None) -> Path:
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            shps = [m for m in members if PurePosixPath(m.filename).suffix.lower() == ".shp"]
            if not shps:
                raise ImportFailedError(f"not a shapefile: {archive.name} holds no .shp file")
            if wanted is not None:
                shps = [m for m in shps if PurePosixPath(m.filename).stem == wanted]
                if not shps:
                    raise ImportFailedError(
                        f"{archive.name} holds no shapefile named {wanted!r}", "source_layer"
                    )
            if len(shps) > 1:
                names = ", ".join(PurePosixPath(m.filename).stem for m in shps[:10])
                raise ImportFailedError(
                    f"{archive.name} holds {len(shps)} shapefiles ({names}); "
                    "choose one with --source-layer",
                    "source_layer",
                )
            stem = PurePosixPath(shps[0].filename).with_suffix("")
            parts = [
                m for m in members
                if PurePosixPath(m.filename).with_suffix("") == stem
                and PurePosixPath(m.filename).suffix.lower() in _SHAPEFILE_PARTS
            ]
            unzipped = sum(m.file_size for m in parts)
            if unzipped > max(archive.stat().st_size * _MAX_UNZIPPED_RATIO, 1 << 20):
                raise ImportFailedError(f"refused: {archive.name} expands to {unzipped} bytes")
            for member in parts:
                # Write under a fixed name, never under the member's own path (zip slip).
                target = into / ("layer" + PurePosixPath(member.filename).suffix.lower())
                with zf.open(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except zipfile.BadZipFile as e:
        raise ImportFailedError(f"corrupt file: {archive.name} is not a valid zip ({e})") from None
    shp = into / "layer.shp"
    if not (into / "layer.dbf").exists() or not (into / "layer.shx").exists():
        raise ImportFailedError(f"not a shapefile: {stem.name}.shp comes without its .dbf or .shx")
    return shp
