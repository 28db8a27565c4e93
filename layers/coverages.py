"""The coverage engine: subsets of raster layers (COG files), shared by WCS and OGC API.

One read path: a WarpedVRT onto the requested grid, so trimming, scaling and reprojection
are the same operation and GDAL picks the right overview. The grant's area limit masks
what lies outside it.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass

import numpy as np
import rasterio
from affine import Affine
from django.conf import settings
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning
from rasterio.features import geometry_mask
from rasterio.io import MemoryFile
from rasterio.vrt import WarpedVRT
from rasterio.warp import calculate_default_transform, transform_bounds, transform_geom

from geoshare.errors import InvalidParameterError, LimitExceededError
from layers.sources import CoverageSubset

__all__ = [
    "CoverageArray", "RasterCoverage", "coverage_source", "SubsetOutsideError", "RESAMPLING",
    "to_geotiff", "to_png",
]

RESAMPLING = {
    "nearest": Resampling.nearest, "bilinear": Resampling.bilinear, "cubic": Resampling.cubic,
    "average": Resampling.average, "mode": Resampling.mode, "lanczos": Resampling.lanczos,
}


class SubsetOutsideError(InvalidParameterError):
    """The requested subset does not overlap the coverage."""


@dataclass
class CoverageArray:
    data: np.ma.MaskedArray  # (bands, rows, columns)
    transform: Affine
    srid: int
    nodata: float | int | None
    band_names: list[str]

    @property
    def width(self) -> int:
        return self.data.shape[2]

    @property
    def height(self) -> int:
        return self.data.shape[1]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        west, north = self.transform @ (0, 0)
        east, south = self.transform @ (self.width, self.height)
        return (min(west, east), min(south, north), max(west, east), max(south, north))


def coverage_source(layer) -> RasterCoverage:
    if layer.is_vector:
        raise InvalidParameterError(f"layer {layer.name!r} is not a coverage", "coverageId")
    return RasterCoverage(layer)


class RasterCoverage:
    def __init__(self, layer):
        self.layer = layer
        self.info = layer.raster_info

    def describe(self) -> dict:
        """Grid, bands, data type, nodata and extents (native CRS and CGCS2000)."""
        return {
            "srid": self.layer.srid,
            "width": self.info["width"],
            "height": self.info["height"],
            "bands": self.info["band_names"],
            "dtypes": self.info["dtypes"],
            "nodata": self.info["nodata"],
            "resolution": self.info["resolution"],
            "transform": self.info["transform"],
            "native_bbox": list(self.layer.native_bbox),
            "bbox_4490": list(self.layer.extent.extent) if self.layer.extent else None,
        }

    def read(self, subset: CoverageSubset, grant) -> CoverageArray:
        out_srid = subset.out_srid or self.layer.srid
        bands = self._bands(subset.bands)
        resampling = RESAMPLING.get(subset.resampling)
        if resampling is None:
            raise InvalidParameterError(
                f"interpolation {subset.resampling!r} is not supported; use one of "
                f"{', '.join(RESAMPLING)}",
                "interpolation",
            )
        if grant.area_limit is not None:
            # The mask applies after the warp: an averaging kernel would blend pixels from
            # outside the area into those inside it. Nearest takes one pixel that touches it.
            resampling = RESAMPLING["nearest"]
        with rasterio.open(self.layer.raster_path) as src:
            bounds = self._output_bounds(src, subset, out_srid)
            width, height = self._output_size(src, subset, bounds, out_srid)
            transform = Affine.translation(bounds[0], bounds[3]) @ Affine.scale(
                (bounds[2] - bounds[0]) / width, -(bounds[3] - bounds[1]) / height
            )
            nodata = src.nodata
            with WarpedVRT(
                src, crs=f"EPSG:{out_srid}", transform=transform, width=width, height=height,
                resampling=resampling, src_nodata=nodata, nodata=nodata,
                add_alpha=nodata is None,
            ) as vrt:
                data = vrt.read(bands, masked=True)
        if grant.area_limit is not None:
            outside = geometry_mask(
                [transform_geom(f"EPSG:{self.layer.srid}", f"EPSG:{out_srid}",
                                _geojson(grant.area_limit))],
                out_shape=(height, width), transform=transform,
            )
            data.mask = np.ma.mask_or(np.ma.getmaskarray(data), np.broadcast_to(outside, data.shape))
        names = [self.info["band_names"][b - 1] for b in bands]
        return CoverageArray(data, transform, out_srid, nodata, names)

    def native_grid(self, subset: CoverageSubset) -> tuple[tuple[float, float, float, float], int, int]:
        """The bounds ``read(subset)`` would cover, in its output CRS, and the pixels they span
        at the coverage's own resolution (no size limit applied: for planning scaled reads)."""
        out_srid = subset.out_srid or self.layer.srid
        with rasterio.open(self.layer.raster_path) as src:
            bounds = self._output_bounds(src, subset, out_srid)
            width, height = self._native_size(src, bounds, out_srid)
        return bounds, width, height

    # -- helpers ----------------------------------------------------------------------------

    def _bands(self, requested: tuple[int, ...] | None) -> list[int]:
        count = self.info["count"]
        if requested is None:
            return list(range(1, count + 1))
        for band in requested:
            if not 1 <= band <= count:
                raise InvalidParameterError(
                    f"band {band} does not exist; this coverage has bands 1 to {count}",
                    "rangeSubset",
                )
        return list(requested)

    def _output_bounds(self, src, subset: CoverageSubset, out_srid: int):
        full = transform_bounds(src.crs, f"EPSG:{out_srid}", *src.bounds, densify_pts=21)
        if subset.bbox is None:
            return full
        wanted = subset.bbox.transformed(out_srid).as_tuple()
        clipped = (
            max(wanted[0], full[0]), max(wanted[1], full[1]),
            min(wanted[2], full[2]), min(wanted[3], full[3]),
        )
        if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
            raise SubsetOutsideError(
                f"subset {_fmt(wanted)} does not overlap the coverage extent {_fmt(full)}",
                "subset",
            )
        return clipped if subset.clip else wanted

    def _output_size(self, src, subset: CoverageSubset, bounds, out_srid: int) -> tuple[int, int]:
        if subset.size is not None:
            width, height = subset.size
        else:
            native_w, native_h = self._native_size(src, bounds, out_srid)
            factor = subset.scale_factor or 1.0
            if not math.isfinite(factor) or factor <= 0:
                raise InvalidParameterError(f"scale factor must be positive, got {factor}", "scaleFactor")
            width = max(1, round(native_w * factor))
            height = max(1, round(native_h * factor))
        if width < 1 or height < 1:
            raise InvalidParameterError(f"output size {width}×{height} is empty", "scaleSize")
        if width * height > settings.GEOSHARE_MAX_COVERAGE_PIXELS:
            raise LimitExceededError(
                f"the result would be {width}×{height} pixels; the limit is "
                f"{settings.GEOSHARE_MAX_COVERAGE_PIXELS} pixels: subset or scale down",
                "scaleSize",
            )
        return width, height

    def _native_size(self, src, bounds, out_srid: int) -> tuple[int, int]:
        """Pixels covering ``bounds`` at the coverage's own resolution."""
        if src.crs.to_epsg() == out_srid:
            res_x, res_y = src.res
        else:
            transform, w, h = calculate_default_transform(
                src.crs, f"EPSG:{out_srid}", src.width, src.height, *src.bounds
            )
            res_x, res_y = abs(transform.a), abs(transform.e)
        return (
            max(1, math.ceil((bounds[2] - bounds[0]) / res_x - 1e-9)),
            max(1, math.ceil((bounds[3] - bounds[1]) / res_y - 1e-9)),
        )


