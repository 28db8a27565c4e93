"""Coverage answers: GeoTIFF or a PNG quick look, alone or after their GML description in a
multipart/related body (GMLCOV multipart, OGC 12-100r1)."""

from __future__ import annotations

from layers.coverages import CoverageArray, to_geotiff, to_png

__all__ = ["encode", "multipart", "EXTENSIONS"]

EXTENSIONS = {"image/tiff": "tif", "image/png": "png"}
_BOUNDARY = "wcs-coverage-part"


def encode(array: CoverageArray, media_type: str) -> bytes:
    return to_png(array) if media_type == "image/png" else to_geotiff(array)


def multipart(description: bytes, data: bytes, media_type: str, filename: str) -> tuple[str, bytes]:
    """(Content-Type, body): the GML coverage first, then the file its rangeSet points to."""
    crlf = b"\r\n"
    body = b"".join(
        [
            f"--{_BOUNDARY}".encode(),
            crlf,
            b"Content-Type: application/gml+xml",
            crlf,
            b"Content-ID: <coverage.gml>",
            crlf,
            crlf,
            description,
            crlf,
            f"--{_BOUNDARY}".encode(),
            crlf,
            f"Content-Type: {media_type}".encode(),
            crlf,
            f"Content-ID: <{filename}>".encode(),
            crlf,
            f'Content-Disposition: inline; filename="{filename}"'.encode(),
            crlf,
            crlf,
            data,
            crlf,
            f"--{_BOUNDARY}--".encode(),
            crlf,
        ]
    )
    content_type = (
        f'multipart/related; boundary="{_BOUNDARY}"; type="application/gml+xml"; '
        f'start="<coverage.gml>"'
    )
    return content_type, body
