"""Which text encoding a shapefile's attributes are in, when the file does not say."""

import struct
from pathlib import Path

from geoshare.errors import ImportFailedError

__all__ = ["shapefile_encoding", "text_encoding"]

# DBF language driver ids that name a Chinese code page (ArcGIS and GDAL write 0x4D).
_LDID_ENCODINGS = {0x4D: "GBK", 0x7A: "GBK"}
_SAMPLE_RECORDS = 20_000


def shapefile_encoding(shp: Path) -> str | None:
    """The encoding to read ``shp`` with, or None when GDAL will find it itself (.cpg).

    Chinese shapefiles often come without a .cpg and with GBK text; GDAL would then read
    them as Latin-1 and store mojibake. Try UTF-8, then GB18030 (a superset of GBK), on the
    bytes of the text columns, and fail with a clear message when neither fits.
    """
    if shp.with_suffix(".cpg").exists() or shp.with_suffix(".CPG").exists():
        return None
    dbf = _sibling(shp, ".dbf")
    if dbf is None:
        raise ImportFailedError(f"not a shapefile: {shp.name} has no .dbf beside it")
    data = dbf.read_bytes()
    if len(data) < 32:
        raise ImportFailedError(f"not a shapefile: {dbf.name} is too short to be a dBASE file")
    ldid = data[29]
    if ldid in _LDID_ENCODINGS:
        return _LDID_ENCODINGS[ldid]
    return text_encoding(list(_text_cells(data)), where=dbf.name)


def text_encoding(cells: list[bytes], where: str) -> str:
    """'UTF-8' or 'GB18030' for text cells, else ImportFailedError naming ``where``."""
    cells = [cell for cell in cells if not cell.isascii()]
    for encoding in ("UTF-8", "GB18030"):
        if all(_decodes(cell, encoding) for cell in cells):
            return encoding
    raise ImportFailedError(
        f"wrong encoding: text in {where} is neither UTF-8 nor GBK; give --encoding",
        "encoding",
    )


def _decodes(cell: bytes, encoding: str) -> bool:
    try:
        cell.decode(encoding)
    except UnicodeDecodeError as e:
        # A fixed-width DBF field may cut the last multi-byte character in half.
        return e.reason == "unexpected end of data" or (
            e.end == len(cell) and e.start >= len(cell) - 3
        )
    return True


def _sibling(shp: Path, suffix: str) -> Path | None:
    for candidate in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    return None


def _text_cells(data: bytes):
    records, header_len, record_len = struct.unpack_from("<IHH", data, 4)
    fields, offset = [], 32
    position = 1  # the deletion flag comes first in each record
    while offset + 32 <= header_len and data[offset] != 0x0D:
        kind, length = chr(data[offset + 11]), data[offset + 16]
        if kind == "C":
            fields.append((position, length))
        position += length
        offset += 32
    for n in range(min(records, _SAMPLE_RECORDS)):
        start = header_len + n * record_len
        record = data[start : start + record_len]
        for pos, length in fields:
            yield record[pos : pos + length].rstrip(b" \x00")
