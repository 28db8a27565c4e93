"""Store a GeoTIFF as a Cloud Optimized GeoTIFF under RASTER_DIR."""

from __future__ import annotations

import uuid
from pathlib import Path

import rasterio
import rasterio.shutil
from django.conf import settings
from django.contrib.gis.geos import Polygon
from rasterio.errors import RasterioError
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_bounds

from geoshare.errors import ImportFailedError, first_line
from layers.importers.base import ImportRequest, resolve_srid

__all__ = ["write_cog", "describe_raster"]


def write_cog(request: ImportRequest, source: Path) -> tuple[Path, dict]:
    """Write ``source`` as a COG in RASTER_DIR under a fresh name; returns (path, Layer fields).

    The file is only the layer's once the caller commits the Layer row; on failure the
    caller removes it.
    """
    settings.RASTER_DIR.mkdir(parents=True, exist_ok=True)
    target = settings.RASTER_DIR / f"{request.name}-{uuid.uuid4().hex[:12]}.tif"
    try:
        with rasterio.open(source) as src:
            declared = src.crs.to_wkt() if src.crs else None
            srid = resolve_srid(declared, request.srid, source.name)
            if src.transform.is_identity:
                raise ImportFailedError(f"not georeferenced: {source.name} has no geotransform")
            predictor = 3 if src.dtypes[0].startswith("float") else 2
            with rasterio.Env(GDAL_NUM_THREADS="ALL_CPUS"):
                rasterio.shutil.copy(
                    _with_crs(src, srid) if declared is None else src, target, driver="COG",
                    compress="DEFLATE", predictor=predictor, blocksize=512, overviews="AUTO",
                    bigtiff="IF_SAFER",
                )
    except RasterioError as e:
        target.unlink(missing_ok=True)
        raise ImportFailedError(f"not a readable GeoTIFF: {source.name}: {first_line(e)}") from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    try:
        return target, describe_raster(target, srid)
    except Exception:
        target.unlink(missing_ok=True)
        raise


def describe_raster(path: Path, srid: int) -> dict:
    """The Layer fields of a stored raster: grid, bands and extents."""
    with rasterio.open(path) as ds:
        bounds = ds.bounds
        west, south, east, north = transform_bounds(ds.crs, "EPSG:4490", *bounds, densify_pts=21)
        extent = Polygon.from_bbox((west, south, east, north))
        extent.srid = 4490
        return {
            "storage": "raster",
            "srid": srid,
            "raster_file": path.name,
            "raster_info": {
                "width": ds.width,
                "height": ds.height,
                "count": ds.count,
                "dtypes": list(ds.dtypes),
                "nodata": ds.nodata,
                "band_names": [d or f"band{i + 1}" for i, d in enumerate(ds.descriptions)],
                "resolution": list(ds.res),
                "transform": list(ds.transform)[:6],
            },
            "native_bbox": [bounds.left, bounds.bottom, bounds.right, bounds.top],
            "extent": extent,
        }


def _with_crs(src, srid: int):
    """A VRT of ``src`` that carries the CRS the file lacks and the importer was given."""
    return WarpedVRT(src, src_crs=f"EPSG:{srid}", crs=f"EPSG:{srid}")
