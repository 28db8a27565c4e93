"""GDAL's WFS driver edits through WFS-T: ogr2ogr appends features, ogrinfo deletes by SQL."""

import json
import subprocess

import pytest
import shapely

from geoshare.access.models import Role, Tier
from geoshare.access.policy import Grant
from layers.features import feature_source
from layers.sources import FeatureQuery, GeometryOutput
from tests.clients.conftest import run
from tests.factories import department, member, vector_layer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hydrants(live_server):
    # Committed for the server thread; dropped before live_server flushes the database.
    layer = vector_layer("t_live_hydrants", [shapely.Point(120.50, 31.90)], {"name": ["北栓"], "pressure": [0.3]},
                         tier=Tier.EGOV, dept=department("t_live_fire"))
    yield layer
    layer.delete()


def stored(layer) -> dict[str, tuple]:
    """What the table holds: name -> (pressure, geometry)."""
    query = FeatureQuery(limit=100, geometry=GeometryOutput("wkb"))
    return {f.properties["name"]: (f.properties["pressure"], shapely.from_wkb(f.geometry))
            for f in feature_source(layer).fetch(query, Grant(layer=layer))}


def test_ogr2ogr_appends_and_ogrinfo_deletes(live_server, hydrants, tmp_path):
    url = f"WFS:{live_server.url}/ows?token={member('t_live_editor', 't_live_fire', Role.EDITOR)}"
    source = tmp_path / "new.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.55, 31.92]},
         "properties": {"name": "东栓", "pressure": 0.35}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.58, 31.94]},
         "properties": {"name": "西栓", "pressure": 0.45}},
    ]}, ensure_ascii=False), encoding="utf-8")
    run("ogr2ogr", "-update", "-append", url, str(source), "-nln", "geoshare:t_live_hydrants")
    rows = stored(hydrants)
    assert set(rows) == {"北栓", "东栓", "西栓"}
    assert rows["东栓"][0] == 0.35 and rows["东栓"][1].equals_exact(shapely.Point(120.55, 31.92), 1e-9)

    # GDAL turns the WHERE clause into an ogc:Filter and sends a wfs:Delete.
    run("ogrinfo", url, "-sql", "DELETE FROM geoshare:t_live_hydrants WHERE name = '西栓'")
    assert set(stored(hydrants)) == {"北栓", "东栓"}


def test_to_a_viewer_the_server_is_read_only(live_server, hydrants, tmp_path):
    url = f"WFS:{live_server.url}/ows?token={member('t_live_viewer', 't_live_fire', Role.VIEWER)}"
    source = tmp_path / "new.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.55, 31.92]},
         "properties": {"name": "东栓"}}]}), encoding="utf-8")
    done = subprocess.run(
        ["ogr2ogr", "-update", "-append", url, str(source), "-nln", "geoshare:t_live_hydrants"],
        capture_output=True, text=True, timeout=120)
    # The capabilities offer no Transaction to someone who may not edit.
    assert done.returncode != 0 and "read-only WFS" in done.stderr
    assert set(stored(hydrants)) == {"北栓"}
