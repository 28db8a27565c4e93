"""What an encoder writes: the features of one or more queries and the numbers about them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from geoshare.geo import Crs
from layers.sources import Feature, FieldInfo

__all__ = ["Part", "Collection"]


@dataclass
class Part:
    """The features of one query, streamed, in the CRS and axis order the request asked for."""

    layer: object  # layers.models.Layer
    fields: list[FieldInfo]  # the properties each feature carries, in order
    features: Iterator[Feature]
    srs: Crs
    yx: bool  # coordinates north/lat first (GML only: GeoJSON, CSV and files are always x/y)
    geometry: bool = True  # False when propertyName left the geometry out


@dataclass
class Collection:
    parts: list[Part]
    number_matched: int | None  # None: unknown
    number_returned: int
    timestamp: str
    next_url: str | None = None
    previous_url: str | None = None
