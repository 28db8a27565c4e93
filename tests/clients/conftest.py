"""Layers for real clients (OWSLib, GDAL) talking to pytest-django's live_server.

live_server makes each test transactional (the server thread has its own connection), so
the layers are made per test and deleted before the database is flushed: their geodata
tables and COG files go with them.
"""

import subprocess

import pytest

from tests.factories import raster_layer, vector_layer
from tests.services.wcs.conftest import DEM_TRANSFORM, ORTHO_TRANSFORM, dem_values, ortho_values
from tests.services.wfs.conftest import PARCELS, school_fields, school_points


@pytest.fixture
def client_layers(live_server, settings, tmp_path):
    settings.RASTER_DIR = tmp_path / "rasters"
    layers = {
        "wfs_schools": vector_layer("wfs_schools", school_points(), school_fields()),
        "parcels": vector_layer("parcels", PARCELS, {"code": [f"地块{i}" for i in range(5)],
                                                      "area": [6400.0] * 5}, srid=4549),
        "wcs_dem": raster_layer("wcs_dem", dem_values()[None], DEM_TRANSFORM, srid=4549, nodata=-9999.0),
        "ortho": raster_layer("ortho", ortho_values(), ORTHO_TRANSFORM, srid=4490),
    }
    yield layers
    for layer in layers.values():
        layer.delete()


@pytest.fixture
def ows_url(live_server) -> str:
    return f"{live_server.url}/ows"


def run(*command: str, timeout: int = 120, env: dict | None = None) -> str:
    """A GDAL command line tool's standard output; its error output in the failure message."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stderr[-3000:]}"
    return done.stdout
