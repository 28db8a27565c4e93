"""OGC API - Maps query parameters → a frozen value; every check and limit lives here."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.conf import settings

from geoshare.errors import InvalidParameterError
from geoshare.geo import CRS84, BBox, Crs
from services.ows.crs import parse_bbox_values, parse_crs
from services.ows.kvp import Kvp
from services.render.formats import ImageFormat, parse_format

__all__ = ["MapParams", "map_params", "tile_format", "map_geometry"]

_BGCOLOR = re.compile(r"^(0x|#)?([0-9a-fA-F]{6})$")
_DEFAULT_WIDTH = 1024
_MERCATOR_LAT = 85.0511287798
_FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg"}


@dataclass(frozen=True)
class MapParams:
    bbox: BBox | None  # x/y in its CRS; None: the extent of what is drawn
    crs: Crs  # of the image
    width: int | None
    height: int | None
    format: ImageFormat
    transparent: bool
    bgcolor: str
    collections: tuple[str, ...] | None


def _format(kvp: Kvp, accept: str) -> ImageFormat:
    raw = kvp.get("f")
    if raw is None:
        # Without f=, the Accept header decides; browsers accept */*: PNG.
        for mime in ("image/png", "image/jpeg"):
            if mime in accept:
                return parse_format(mime)
        return parse_format("image/png")
    mime = _FORMATS.get(raw.lower())
    if mime is None:
        raise InvalidParameterError(f"f {raw[:40]!r} is not offered; use png or jpeg", "f")
    return parse_format(mime, "f")


def tile_format(kvp: Kvp, accept: str) -> ImageFormat:
    return _format(kvp, accept)


def _size(kvp: Kvp, name: str, maximum: int) -> int | None:
    return kvp.integer(name, minimum=1, maximum=maximum)


def map_params(kvp: Kvp, accept: str = "") -> MapParams:
    crs = parse_crs(kvp.get("crs") or "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "crs")
    bbox = None
    if raw := kvp.get("bbox"):
        bbox_crs = parse_crs(kvp.get("bbox-crs") or "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
                             "bbox-crs")
        # OGC API: bbox follows the axis order of bbox-crs (latitude first for EPSG:4490).
        bbox = parse_bbox_values(raw, "bbox", bbox_crs, wire_yx=bbox_crs.yx)
    bgcolor = "#ffffff"
    if raw := kvp.get("bgcolor"):
        match = _BGCOLOR.match(raw.strip())
        if not match:
            raise InvalidParameterError(f"bgcolor must look like 0xRRGGBB, got {raw[:40]!r}", "bgcolor")
        bgcolor = "#" + match.group(2).lower()
    collections = None
    if raw := kvp.get("collections"):
        collections = tuple(c.strip() for c in raw.split(",") if c.strip())
    return MapParams(
        bbox=bbox, crs=crs,
        width=_size(kvp, "width", settings.GEOSHARE_WMS_MAX_WIDTH),
        height=_size(kvp, "height", settings.GEOSHARE_WMS_MAX_HEIGHT),
        format=_format(kvp, accept), transparent=kvp.boolean("transparent", False),
        bgcolor=bgcolor, collections=collections,
    )


def map_geometry(p: MapParams, extent_4490: BBox | None) -> tuple[BBox, int, int]:
    """The box (x/y in the output CRS) and the size of the image to draw."""
    epsg = p.crs.epsg
    if p.bbox is not None:
        box = p.bbox.transformed(epsg)
    elif extent_4490 is not None:
        source = extent_4490
        if epsg == 3857:
            source = BBox(source.minx, max(source.miny, -_MERCATOR_LAT), source.maxx,
                          min(source.maxy, _MERCATOR_LAT), 4490)
        box = source.transformed(epsg)
    else:
        raise InvalidParameterError("bbox is required: nothing here has an extent yet", "bbox")
    if box.width <= 0 or box.height <= 0:
        raise InvalidParameterError("bbox is empty once projected to crs", "bbox")
    max_w, max_h = settings.GEOSHARE_WMS_MAX_WIDTH, settings.GEOSHARE_WMS_MAX_HEIGHT
    # Without both sizes, keep the box's aspect (in the output CRS, as drawn).
    aspect = box.height / box.width
    if p.crs.srid in (CRS84, 4326, 4490):
        aspect /= math.cos(math.radians((box.miny + box.maxy) / 2)) or 1.0
    width, height = p.width, p.height
    if width is None and height is None:
        width = _DEFAULT_WIDTH
    if height is None:
        height = max(1, round(width * aspect))
    if width is None:
        width = max(1, round(height / aspect))
    if width > max_w or height > max_h:
        raise InvalidParameterError(
            f"the map would be {width}×{height} pixels; at most {max_w}×{max_h}: give width "
            "and height", "width" if width > max_w else "height",
        )
    return box, width, height
