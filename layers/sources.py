"""The two contracts every protocol reads data through: features and coverages.

WFS and OGC API - Features build a ``FeatureQuery`` (WFS parses FES, OGC API parses
CQL2, both into a pygeofilter AST) and read it from ``feature_source(layer)``; WCS and
OGC API - Coverages read a ``CoverageSubset`` from ``coverage_source(layer)``. The
``Grant`` from the access policy is a parameter of every read, so no caller can forget it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from geoshare.geo import BBox

__all__ = [
    "GeometryOutput", "FeatureQuery", "Feature", "FieldInfo", "FeatureSource",
    "CoverageSubset", "CoverageSource", "MAX_LIMIT",
]

MAX_LIMIT = 100_000  # one page; streaming whole layers goes through limit=None


@dataclass(frozen=True)
class GeometryOutput:
    """How features' geometries come back, encoded by PostGIS rather than in Python.

    format: "wkb" (bytes), "geojson"/"wkt" (text), "gml2"/"gml3" (text, ST_AsGML; gml3 serves
    GML 3.1.1 and, with gml:id, GML 3.2), or "none".
    """

    format: str = "geojson"
    srid: int | None = None  # None: the layer's own CRS
    precision: int = 9  # decimal digits; GeoJSON/GML only
    gml_options: int = 0  # ST_AsGML options bitmask (1: long CRS name, 16: lat/lon order…)
    gml_id_prefix: str | None = None  # gml:id="<prefix><fid>" on each geometry (GML 3.2)
    axis_yx: bool = False  # write northing/latitude first (EPSG axis order), GeoJSON/WKB only


@dataclass(frozen=True)
class FeatureQuery:
    bbox: BBox | None = None  # x/y in bbox.srid
    where: object | None = None  # pygeofilter AST
    literal_srid: int = 4326  # CRS of geometry literals in ``where`` that name none
    ids: tuple[int, ...] | None = None  # feature ids (fid)
    properties: tuple[str, ...] | None = None  # None: every visible property
    sortby: tuple[tuple[str, bool], ...] = ()  # (property, ascending)
    limit: int | None = 1000  # None: all (streamed)
    offset: int = 0
    after_fid: int | None = None  # keyset paging: continue after this fid (fid order only)
    geometry: GeometryOutput = field(default_factory=GeometryOutput)


class Feature(NamedTuple):
    fid: int
    geometry: bytes | str | None
    properties: dict


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str  # PostgreSQL type name
    title: str = ""


class FeatureSource(Protocol):
    def fields(self, grant) -> list[FieldInfo]:
        """The properties the grant shows, in table order."""

    def count(self, query: FeatureQuery, grant) -> int:
        """Exact number of features matching the query (ignores limit/offset)."""

    def estimate(self, query: FeatureQuery, grant) -> int:
        """The planner's estimate of the same number: cheap on any table size."""

    def features(self, query: FeatureQuery, grant) -> Iterator[Feature]:
        """Matching features, streamed from a server-side cursor."""

    def get(self, fid: int, grant, geometry: GeometryOutput | None = None) -> Feature:
        """One feature; FeatureNotFoundError if absent or outside the grant."""

    def lock(self, query: FeatureQuery, grant) -> list[int]:
        """The ids of the matching features, locked for an edit until the transaction ends."""


@dataclass(frozen=True)
class CoverageSubset:
    bbox: BBox | None = None  # trim, x/y in bbox.srid; None: the whole coverage
    out_srid: int | None = None  # None: the coverage's own CRS
    size: tuple[int, int] | None = None  # (width, height) of the result in pixels
    scale_factor: float | None = None  # alternative to size: 0.5 halves each axis
    bands: tuple[int, ...] | None = None  # 1-based band indexes; None: all
    resampling: str = "nearest"
    clip: bool = True  # False: keep a bbox reaching past the coverage; cells outside are masked


class CoverageSource(Protocol):
    def describe(self) -> dict:
        """Grid, bands, data type, nodata and extent of the coverage."""

    def read(self, subset: CoverageSubset, grant):
        """A CoverageArray of the subset, the grant's area limit masked out."""
