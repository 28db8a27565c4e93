"""Query parameters of OGC API requests: parsed, typed and bounded before anything runs.

pygeoapi validates loosely (a NaN bbox passes, a bad coverage bbox is a 500), so every
parameter our routes accept is checked here first and raised as an InvalidParameterError,
which views.py answers as problem details.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from geoshare.errors import InvalidParameterError, LimitExceededError
from geoshare.geo import CRS84, BBox, Crs, parse_crs
from layers.filters import parse_cql2_json, parse_cql2_text
from layers.sources import CoverageSubset

__all__ = [
    "MAX_LIMIT", "DEFAULT_LIMIT", "Params", "ItemsParams", "items_params", "feature_id",
    "CoverageParams", "coverage_params", "RecordsParams", "records_params",
]

DEFAULT_LIMIT = 10
# One response streams with bounded memory whatever its size; this bound only keeps a typo
# (limit=10^9) from being a day-long download.
MAX_LIMIT = 1_000_000
MAX_OFFSET = 10**12
_MAX_VALUE = 64 * 1024
_BIGINT = 2**63 - 1


class Params:
    """A request's query string: single values, sizes bounded, text known to be UTF-8."""

    def __init__(self, query):
        self._values = {}
        for name in query:
            value = query.get(name)
            if len(value) > _MAX_VALUE:
                raise InvalidParameterError(f"{name[:40]} is longer than {_MAX_VALUE} characters", name)
            # Django decodes invalid UTF-8 to U+FFFD; refuse it rather than guess.
            if "\ufffd" in value or "\x00" in value:
                raise InvalidParameterError(f"{name[:40]} is not valid UTF-8 text", name)
            self._values[name] = value

    def get(self, name: str) -> str | None:
        value = self._values.get(name)
        return None if value is None or value == "" else value

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise InvalidParameterError(f"{name} must be an integer, got {raw[:80]!r}", name) from None
        if value < minimum or value > maximum:
            error = LimitExceededError if value > maximum else InvalidParameterError
            raise error(f"{name} must be from {minimum} to {maximum}, got {raw[:80]!r}", name)
        return value

    def number(self, name: str) -> float | None:
        raw = self.get(name)
        if raw is None:
            return None
        return _finite(raw, name)

    def crs(self, name: str, default: int = CRS84) -> Crs:
        raw = self.get(name)
        return parse_crs(raw, name) if raw is not None else Crs(default, "", True)

    def bbox(self, name: str = "bbox", crs_name: str = "bbox-crs") -> BBox | None:
        """bbox in the axis order of bbox-crs (CRS84: lon,lat), as an x/y BBox; 6 values = 3D."""
        raw = self.get(name)
        if raw is None:
            if self.get(crs_name) is not None:
                raise InvalidParameterError(f"{crs_name} is given without {name}", crs_name)
            return None
        crs = self.crs(crs_name)
        parts = raw.split(",")
        if len(parts) not in (4, 6):
            raise InvalidParameterError(
                f"{name} must be 4 numbers (minx,miny,maxx,maxy) or 6 (with heights), got {raw[:80]!r}",
                name,
            )
        values = [_finite(p, name) for p in parts]
        a, b, c, d = values if len(values) == 4 else (values[0], values[1], values[3], values[4])
        minx, miny, maxx, maxy = (b, a, d, c) if crs.yx else (a, b, c, d)
        if minx > maxx or miny > maxy:
            raise InvalidParameterError(
                f"{name} {raw[:80]!r} is inverted: each minimum must not exceed its maximum", name
            )
        if crs.epsg in (4326, 4490) and not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
            raise InvalidParameterError(f"{name} {raw[:80]!r} lies outside -180..180, -90..90", name)
        return BBox(minx, miny, maxx, maxy, crs.epsg)

    def names(self, name: str) -> tuple[str, ...] | None:
        raw = self.get(name)
        if raw is None:
            return None
        names = tuple(n.strip() for n in raw.split(",") if n.strip())
        if not names:
            raise InvalidParameterError(f"{name} lists no names", name)
        return names

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        raw = self.get(name)
        if raw is None:
            return default
        if raw not in choices:
            raise InvalidParameterError(
                f"{name} {raw[:80]!r} is not supported; use one of {', '.join(choices)}", name
            )
        return raw

    def datetime(self, name: str = "datetime") -> str | None:
        """An RFC 3339 instant or interval (a/b, with .. open ends), checked for syntax."""
        raw = self.get(name)
        if raw is None:
            return None
        ends = raw.split("/")
        if len(ends) > 2 or not all(e == ".." or _RFC3339.match(e) for e in ends) or ends == ["..", ".."]:
            raise InvalidParameterError(
                f"{name} must be an RFC 3339 date-time or interval (a/b, '..' for open), got {raw[:80]!r}",
                name,
            )
        return raw


