"""What every importer takes and gives back."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyproj import CRS
from pyproj.exceptions import CRSError

from geoshare.errors import ImportFailedError

__all__ = [
    "ImportRequest", "ImportReport", "Progress", "resolve_srid", "parse_srs",
]

Progress = Callable[[int, "int | None"], None]
"""Called with (items done, items in all or None) as an import goes on."""

METADATA_FIELDS = (
    "title_en", "abstract", "keywords", "scale_denominator", "lineage", "data_updated",
    "contact", "published",
)


@dataclass(frozen=True)
class ImportRequest:
    """A file to publish as a new layer, with its catalog entry."""

    path: Path
    name: str
    title: str
    kind: str
    tier: int
    department_id: int
    srid: int | None = None  # overrides, or supplies, the file's CRS
    encoding: str | None = None  # of attribute text; sniffed when None
    source_layer: str | None = None  # for files with several layers
    metadata: dict = field(default_factory=dict)  # keys from METADATA_FIELDS

    def __post_init__(self):
        unknown = set(self.metadata) - set(METADATA_FIELDS)
        if unknown:
            raise ValueError(f"unknown metadata fields: {sorted(unknown)}")


@dataclass
class ImportReport:
    layer: object
    features: int = 0
    repaired: int = 0
    without_geometry: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.layer.is_vector:
            parts = [f"{self.features} features imported into {self.layer.name}"]
        else:
            info = self.layer.raster_info
            parts = [
                f"{info['width']}×{info['height']} raster with {info['count']} band(s) "
                f"imported into {self.layer.name}"
            ]
        if self.repaired:
            parts.append(f"{self.repaired} invalid geometries repaired")
        if self.without_geometry:
            shown = ", ".join(str(n) for n in self.without_geometry[:10])
            more = "…" if len(self.without_geometry) > 10 else ""
            parts.append(
                f"{len(self.without_geometry)} features kept without usable geometry "
                f"(source rows {shown}{more})"
            )
        parts.extend(self.notes)
        return "; ".join(parts)


def parse_srs(value: str | int | None) -> int | None:
    """'EPSG:4490', 'epsg:4490' or 4490 -> 4490; None stays None."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.upper().startswith("EPSG:"):
        text = text[5:]
    if not text.isdigit():
        raise ImportFailedError(
            f"unknown CRS: {value!r} is not an EPSG code such as EPSG:4490", "srs"
        )
    return int(text)


def resolve_srid(declared: str | None, override: int | None, where: str) -> int:
    """The EPSG code to store data under: the override, else the file's own CRS."""
    if override is not None:
        return _known_srid(override)
    if not declared:
        raise ImportFailedError(
            f"unknown CRS: {where} declares no coordinate reference system; "
            "give one with --srs (for example EPSG:4490)",
            "srs",
        )
    try:
        crs = CRS.from_user_input(declared)
    except CRSError:
        raise ImportFailedError(
            f"unknown CRS: {where} has an unreadable CRS; give --srs", "srs"
        ) from None
    code = crs.to_epsg(min_confidence=70)
    if code is None:
        raise ImportFailedError(
            f"unknown CRS: {crs.name!r} in {where} matches no EPSG code; give --srs", "srs"
        )
    return _known_srid(code)


def _known_srid(code: int) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM spatial_ref_sys WHERE srid = %s", [code])
        if cur.fetchone() is None:
            raise ImportFailedError(
                f"unknown CRS: EPSG:{code} is not in PostGIS's spatial_ref_sys", "srs"
            )
    return code


def as_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
