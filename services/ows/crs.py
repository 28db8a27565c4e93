"""CRS names and bounding boxes as OGC requests carry them; the one place axis order flips.

Inside geoshare coordinates are always x/y (easting/northing, lon/lat), as pyproj's
``always_xy``. Protocols whose rules put latitude first (WMS 1.3.0, WFS 2.0, WCS 2.0 with
EPSG codes whose axis order is north/east) parse with ``wire_yx=True`` and write
coordinates back with ``wire_order``.
"""

from __future__ import annotations

import math

from geoshare.errors import InvalidParameterError
from geoshare.geo import CRS84, OFFERED_SRIDS, BBox, Crs, parse_crs

__all__ = ["OFFERED_SRIDS", "CRS84", "Crs", "parse_crs", "parse_bbox_values", "wire_order"]


def parse_bbox_values(raw: str, locator: str, crs: Crs, wire_yx: bool,
                      allow_degenerate: bool = False) -> BBox:
    """'a,b,c,d' from a request as an x/y BBox. ``wire_yx``: the request sends lat/lon order."""
    parts = [p.strip() for p in (raw or "").split(",")]
    if len(parts) < 4:
        raise InvalidParameterError(
            f"{locator} must be minx,miny,maxx,maxy, got {raw[:80]!r}", locator
        )
    try:
        values = [float(p) for p in parts[:4]]
    except ValueError:
        raise InvalidParameterError(
            f"{locator} must hold four numbers, got {raw[:80]!r}", locator
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise InvalidParameterError(f"{locator} must hold finite numbers, got {raw[:80]!r}", locator)
    a, b, c, d = values
    minx, miny, maxx, maxy = (b, a, d, c) if wire_yx else (a, b, c, d)
    if minx > maxx or miny > maxy or (not allow_degenerate and (minx == maxx or miny == maxy)):
        raise InvalidParameterError(
            f"{locator} {raw[:80]!r} is inverted or empty: minimum must be below maximum",
            locator,
        )
    return BBox(minx, miny, maxx, maxy, crs.epsg)


def wire_order(x: float, y: float, wire_yx: bool) -> tuple[float, float]:
    """A coordinate pair in the order a protocol writes it."""
    return (y, x) if wire_yx else (x, y)
