"""Rasters limited to an area: a warped VRT whose cutline hides what lies outside.

Mapnik's GDAL reader draws the VRT like the COG itself (overviews included); pixels
outside the grant's area limit become transparent. One VRT per layer revision and area,
written once with a temporary name and renamed, so processes on shared storage agree.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from services.render.mapnik_ import MapnikError

__all__ = ["masked_raster"]


def masked_raster(layer, area_limit) -> Path:
    """A VRT of ``layer``'s raster with everything outside ``area_limit`` (storage CRS) masked."""
    digest = hashlib.sha256(
        f"{layer.raster_file}:{layer.data_revision}:".encode() + bytes(area_limit.ewkb)
    ).hexdigest()[:24]
    directory = settings.TILE_CACHE_DIR / ".masked"  # derived data, shared like the tiles
    target = directory / f"{layer.name}-{digest}.vrt"
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        cutline = Path(scratch) / "area.geojson"
        cutline.write_text(
            '{"type":"FeatureCollection",'
            f'"crs":{{"type":"name","properties":{{"name":"EPSG:{layer.srid}"}}}},'
            '"features":[{"type":"Feature","properties":{},'
            f'"geometry":{area_limit.json}}}]}}'
        )
        vrt = Path(scratch) / "masked.vrt"
        nodata = (layer.raster_info or {}).get("nodata")
        command = ["gdalwarp", "-q", "-of", "VRT", "-cutline", str(cutline),
                   "-s_srs", f"EPSG:{layer.srid}", "-t_srs", f"EPSG:{layer.srid}"]
        command += ["-dstnodata", str(nodata)] if nodata is not None else ["-dstalpha"]
        command += [str(layer.raster_path), str(vrt)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise MapnikError(f"gdalwarp could not mask {layer.name}: {result.stderr.strip()[:300]}")
        # The VRT carries the cutline inline; it must not point into the scratch directory.
        os.replace(vrt, target)
    return target
