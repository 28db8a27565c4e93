"""WMS request parameters → frozen values. Every check and every limit lives here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from geoshare.errors import (
    InvalidParameterError, LimitExceededError, MissingParameterError, UnsupportedCRSError,
)
from geoshare.geo import BBox, Crs
from services.ows.crs import parse_bbox_values, parse_crs
from services.ows.kvp import Kvp
from services.render.formats import ImageFormat, InvalidFormatError, parse_format
from services.wms.errors import InvalidDimensionValueError, InvalidPointError, InvalidSRSError

__all__ = [
    "GetMapParams", "FeatureInfoParams", "LegendParams", "INFO_FORMATS", "get_map_params",
    "feature_info_params", "legend_params", "exceptions_format", "refuse_sld",
]

# Print resolutions a client may ask for (FORMAT_OPTIONS=dpi:…, DPI=…, MAP_RESOLUTION=…).
_DPI_RANGE = (25.0, 600.0)
_STANDARD_DPI = 25.4 / 0.28  # OGC's standardized rendering pixel, 0.28 mm
_BGCOLOR = re.compile(r"^(0x|#)([0-9a-fA-F]{6})$")
_EXCEPTIONS = {
    "xml": "XML", "inimage": "INIMAGE", "blank": "BLANK",
    "application/vnd.ogc.se_xml": "XML", "application/vnd.ogc.se_inimage": "INIMAGE",
    "application/vnd.ogc.se_blank": "BLANK", "text/xml": "XML",
}
INFO_FORMATS = {
    "text/html": "html", "application/json": "json", "application/geo+json": "json",
    "application/vnd.ogc.gml": "gml", "application/vnd.ogc.gml/3.1.1": "gml",
    "text/xml": "gml", "text/plain": "text",
}
_DIMENSIONS = ("TIME", "ELEVATION")


@dataclass(frozen=True)
class GetMapParams:
    version: str
    layers: tuple[str, ...]
    styles: tuple[str, ...]
    crs: Crs
    bbox: BBox  # x/y in crs.epsg, whatever order the request used
    width: int
    height: int
    format: ImageFormat
    transparent: bool
    bgcolor: str  # '#rrggbb'
    scale_factor: float
    exceptions: str  # XML | INIMAGE | BLANK


@dataclass(frozen=True)
class FeatureInfoParams:
    map: GetMapParams
    query_layers: tuple[str, ...]
    info_format: str  # the MIME type asked for
    i: int  # column, from the left
    j: int  # row, from the top
    feature_count: int


@dataclass(frozen=True)
class LegendParams:
    layer: str
    style: str
    format: ImageFormat
    icon: tuple[int, int]
    rule: str | None
    scale: float | None
    transparent: bool
    bgcolor: str


def refuse_sld(kvp: Kvp) -> None:
    """Styles live in the catalog; a style sent with the request (or its URL) is refused."""
    for name in ("SLD", "SLD_BODY"):
        if name in kvp:
            raise InvalidParameterError(
                f"{name} is not accepted (a URL given there is never fetched): styles are "
                "managed in the catalog; name one of the layer's styles in STYLES",
                name,
            )


def exceptions_format(kvp: Kvp) -> str:
    raw = kvp.get("EXCEPTIONS")
    if raw is None:
        return "XML"
    found = _EXCEPTIONS.get(raw.strip().lower())
    if found is None:
        raise InvalidParameterError(
            f"EXCEPTIONS {raw[:80]!r} is not supported; use XML, INIMAGE or BLANK", "EXCEPTIONS"
        )
    return found


def _crs(kvp: Kvp, version: str) -> Crs:
    name = "CRS" if version == "1.3.0" else "SRS"
    raw = kvp.get(name) or kvp.get("SRS" if name == "CRS" else "CRS")
    if raw is None:
        raise MissingParameterError(f"{name} is required, e.g. {name}=EPSG:4490", name)
    try:
        return parse_crs(raw, name)
    except UnsupportedCRSError as e:
        if version == "1.3.0":
            raise
        raise InvalidSRSError(e.message, name) from None


def _size(kvp: Kvp, name: str, maximum: int) -> int:
    raw = kvp.get(name)
    if raw is None:
        raise MissingParameterError(f"{name} is required", name)
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidParameterError(
            f"{name} must be an integer from 1 to {maximum}, got {raw[:80]!r}", name
        ) from None
    if not 1 <= value <= maximum:
        raise InvalidParameterError(f"{name} must be an integer from 1 to {maximum}, got {value}", name)
    return value


def _names(kvp: Kvp, name: str) -> tuple[str, ...]:
    raw = kvp.get(name)
    if raw is None:
        raise MissingParameterError(f"{name} is required: name at least one layer", name)
    names = tuple(part.strip() for part in raw.split(","))
    # Each name is drawn or queried on its own: LAYERS=roads,roads,… must not draw thousands.
    limit = settings.GEOSHARE_WMS_MAX_LAYERS
    if len(names) > limit:
        raise LimitExceededError(
            f"{name} names {len(names)} layers; at most {limit} may be named in one request "
            "(name a layer group to draw many layers at once)",
            name,
        )
    if any(not n for n in names):
        raise InvalidParameterError(f"{name} {raw[:80]!r} has an empty layer name", name)
    return names


def _styles(kvp: Kvp, count: int) -> tuple[str, ...]:
    raw = kvp.get("STYLES")
    if raw is None:
        return ("",) * count
    styles = tuple(part.strip() for part in raw.split(","))
    if len(styles) != count:
        raise InvalidParameterError(
            f"STYLES {raw[:80]!r} names {len(styles)} styles for {count} layers; give one per "
            "layer (empty for the default) or leave STYLES empty",
            "STYLES",
        )
    return styles


def _scale_factor(kvp: Kvp) -> float:
    dpi = None
    for option in (kvp.get("FORMAT_OPTIONS") or "").split(";"):
        key, _, value = option.partition(":")
        if key.strip().lower() == "dpi":
            dpi = _dpi(value, "FORMAT_OPTIONS")
    for name in ("DPI", "MAP_RESOLUTION"):
        if kvp.get(name) is not None:
            dpi = _dpi(kvp.get(name), name)
    return 1.0 if dpi is None else dpi / _STANDARD_DPI


def _dpi(raw: str, locator: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not _DPI_RANGE[0] <= value <= _DPI_RANGE[1]:
        raise InvalidParameterError(
            f"{locator}: dpi must be a number from {_DPI_RANGE[0]:g} to {_DPI_RANGE[1]:g}, "
            f"got {raw[:40]!r}",
            locator,
        )
    return value


def _bgcolor(kvp: Kvp) -> str:
    raw = kvp.get("BGCOLOR")
    if raw is None:
        return "#ffffff"
    match = _BGCOLOR.match(raw.strip())
    if not match:
        raise InvalidParameterError(f"BGCOLOR must look like 0xRRGGBB, got {raw[:80]!r}", "BGCOLOR")
    return "#" + match.group(2).lower()


def _no_dimensions(kvp: Kvp) -> None:
    # No geoshare layer declares a TIME or ELEVATION dimension: a client asking for a slice
    # must learn that it would not get one.
    for name in _DIMENSIONS:
        if kvp.get(name) is not None:
            raise InvalidDimensionValueError(
                f"{name} {kvp.get(name)[:80]!r}: no layer here has a {name.lower()} dimension", name
            )


def get_map_params(kvp: Kvp, version: str, require_format: bool = True) -> GetMapParams:
    refuse_sld(kvp)
    exceptions = exceptions_format(kvp)
    layers = _names(kvp, "LAYERS")
    styles = _styles(kvp, len(layers))
    crs = _crs(kvp, version)
    raw_bbox = kvp.get("BBOX")
    if raw_bbox is None:
        raise MissingParameterError("BBOX is required: minx,miny,maxx,maxy", "BBOX")
    # WMS 1.3.0 follows the CRS's axis order (latitude first for EPSG:4490, 4326, 4549);
    # WMS 1.1.1 is always x/y.
    bbox = parse_bbox_values(raw_bbox, "BBOX", crs, wire_yx=version == "1.3.0" and crs.yx)
    width = _size(kvp, "WIDTH", settings.GEOSHARE_WMS_MAX_WIDTH)
    height = _size(kvp, "HEIGHT", settings.GEOSHARE_WMS_MAX_HEIGHT)
    if require_format:
        image_format = parse_format(kvp.required("FORMAT"), "FORMAT")
    else:
        try:
            image_format = parse_format(kvp.get("FORMAT"), "FORMAT", default="image/png")
        except InvalidFormatError:
            image_format = parse_format("image/png")
    _no_dimensions(kvp)
    return GetMapParams(
        version=version, layers=layers, styles=styles, crs=crs, bbox=bbox, width=width,
        height=height, format=image_format, transparent=kvp.boolean("TRANSPARENT", False),
        bgcolor=_bgcolor(kvp), scale_factor=_scale_factor(kvp), exceptions=exceptions,
    )


def feature_info_params(kvp: Kvp, version: str) -> FeatureInfoParams:
    map_params = get_map_params(kvp, version, require_format=False)
    query_layers = _names(kvp, "QUERY_LAYERS")
    raw_format = kvp.get("INFO_FORMAT") or "text/html"
    info_format = raw_format.split(";")[0].strip().lower()
    if info_format not in INFO_FORMATS:
        raise InvalidFormatError(
            f"INFO_FORMAT {raw_format[:80]!r} is not offered; use one of {', '.join(INFO_FORMATS)}",
            "INFO_FORMAT",
        )
    i_name, j_name = ("I", "J") if version == "1.3.0" else ("X", "Y")
    i = _pixel(kvp, i_name, map_params.width)
    j = _pixel(kvp, j_name, map_params.height)
    feature_count = kvp.integer("FEATURE_COUNT", default=1, minimum=1,
                                maximum=settings.GEOSHARE_MAX_FEATURES_PER_PAGE)
    return FeatureInfoParams(map_params, query_layers, info_format, i, j, feature_count)


def _pixel(kvp: Kvp, name: str, size: int) -> int:
    raw = kvp.get(name)
    if raw is None:
        raise MissingParameterError(f"{name} is required: the pixel to query", name)
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidPointError(f"{name} must be an integer pixel, got {raw[:80]!r}", name) from None
    if not 0 <= value < size:
        raise InvalidPointError(f"{name} must be from 0 to {size - 1}, got {value}", name)
    return value


def legend_params(kvp: Kvp) -> LegendParams:
    refuse_sld(kvp)
    layer = kvp.required("LAYER")
    image_format = parse_format(kvp.get("FORMAT"), "FORMAT", default="image/png")
    width = kvp.integer("WIDTH", default=20, minimum=4, maximum=256)
    height = kvp.integer("HEIGHT", default=20, minimum=4, maximum=256)
    scale = kvp.number("SCALE", minimum=0.0)
    return LegendParams(
        layer=layer, style=kvp.get("STYLE") or "", format=image_format, icon=(width, height),
        rule=kvp.get("RULE"), scale=scale, transparent=kvp.boolean("TRANSPARENT", False),
        bgcolor=_bgcolor(kvp),
    )
