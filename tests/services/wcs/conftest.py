"""Coverages for the WCS tests, committed once per module (and removed after it)."""

import numpy as np
import pytest
from affine import Affine
from django.test import override_settings

from geoshare.access.models import Tier
from tests.factories import raster_layer

# DEM: 100 x 80 cells of 10 m in EPSG:4549 whose value is row * 1000 + column.
DEM_TRANSFORM = Affine(10, 0, 540_000, 0, -10, 3_530_000)
# Orthophoto: 64 x 48 cells of 0.0001 degree in EPSG:4490, three bands.
ORTHO_TRANSFORM = Affine(0.0001, 0, 120.55, 0, -0.0001, 31.90)


def dem_values() -> np.ndarray:
    rows, cols = np.mgrid[0:80, 0:100]
    return (rows * 1000 + cols).astype("float32")


def ortho_values() -> np.ndarray:
    rows, cols = np.mgrid[0:48, 0:64]
    return np.stack([rows * 5, cols * 4, (rows + cols) % 256]).astype("uint8")


@pytest.fixture(scope="module")
def coverages(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), override_settings(RASTER_DIR=tmp_path_factory.mktemp("rasters")):
        layers = {
            "wcs_dem": raster_layer("wcs_dem", dem_values()[None], DEM_TRANSFORM, srid=4549, nodata=-9999.0),
            "ortho": raster_layer("ortho", ortho_values(), ORTHO_TRANSFORM, srid=4490),
            "secret_dem": raster_layer("secret_dem", dem_values()[None], DEM_TRANSFORM, srid=4549,
                                       nodata=-9999.0, tier=Tier.INTERNAL),
        }
        try:
            yield layers
        finally:
            for layer in layers.values():
                layer.delete()
