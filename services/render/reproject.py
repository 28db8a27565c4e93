"""Vector geometries moved into a map's CRS by an affine fit, where that is as good as exact.

Mapnik transforms every vertex through PROJ once per symbolizer, so a building drawn with
a fill and an outline is reprojected twice. Over the window of one map, though, the
transformation from a table's CRS is nearly affine: when an affine fit stays within an
eighth of a pixel of the exact transformation everywhere in the window (the tolerance GDAL
warps with), the map's datasource reads geometries already moved by ``ST_Affine``
(nanoseconds per vertex), and only features reaching out of the window go through
``ST_Transform``. Zoomed out too far for a fit, ``ST_Transform`` moves every vertex: in a
quarter of the time Mapnik's own reprojection took for one symbolizer (a 1:250,000 map
of the city's water, 63,000 vertices: 24 ms against 100).

The fit changes with every window, so it reaches the SQL as Mapnik render variables
(``!@name!``), and a built map serves every window it fits.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from geoshare.geo import BBox, transformer

__all__ = ["geometry_sql", "fits", "TOLERANCE_PX"]

TOLERANCE_PX = 0.125
_GRID = 9  # points per axis the fit is checked on: the fit's own and the midpoints between
_AFFINE = ("a", "b", "d", "e", "xoff", "yoff")
_WINDOW = ("x0", "y0", "x1", "y1")


def geometry_sql(source_srid: int, map_srid: int, clip_resolution: float, fitted: bool = True,
                 column: str = "geom") -> str:
    """SQL for ``column`` (in EPSG:source_srid) in the map's CRS: if ``fitted``, filled in by
    ``fits``' variables, else transformed exactly.

    A feature reaching out of the fitted window is transformed exactly, or, zoomed in
    finer than ``clip_resolution`` map units per pixel (where Mapnik clips geometries to
    the queried box anyway), clipped to the window and moved by the fit: the Yangtze is
    not reprojected for a street's worth of it.
    """
    def var(name: str) -> str:
        return f"!@{name}_{int(source_srid)}!::float8"

    source, target = int(source_srid), int(map_srid)
    if not fitted:
        return f"ST_Transform({column}, {target})"
    window = f"ST_MakeEnvelope({', '.join(var(n) for n in _WINDOW)}, {source})"
    affine = ", ".join(var(n) for n in _AFFINE)
    return (
        f"CASE WHEN {column} @ {window} "
        f"THEN ST_SetSRID(ST_Affine({column}, {affine}), {target}) "
        f"WHEN !pixel_width! < {float(clip_resolution)!r} "
        f"THEN ST_SetSRID(ST_Affine(ST_ClipByBox2D({column}, {window}), {affine}), {target}) "
        f"ELSE ST_Transform({column}, {target}) END"
    )


def fits(source_srids: Iterable[int], bbox: BBox, pixel_size: float) -> dict[int, dict[str, str]]:
    """Source CRS -> its render variables for ``geometry_sql``, for each CRS a fit serves.

    ``bbox`` is the window Mapnik queries (the map plus its buffer) and ``pixel_size`` the
    size of a pixel in the map's CRS units. A source CRS left out has no fit within
    tolerance here.
    """
    found = {srid: _affine_fit(srid, bbox, pixel_size * TOLERANCE_PX)
             for srid in set(source_srids) - {bbox.srid}}
    return {srid: fit for srid, fit in found.items() if fit is not None}


@lru_cache(maxsize=1024)  # tiled WMS clients ask for the same windows again and again
def _affine_fit(source_srid: int, bbox: BBox, tolerance: float) -> dict[str, str] | None:
    window = bbox.transformed(source_srid)
    # Fitted around the window's centre (coordinates of millions of metres lose the precision
    # a least-squares solve needs) on every other point of the grid it is checked on.
    cx, cy = (window.minx + window.maxx) / 2, (window.miny + window.maxy) / 2
    xs, ys = np.meshgrid(np.linspace(window.minx, window.maxx, _GRID),
                         np.linspace(window.miny, window.maxy, _GRID))
    exact_x, exact_y = transformer(source_srid, bbox.srid).transform(xs, ys)
    dx, dy = xs - cx, ys - cy
    every_other = (slice(None, None, 2), slice(None, None, 2))
    design = np.column_stack([dx[every_other].ravel(), dy[every_other].ravel(),
                              np.ones(dx[every_other].size)])
    (a, b, c), *_ = np.linalg.lstsq(design, exact_x[every_other].ravel(), rcond=None)
    (d, e, f), *_ = np.linalg.lstsq(design, exact_y[every_other].ravel(), rcond=None)
    error = np.hypot(a * dx + b * dy + c - exact_x, d * dx + e * dy + f - exact_y)
    if not np.all(np.isfinite(error)) or error.max() > tolerance:
        return None
    values = {
        "x0": window.minx, "y0": window.miny, "x1": window.maxx, "y1": window.maxy,
        "a": a, "b": b, "d": d, "e": e,
        "xoff": c - a * cx - b * cy, "yoff": f - d * cx - e * cy,
    }
    # As text: Mapnik would print a number with too few digits.
    return {f"{name}_{source_srid}": repr(float(value)) for name, value in values.items()}
