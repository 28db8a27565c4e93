"""Feature types for the WFS tests, committed once per module (and removed after it)."""

import datetime

import numpy as np
import pytest
import shapely

from geoshare.access.models import Tier
from tests.factories import vector_layer

SCHOOL_COUNT = 20


def school_points():
    """20 points: lon 120.50…120.59 in two rows (31.90 and 31.95)."""
    return [shapely.Point(120.50 + 0.01 * (i % 10), 31.90 + 0.05 * (i // 10)) for i in range(SCHOOL_COUNT)]


def school_fields():
    start = datetime.date(2020, 1, 1)
    return {
        "name": [f"学校{i}" for i in range(SCHOOL_COUNT)],
        "n": list(range(SCHOOL_COUNT)),
        "score": [i * 1.5 for i in range(SCHOOL_COUNT)],
        "kind": ["小学" if i % 2 else "中学" for i in range(SCHOOL_COUNT)],
        "note": [None if i % 5 == 0 else f"note {i}" for i in range(SCHOOL_COUNT)],
        "opened": np.array([start + datetime.timedelta(days=30 * i) for i in range(SCHOOL_COUNT)],
                           dtype="datetime64[D]"),
        "secret": [f"身份证{i}" for i in range(SCHOOL_COUNT)],
    }


PARCELS = [shapely.box(540000 + 100 * i, 3530000, 540080 + 100 * i, 3530080) for i in range(5)]
ROADS = [
    shapely.LineString([(120.495, 31.90), (120.605, 31.90)]),  # through the first row of wfs_schools
    shapely.LineString([(120.50, 31.85), (120.50, 32.00)]),  # north-south through school 0 and 10
    shapely.LineString([(120.70, 31.70), (120.80, 31.70)]),  # far away
]


@pytest.fixture(scope="module")
def wfs_layers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        layers = {
            "wfs_schools": vector_layer("wfs_schools", school_points(), school_fields()),
            "parcels": vector_layer("parcels", PARCELS, {"code": [f"P{i}" for i in range(5)],
                                                          "area": [6400.0] * 5}, srid=4549),
            "wfs_roads": vector_layer("wfs_roads", ROADS, {"name": ["长江路", "人民路", "远路"]}),
            "secret_plans": vector_layer("secret_plans", PARCELS[:1], {"code": ["S"]}, srid=4549,
                                         tier=Tier.INTERNAL),
        }
        try:
            yield layers
        finally:
            for layer in layers.values():
                layer.delete()
