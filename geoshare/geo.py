"""Geometry value types and CRS helpers shared by the engines and the protocols.

Coordinates inside geoshare are always x/y (easting/northing, lon/lat): every Transformer
is built with ``always_xy=True``. Only protocol edges flip to lat/lon (services/ows/crs.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geoshare.errors import InvalidParameterError, UnsupportedCRSError

__all__ = [
    "OFFERED_SRIDS", "CRS84", "Crs", "parse_crs", "BBox", "is_geographic", "axis_yx", "transformer",
]


CRS84 = 0  # a pseudo-SRID: OGC:CRS84, EPSG:4326 with lon/lat axis order
# The order clients see them in. 4490/4549 are the city's own; 4326/CRS84 and 3857 are for
# web and global clients.
OFFERED_SRIDS = (4490, 4549, 4326, 3857, CRS84)

_PATTERNS = [
    re.compile(r"^EPSG:(\d+)$", re.I),
    re.compile(r"^urn:(?:x-)?ogc:def:crs:EPSG:(?:[\d.]*:)?(\d+)$", re.I),  # :: or :6.6: or :
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d+)$", re.I),
    re.compile(r"^https?://www\.opengis\.net/gml/srs/epsg\.xml#(\d+)$", re.I),
]
_CRS84_NAMES = {
    "crs:84", "ogc:crs84", "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84", "https://www.opengis.net/def/crs/ogc/1.3/crs84",
}


@dataclass(frozen=True)
class Crs:
    """A CRS as a request named it. ``srid`` is the EPSG code (CRS84 for OGC:CRS84)."""

    srid: int
    text: str  # as received, for messages and for echoing back
    urn_form: bool = False  # named as urn:/http: (not EPSG:nnnn), which implies EPSG axis order

    @property
    def epsg(self) -> int:
        """The EPSG code to give PostGIS and pyproj: CRS84 is EPSG:4326 with x/y order."""
        return 4326 if self.srid == CRS84 else self.srid

    @property
    def uri(self) -> str:
        if self.srid == CRS84:
            return "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        return f"http://www.opengis.net/def/crs/EPSG/0/{self.srid}"

    @property
    def urn(self) -> str:
        if self.srid == CRS84:
            return "urn:ogc:def:crs:OGC:1.3:CRS84"
        return f"urn:ogc:def:crs:EPSG::{self.srid}"

    @property
    def yx(self) -> bool:
        """EPSG axis order is north/east (lat/lon): protocols that follow EPSG flip at the edge."""
        return self.srid != CRS84 and axis_yx(self.srid)

    @property
    def code(self) -> str:
        return "CRS:84" if self.srid == CRS84 else f"EPSG:{self.srid}"


def parse_crs(text: str | None, locator: str, offered=OFFERED_SRIDS) -> Crs:
    """The Crs a request names; UnsupportedCRSError for anything not offered."""
    raw = (text or "").strip()
    if raw.lower() in _CRS84_NAMES:
        srid, urn_form = CRS84, True
    else:
        for n, pattern in enumerate(_PATTERNS):
            if match := pattern.match(raw):
                srid, urn_form = int(match.group(1)), n > 0
                break
        else:
            raise UnsupportedCRSError(
                f"{locator} {raw[:80]!r} is not a CRS this server offers; use one of "
                f"{', '.join(Crs(s, '').code for s in offered)}",
                locator,
            )
    if srid not in offered:
        raise UnsupportedCRSError(
            f"{locator} {raw[:80]!r} is not offered; use one of "
            f"{', '.join(Crs(s, '').code for s in offered)}",
            locator,
        )
    return Crs(srid, raw, urn_form)


@cache
def _pyproj_crs(epsg: int) -> CRS:
    try:
        return CRS.from_epsg(epsg)
    except CRSError:
        raise UnsupportedCRSError(f"EPSG:{epsg} is unknown", "crs") from None


def is_geographic(epsg: int) -> bool:
    return _pyproj_crs(epsg).is_geographic


def axis_yx(epsg: int) -> bool:
    """True when the EPSG definition puts northing/latitude first (4326, 4490, 4549)."""
    axes = _pyproj_crs(epsg).axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


@cache
def transformer(from_epsg: int, to_epsg: int) -> Transformer:
    """An x/y (always_xy) transformer, cached: building one costs milliseconds."""
    return Transformer.from_crs(from_epsg, to_epsg, always_xy=True)


@dataclass(frozen=True)
class BBox:
    """A bounding box in x/y order (lon/lat, easting/northing) in the CRS ``srid``."""

    minx: float
    miny: float
    maxx: float
    maxy: float
    srid: int  # EPSG code; CRS84 boxes are stored as 4326

    def __post_init__(self):
        for value in (self.minx, self.miny, self.maxx, self.maxy):
            if not math.isfinite(value):
                raise InvalidParameterError(f"bounding box values must be finite, got {value}", "bbox")

    @property
    def width(self) -> float:
        return self.maxx - self.minx

    @property
    def height(self) -> float:
        return self.maxy - self.miny

    def transformed(self, to_epsg: int) -> BBox:
        if to_epsg == self.srid:
            return self
        minx, miny, maxx, maxy = transformer(self.srid, to_epsg).transform_bounds(
            self.minx, self.miny, self.maxx, self.maxy, densify_pts=21
        )
        return BBox(minx, miny, maxx, maxy, to_epsg)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.minx, self.miny, self.maxx, self.maxy)
