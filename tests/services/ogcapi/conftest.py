"""Layers the OGC API tests read: made through the real importer (tests/factories.py)."""

import numpy as np
import pytest
import shapely
from affine import Affine

from geoshare.access.models import Tier
from tests.factories import department, raster_layer, vector_layer

LONS = [120.50 + 0.01 * i for i in range(30)]


@pytest.fixture
def t_schools(db):
    return make_schools()


@pytest.fixture
def secret(db):
    return make_secret()


@pytest.fixture
def dem(db):
    return make_dem()


def make_schools():
    """30 public points in 4490 with Chinese names and numbers."""
    return vector_layer(
        "t_schools",
        [shapely.Point(lon, 31.9) for lon in LONS],
        {"name": [f"学校{i}" for i in range(30)], "pupils": [100 * i for i in range(30)],
         "district": ["金港" if i % 2 else "杨舍" for i in range(30)]},
    )


def make_secret():
    """An internal layer of another department: absent for anonymous callers."""
    return vector_layer(
        "police_posts", [shapely.Point(120.6, 31.9)], {"name": ["警务站"]},
        tier=Tier.INTERNAL, dept=department("police", "测试警务局"),
    )


def make_dem():
    """A 4549 DEM, 100 x 80 cells of 10 m: value = row * 1000 + col."""
    rows, cols = np.mgrid[0:80, 0:100]
    data = (rows * 1000 + cols).astype("float32")[None]
    transform = Affine(10, 0, 530_000, 0, -10, 3_530_000)
    return raster_layer("t_dem", data, transform, srid=4549, nodata=-9999.0)
