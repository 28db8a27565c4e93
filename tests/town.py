"""A small styled town for map tests: known buildings, labelled roads, rasters and a secret.

Mapnik reads PostGIS through connections of its own, which see only committed rows, so
these layers are created once per session outside the test transactions (and added to the
snapshot that live-server tests restore) and removed at the end. tests/conftest.py
registers this module as a plugin.

Everything lies around (551500, 3527800) in EPSG:4549. The secret (internal, police) covers
nearly all of it; ``planning_grant`` lets planning see its northern half without case_no. ``TOWN_BOX`` (600 m square) drawn
at 256 × 256 pixels puts the library's centre at pixel (98, 140).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from affine import Affine
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection

from geoshare.access.models import LayerGrant, Profile, Tier
from geoshare.access.policy import Principal
from layers.models import Layer, LayerGroup, LayerGroupMember
from services.render import mapnik_
from services.render.mapnik_ import mapnik
from services.render.stylestore import save_style
from tests import snapshot
from tests.factories import department, raster_layer, vector_layer

__all__ = [
    "town", "town_principals", "planning_grant", "tile_cache_dir", "TOWN_BOX", "BUILDING_RGB", "SECRET_RGB",
    "LABEL_RGB", "pixel", "pixels", "Town",
]

TOWN_BOX = (551200.0, 3527500.0, 551800.0, 3528100.0)
BUILDING_RGB = (0xC8, 0xA2, 0x7A)
SECRET_RGB = (0xFF, 0x00, 0x00)
LABEL_RGB = (0x20, 0x20, 0x20)
LIBRARY = shapely.box(551400, 3527740, 551460, 3527800)
GYM = shapely.box(551520, 3527820, 551600, 3527900)

BUILDING_STYLE = (
    '<Style name="b"><Rule><PolygonSymbolizer fill="#c8a27a"/>'
    '<LineSymbolizer stroke="#8a6a4a" stroke-width="0.5"/></Rule></Style>'
)
ROAD_STYLE = (
    '<Style name="casing"><Rule><LineSymbolizer stroke="#999999" stroke-width="10"/></Rule></Style>'
    '<Style name="fill"><Rule><LineSymbolizer stroke="#ffffff" stroke-width="8"/></Rule>'
    '<Rule><TextSymbolizer fontset-name="cjk" size="16" fill="#202020" halo-fill="#ffffff" '
    'halo-radius="1" placement="line" spacing="300">[name]</TextSymbolizer></Rule></Style>'
)
SECRET_STYLE = '<Style name="s"><Rule><PolygonSymbolizer fill="#ff0000"/></Rule></Style>'


class Town:
    def __init__(self, **layers):
        self.__dict__.update(layers)


def _user(name: str, dept) -> object:
    user = get_user_model().objects.create_user(name, password="pw-" + name)
    Profile.objects.create(user=user, department=dept)
    return user


@pytest.fixture(scope="session")
def town(django_db_setup, django_db_blocker):
    """The committed town layers, their styles, a group and two users (see module doc)."""
    with django_db_blocker.unblock():
        planning = department("town_planning", "城镇测试规划局")
        police = department("town_police", "城镇测试公安局")
        buildings = vector_layer(
            "town_buildings", [LIBRARY, GYM],
            {"name": ["图书馆", "体育馆"], "kind": ["culture", "sport"],
             "owner_id": ["320582-0001", "320582-0002"]},
            srid=4549, dept=planning,
        )
        roads = vector_layer(
            "town_roads",
            [shapely.LineString([(551200, 3527810), (551800, 3527810)]),
             shapely.LineString([(551500, 3527500), (551500, 3528100)])],
            {"name": ["人民中路", "长安中路"], "road_class": ["主干路", "主干路"]},
            srid=4549, dept=planning,
        )
        secret = vector_layer(
            "town_secret", [shapely.box(551250, 3527550, 551800, 3528050)],
            {"name": ["机密"], "case_no": ["GA-2024-0031"]},
            srid=4549, tier=Tier.INTERNAL, dept=police,
        )
        rows, cols = np.mgrid[0:60, 0:60]
        dem = raster_layer("town_dem", (rows * 1.0 + cols).astype("float32")[None],
                           Affine(10, 0, 551200, 0, -10, 3528100), srid=4549, nodata=-9999.0)
        ortho_data = np.stack([np.full((60, 60), 30, "uint8"), np.full((60, 60), 160, "uint8"),
                               np.full((60, 60), 60, "uint8")])
        ortho = raster_layer("town_ortho", ortho_data, Affine(10, 0, 551200, 0, -10, 3528100),
                             srid=4549)
        save_style(buildings, name="plain", title="建筑", body=BUILDING_STYLE, is_default=True)
        save_style(roads, name="labelled", title="道路", body=ROAD_STYLE, is_default=True)
        save_style(secret, name="red", title="机密", body=SECRET_STYLE, is_default=True)
        group = LayerGroup.objects.create(name="town_map", title="城镇地图")
        for position, layer in enumerate([ortho, buildings, secret, roads]):
            LayerGroupMember.objects.create(group=group, layer=layer, position=position)
        users = {"planner": _user("town_planner", planning), "officer": _user("town_officer", police)}
        for layer in (buildings, roads, secret, dem, ortho):
            layer.refresh_from_db()
        # Live-server tests flush every table and restore what was serialized after the
        # demo city loaded (tests/conftest.py): the town must be in that snapshot too.
        snapshot.take()
        yield Town(buildings=buildings, roads=roads, secret=secret, dem=dem, ortho=ortho,
                   group=group, users=users, planning=planning, police=police)
        mapnik_.clear_pool()
        LayerGroup.objects.filter(pk=group.pk).delete()
        for layer in Layer.objects.filter(name__startswith="town_"):
            layer.delete()
        get_user_model().objects.filter(username__startswith="town_").delete()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, and at the end Mapnik's pooled PostGIS connections closed, so that
    the database can be dropped (they stay open for the life of the process)."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def planning_grant(town):
    """Planning may see the secret north of y = 3527800 only, and not its case number."""
    north = Polygon.from_bbox((551200, 3527800, 551800, 3528100))
    north.srid = 4549
    north.transform(4490)
    return LayerGrant.objects.create(
        layer=town.secret, department=town.planning, hidden_fields=["case_no"],
        area_limit=MultiPolygon(north, srid=4490),
    )


@pytest.fixture
def town_principals(town):
    return {
        "anonymous": Principal.anonymous(),
        "planner": Principal.for_user(town.users["planner"]),
        "officer": Principal.for_user(town.users["officer"]),
    }


@pytest.fixture
def tile_cache_dir(settings, tmp_path):
    """Every test gets an empty tile cache of its own."""
    settings.TILE_CACHE_DIR = tmp_path / "tiles"
    return settings.TILE_CACHE_DIR


def _image(png: bytes):
    return mapnik.Image.from_buffer(png)


def pixel(png: bytes, x: int, y: int) -> tuple[int, int, int, int]:
    """(r, g, b, a) of one pixel of an encoded image."""
    value = _image(png).get_pixel(x, y)
    return value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF, (value >> 24) & 0xFF


def pixels(png: bytes) -> list[tuple[int, int, int, int]]:
    """Every pixel, row by row."""
    image = _image(png)
    out = []
    for y in range(image.height()):
        for x in range(image.width()):
            value = image.get_pixel(x, y)
            out.append((value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF, (value >> 24) & 0xFF))
    return out