def to_geotiff(array: CoverageArray) -> bytes:
    """A tiled, compressed GeoTIFF of the array; masked pixels as nodata or an internal mask."""
    data = array.data
    profile = {
        "driver": "GTiff", "width": array.width, "height": array.height, "count": data.shape[0],
        "dtype": data.dtype, "crs": f"EPSG:{array.srid}", "transform": array.transform,
        "compress": "deflate", "tiled": array.width >= 256 and array.height >= 256,
        # Level 1 with a predictor: a third of the time of level 6, and (DEMs most of all)
        # smaller, because the predictor leaves deflate small differences to pack.
        "zlevel": 1, "predictor": 3 if data.dtype.kind == "f" else 2,
    }
    if array.nodata is not None:
        profile["nodata"] = array.nodata
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), MemoryFile() as memory:
        with memory.open(**profile) as dst:
            fill = array.nodata if array.nodata is not None else 0
            dst.write(data.filled(fill))
            for i, name in enumerate(array.band_names, start=1):
                dst.set_band_description(i, name)
            if array.nodata is None and np.ma.getmaskarray(data).any():
                dst.write_mask(~np.ma.getmaskarray(data).all(axis=0))
        return memory.read()


def to_png(array: CoverageArray) -> bytes:
    """A quick-look PNG: RGB bands as they are, one band stretched to grey; masked transparent."""
    data = array.data
    if data.shape[0] >= 3 and data.dtype == np.uint8:
        rgb = data[:3].filled(0)
    else:
        band = data[0].astype("float64")
        low, high = (float(band.min()), float(band.max())) if band.count() else (0.0, 1.0)
        scale = 255.0 / (high - low) if high > low else 0.0
        grey = ((band.filled(low) - low) * scale).clip(0, 255).astype("uint8")
        rgb = np.stack([grey, grey, grey])
    alpha = np.where(np.ma.getmaskarray(data).all(axis=0), 0, 255).astype("uint8")
    with warnings.catch_warnings(), MemoryFile() as memory:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a quick look has no georeference
        with memory.open(driver="PNG", width=array.width, height=array.height, count=4,
                         dtype="uint8") as dst:
            dst.write(np.concatenate([rgb, alpha[None]]))
        return memory.read()


def _geojson(geometry) -> dict:
    return json.loads(geometry.geojson)


def _fmt(box) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in box) + ")"
