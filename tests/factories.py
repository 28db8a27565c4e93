"""Small layers made on the spot, for tests that need exact, known data."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import rasterio
import shapely
from affine import Affine

from geoshare.access.models import Department, Tier
from layers.importers import ImportRequest, import_file


def department(code: str = "test", name: str | None = None) -> Department:
    return Department.objects.get_or_create(code=code, defaults={"name": name or f"测试局 {code}"})[0]


def member(username: str, department_code: str, role: str) -> str:
    """A new user of a department in a role; a personal API token of theirs."""
    from django.contrib.auth.models import User

    from geoshare.access import tokens
    from geoshare.access.models import Profile

    user = User.objects.create_user(username)
    Profile.objects.create(user=user, department=department(department_code), role=role)
    return tokens.issue(user, "test")[0]


def as_member(client, department_code: str, role: str):
    """``client``, now sending the token of a new member of a department in a role."""
    token = member(f"t_{department_code}_{role}", department_code, role)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def vector_layer(name: str, geometries: list, fields: dict[str, list], srid: int = 4490,
                 tier: int = Tier.PUBLIC, dept: Department | None = None, kind: str = "thematic"):
    """A layer imported through the real importer from a GeoPackage written here."""
    names = list(fields)
    field_data = [np.asarray(fields[n], dtype=object if _is_text(fields[n]) else None) for n in names]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.gpkg"
        geometry_type = shapely.get_type_id(geometries[0])
        pyogrio.raw.write(
            path, shapely.to_wkb(np.asarray(geometries, dtype=object)), field_data=field_data,
            fields=names, geometry_type=_OGR_TYPES[geometry_type], crs=f"EPSG:{srid}",
            driver="GPKG", layer=name,
        )
        return import_file(ImportRequest(
            path=path, name=name, title=name, kind=kind, tier=tier,
            department_id=(dept or department()).pk,
        )).layer


def raster_layer(name: str, data: np.ndarray, transform: Affine, srid: int = 4549,
                 nodata=None, tier: int = Tier.PUBLIC, dept: Department | None = None):
    """A raster layer (stored as COG by the importer) from a (bands, rows, cols) array."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.tif"
        with rasterio.open(
            path, "w", driver="GTiff", width=data.shape[2], height=data.shape[1],
            count=data.shape[0], dtype=data.dtype, crs=f"EPSG:{srid}", transform=transform,
            nodata=nodata,
        ) as dst:
            dst.write(data)
        return import_file(ImportRequest(
            path=path, name=name, title=name, kind="basemap", tier=tier,
            department_id=(dept or department()).pk,
        )).layer


_OGR_TYPES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
              6: "MultiPolygon"}


def _is_text(values: list) -> bool:
    return any(isinstance(v, str) for v in values)