_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?$"
)


def _finite(raw: str, name: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise InvalidParameterError(f"{name} must hold numbers, got {raw[:80]!r}", name) from None
    if not math.isfinite(value):
        raise InvalidParameterError(f"{name} must hold finite numbers, got {raw[:80]!r}", name)
    return value


# -- Features ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemsParams:
    limit: int
    offset: int
    after_fid: int | None  # from a cursor in a next link: keyset paging
    bbox: BBox | None
    crs: Crs
    where: object | None
    literal_srid: int
    sortby: tuple[tuple[str, bool], ...]
    properties: tuple[str, ...] | None
    skip_geometry: bool
    datetime: str | None


def items_params(params: Params) -> ItemsParams:
    """The parameters of /collections/{id}/items (Features Parts 1-3)."""
    cursor = params.get("cursor")
    after_fid = None
    if cursor is not None:
        if not re.fullmatch(r"\d{1,18}", cursor):
            raise InvalidParameterError(f"cursor {cursor[:80]!r} is not one this server wrote", "cursor")
        after_fid = int(cursor)
    sortby = _sortby(params.get("sortby"))
    if after_fid is not None and sortby:
        raise InvalidParameterError("cursor pages in feature id order only; drop sortby", "cursor")
    filter_crs = params.crs("filter-crs")
    return ItemsParams(
        limit=params.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=params.integer("offset", 0, 0, MAX_OFFSET),
        after_fid=after_fid,
        bbox=params.bbox(),
        crs=params.crs("crs"),
        where=_filter(params),
        literal_srid=filter_crs.epsg,
        sortby=sortby,
        properties=params.names("properties"),
        skip_geometry=_boolean(params, "skipGeometry"),
        datetime=params.datetime(),
    )


def _filter(params: Params):
    text = params.get("filter")
    language = params.choice("filter-lang", ("cql2-text", "cql2-json"), "cql2-text")
    if text is None:
        if "filter-lang" in params and params.get("filter-lang"):
            raise InvalidParameterError("filter-lang is given without filter", "filter-lang")
        return None
    if language == "cql2-json":
        return parse_cql2_json(text)
    return parse_cql2_text(text)


def _sortby(raw: str | None) -> tuple[tuple[str, bool], ...]:
    if raw is None:
        return ()
    keys = []
    for part in raw.split(","):
        part = part.strip()
        ascending = not part.startswith("-")
        name = part.lstrip("+-").strip()
        if not name:
            raise InvalidParameterError(f"sortby {raw[:80]!r} has an empty property name", "sortby")
        keys.append((name, ascending))
    return tuple(keys)


def _boolean(params: Params, name: str) -> bool:
    raw = params.get(name)
    if raw is None:
        return False
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise InvalidParameterError(f"{name} must be true or false, got {raw[:80]!r}", name)


def feature_id(raw: str) -> int | None:
    """A feature id from a path: a positive bigint, or None (answered as 'no such feature')."""
    if not re.fullmatch(r"\d{1,19}", raw or "") or not 0 < int(raw) <= _BIGINT:
        return None
    return int(raw)


# -- Coverages --------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageParams:
    subset: CoverageSubset
    properties: tuple[str, ...] | None


_SUBSET_PART = re.compile(r"\s*([A-Za-z]+)\s*\(\s*([^():]*?)\s*(?::\s*([^():]*?)\s*)?\)\s*")
_GEOGRAPHIC_AXES = {"lon": "x", "long": "x", "longitude": "x", "lat": "y", "latitude": "y"}
_GRID_AXES = {"e": "x", "x": "x", "easting": "x", "n": "y", "y": "y", "northing": "y"}
MAX_SIDE = 20_000


def coverage_params(params: Params, native_srid: int, band_names: list[str]) -> CoverageParams:
    """bbox/subset, scale-factor/scale-size/scale-axes/width/height and properties."""
    bbox = params.bbox()
    subset = _subset(params.get("subset"), native_srid)
    if bbox is not None and subset is not None:
        raise InvalidParameterError("give either bbox or subset, not both", "subset")
    size = _scale_size(params)
    factor = params.number("scale-factor")
    if factor is not None and (factor <= 0 or factor > 16):
        raise InvalidParameterError(f"scale-factor must be above 0 and at most 16, got {factor}", "scale-factor")
    if factor is not None and size is not None:
        raise InvalidParameterError("give either scale-factor or a size, not both", "scale-factor")
    bands = _bands(params.names("properties"), band_names)
    return CoverageParams(
        CoverageSubset(bbox=bbox or subset, size=size, scale_factor=factor, bands=bands),
        params.names("properties"),
    )


def _subset(raw: str | None, native_srid: int) -> BBox | None:
    if raw is None:
        return None
    bounds: dict[str, tuple[float, float]] = {}
    kinds = set()
    for part in _split_subset(raw):
        match = _SUBSET_PART.fullmatch(part)
        if not match:
            raise InvalidParameterError(
                f"subset {raw[:80]!r} must look like Lat(31.8:31.9),Lon(120.5:120.6)", "subset"
            )
        axis, low, high = match.group(1).lower(), match.group(2), match.group(3)
        if axis in _GEOGRAPHIC_AXES:
            key, kinds = _GEOGRAPHIC_AXES[axis], kinds | {"geographic"}
        elif axis in _GRID_AXES:
            key, kinds = _GRID_AXES[axis], kinds | {"native"}
        else:
            raise InvalidParameterError(
                f"subset axis {match.group(1)[:20]!r} is unknown; use Lat/Lon or E/N", "subset"
            )
        lo = _finite(low.strip('"'), "subset")
        hi = _finite(high.strip('"'), "subset") if high is not None else lo
        if lo > hi or key in bounds:
            raise InvalidParameterError(f"subset {raw[:80]!r}: axis {axis} is inverted or repeated", "subset")
        bounds[key] = (lo, hi)
    if len(kinds) > 1:
        raise InvalidParameterError("subset mixes Lat/Lon with E/N axes", "subset")
    if set(bounds) != {"x", "y"}:
        raise InvalidParameterError("subset must trim both axes (Lat and Lon, or E and N)", "subset")
    srid = 4490 if kinds == {"geographic"} else native_srid
    (x0, x1), (y0, y1) = bounds["x"], bounds["y"]
    if x0 == x1 or y0 == y1:
        raise InvalidParameterError("subset slices (one value on an axis) are not supported", "subset")
    return BBox(x0, y0, x1, y1, srid)


def _split_subset(raw: str) -> list[str]:
    # Commas separate axes (Lat(..),Lon(..)); a subset= given twice arrives joined the same way.
    return [p for p in re.split(r",(?![^(]*\))", raw) if p.strip()]


def _scale_size(params: Params) -> tuple[int, int] | None:
    width, height = params.get("width"), params.get("height")
    raw = params.get("scale-size")
    if raw is not None:
        sizes = {}
        for part in _split_subset(raw):
            match = _SUBSET_PART.fullmatch(part)
            axis = match and (_GEOGRAPHIC_AXES.get(match.group(1).lower()) or _GRID_AXES.get(match.group(1).lower()))
            if not match or not axis or match.group(3) is not None:
                raise InvalidParameterError(
                    f"scale-size {raw[:80]!r} must look like Lon(512),Lat(512)", "scale-size"
                )
            sizes[axis] = _side(match.group(2), "scale-size")
        if set(sizes) != {"x", "y"}:
            raise InvalidParameterError("scale-size must give both axes", "scale-size")
        return sizes["x"], sizes["y"]
    if width is None and height is None:
        return None
    if width is None or height is None:
        raise InvalidParameterError("give both width and height", "width" if width is None else "height")
    return _side(width, "width"), _side(height, "height")


def _side(raw: str, name: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidParameterError(f"{name} must be an integer, got {raw[:80]!r}", name) from None
    if not 1 <= value <= MAX_SIDE:
        raise LimitExceededError(f"{name} must be from 1 to {MAX_SIDE}, got {value}", name)
    return value


def _bands(names: tuple[str, ...] | None, band_names: list[str]) -> tuple[int, ...] | None:
    if names is None:
        return None
    bands = []
    for name in names:
        if name in band_names:
            bands.append(band_names.index(name) + 1)
        elif name.isascii() and name.isdigit() and 1 <= int(name) <= len(band_names):
            bands.append(int(name))
        else:
            raise InvalidParameterError(
                f"properties names {name[:40]!r}, which is not a band; use {', '.join(band_names)}",
                "properties",
            )
    return tuple(bands)


# -- Records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordsParams:
    limit: int
    offset: int
    q: tuple[str, ...]
    bbox: BBox | None
    datetime: str | None
    keywords: tuple[str, ...]
    kind: str | None
    department: str | None


def records_params(params: Params) -> RecordsParams:
    q = params.get("q")
    return RecordsParams(
        limit=params.integer("limit", DEFAULT_LIMIT, 1, 10_000),
        offset=params.integer("offset", 0, 0, MAX_OFFSET),
        q=tuple(t for t in re.split(r"[\s,]+", q or "") if t),
        bbox=params.bbox(),
        datetime=params.datetime(),
        keywords=params.names("keywords") or (),
        kind=params.get("kind"),
        department=params.get("department"),
    )
