"""Request parameters of the geocoding API, parsed into values; every check and limit is here.

Coordinates in requests are x/y in the CRS the request names (``crs``, default
EPSG:4490 lon/lat); they become CGCS2000 lon/lat here, and answers go back through
``Output``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from geoshare.errors import InvalidParameterError, LimitExceededError, MissingParameterError
from geoshare.geo import BBox, Crs, parse_crs, transformer

from ..matcher import Bias
from ..normalize import clean
from ..parser import MAX_LENGTH

__all__ = [
    "BATCH_MAX",
    "Output",
    "address_text",
    "bias",
    "integer",
    "output",
    "point",
    "text_list",
]

BATCH_MAX = 1000  # addresses per synchronous request; files go to batch jobs
# Raw text longer than this is refused before any work; cleanup may shorten what is left,
# and MAX_LENGTH applies to that.
_RAW_MAX = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Output:
    """How answers give coordinates: always lon/lat CGCS2000, plus x/y in ``crs`` if asked."""

    crs: Crs | None

    @property
    def name(self) -> str:
        return self.crs.code if self.crs else "EPSG:4490"

    def point(self, lon: float, lat: float) -> dict:
        coordinates = {"lon": round(lon, 8), "lat": round(lat, 8)}
        if self.crs is not None and self.crs.epsg != 4490:
            x, y = transformer(4490, self.crs.epsg).transform(lon, lat)
            digits = 8 if self.crs.epsg == 4326 else 3
            coordinates.update(x=round(x, digits), y=round(y, digits))
        return coordinates


def output(params) -> Output:
    raw = params.get("crs")
    if raw and not isinstance(raw, str):
        raise InvalidParameterError(f"crs must be a text such as EPSG:4549, got {raw!r:.40}", "crs")
    return Output(parse_crs(raw, "crs") if raw else None)


def address_text(raw, locator: str = "q") -> str:
    """An address as received, refused with a reason if no address could be in it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise MissingParameterError(f"{locator} must be an address, got nothing", locator)
    if not isinstance(raw, str):
        raise InvalidParameterError(
            f"{locator} must be a text, got {type(raw).__name__} {str(raw)[:40]!r}", locator
        )
    if len(raw) > _RAW_MAX:
        raise LimitExceededError(
            f"{locator} must be at most {MAX_LENGTH} characters, got {len(raw)}", locator
        )
    if _CONTROL.search(raw):
        raise InvalidParameterError(
            f"{locator} must be text; it contains control characters or undecodable bytes "
            f"({_cut(raw)!r})",
            locator,
        )
    cleaned = clean(raw)
    if len(cleaned) > MAX_LENGTH:
        raise LimitExceededError(
            f"{locator} must be at most {MAX_LENGTH} characters, got {len(cleaned)}", locator
        )
    if not any(unicodedata.category(ch)[0] in "LN" for ch in cleaned):
        raise InvalidParameterError(
            f"{locator} has no letters or digits, so no address: {_cut(raw)!r}", locator
        )
    return raw


def text_list(raw, locator: str, maximum: int = BATCH_MAX) -> list:
    if not isinstance(raw, list) or not raw:
        raise InvalidParameterError(
            f"{locator} must be a non-empty list of addresses, got {_cut(str(raw))!r}", locator
        )
    if len(raw) > maximum:
        raise LimitExceededError(
            f"{locator} may hold at most {maximum} addresses, got {len(raw)}; "
            "upload larger lists as a batch job (POST /api/geocoding/jobs)",
            locator,
        )
    for n, item in enumerate(raw):
        if not isinstance(item, str):
            raise InvalidParameterError(
                f"{locator}[{n}] must be a text, got {type(item).__name__}", f"{locator}[{n}]"
            )
    # JSON may carry lone surrogates (\ud800), which no answer could echo; as U+FFFD they
    # are refused like other undecodable text, for that address alone.
    return [_SURROGATE.sub("\ufffd", item) for item in raw]


def integer(params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise InvalidParameterError(
            f"{name} must be an integer from {low} to {high}, got {_cut(str(raw))!r}", name
        )
    return value


def number(params, name: str, default: float, low: float, high: float) -> float:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    value = _finite(raw, name)
    if not low <= value <= high:
        raise InvalidParameterError(f"{name} must be from {low:g} to {high:g}, got {value:g}", name)
    return value


def point(params, out: Output, names: tuple[str, str] = ("lon", "lat")) -> tuple[float, float]:
    """A point given as two parameters in the request CRS, as CGCS2000 lon/lat."""
    values = []
    for name in names:
        raw = params.get(name)
        if raw is None or raw == "":
            raise MissingParameterError(f"{name} is required", name)
        values.append(_finite(raw, name))
    return _to_cgcs2000(*values, out, names[0])


def bias(params, out: Output) -> Bias:
    bbox = near = None
    if raw := params.get("bbox"):
        values = [_finite(v, "bbox") for v in raw.split(",")]
        if len(values) != 4 or values[0] >= values[2] or values[1] >= values[3]:
            raise InvalidParameterError(
                f"bbox must be minx,miny,maxx,maxy with min < max, got {_cut(raw)!r}", "bbox"
            )
        srid = out.crs.epsg if out.crs else 4490
        box = BBox(*values, srid).transformed(4490)
        bbox = box.as_tuple()
        _check_lonlat(bbox[0], bbox[1], "bbox")
        _check_lonlat(bbox[2], bbox[3], "bbox")
    if raw := params.get("near"):
        values = [_finite(v, "near") for v in raw.split(",")]
        if len(values) != 2:
            raise InvalidParameterError(f"near must be x,y, got {_cut(raw)!r}", "near")
        near = _to_cgcs2000(*values, out, "near")
    return Bias(bbox, near)


def _to_cgcs2000(x: float, y: float, out: Output, locator: str) -> tuple[float, float]:
    if out.crs is not None and out.crs.epsg != 4490:
        x, y = transformer(out.crs.epsg, 4490).transform(x, y)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise InvalidParameterError(f"{locator} lies outside {out.crs.code}", locator)
    _check_lonlat(x, y, locator)
    return x, y


def _check_lonlat(lon: float, lat: float, locator: str) -> None:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidParameterError(
            f"{locator} must lie within longitude -180..180 and latitude -90..90 "
            f"(x/y order), got {lon:g}, {lat:g}",
            locator,
        )


def _finite(raw, name: str) -> float:
    try:
        value = float(str(raw).strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidParameterError(f"{name} must be finite numbers, got {_cut(str(raw))!r}", name)
    return value


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
