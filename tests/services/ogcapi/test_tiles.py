import json

import mapbox_vector_tile
import pytest
from django.db import connection
from django.test import override_settings

from geoshare.access.policy import Grant
from services.tiles.mvt import tile_sql
from services.tiles import tms as tms_registry
from services.tiles.tms import TileIndex

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tile_cache(tmp_path):
    with override_settings(TILE_CACHE_DIR=tmp_path):
        yield tmp_path


def decode(content: bytes) -> list[dict]:
    layers = mapbox_vector_tile.decode(content)
    return layers["t_schools"]["features"] if "t_schools" in layers else []


@pytest.mark.parametrize("tms", ["WebMercatorQuad", "CGCS2000Quad"])
def test_vector_tile_holds_the_layer_features(client, t_schools, tms):
    tile = tms_registry.get(tms).tile(120.555, 31.9, 12)  # holds the points 120.55 and 120.56
    r = client.get(f"/ogcapi/collections/t_schools/tiles/{tms}/12/{tile.y}/{tile.x}")
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/vnd.mapbox-vector-tile"
    features = decode(r.content)
    assert features and {f["properties"]["name"] for f in features} <= {f"学校{i}" for i in range(30)}
    assert "pupils" in features[0]["properties"]


def test_second_request_is_served_from_the_cache_and_an_edit_misses(client, t_schools, tile_cache):
    url = "/ogcapi/collections/t_schools/tiles/WebMercatorQuad/0/0/0"
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    assert list(tile_cache.rglob("0.mvt")) and not list(tile_cache.rglob(".*"))  # atomic: no leftovers
    t_schools.bump(data=True)
    assert client.get(url)["X-Cache"] == "miss"
    [layer_dir] = (tile_cache / "mvt").glob(f"t_schools-{t_schools.pk}-*")
    assert [p.name for p in layer_dir.iterdir()] == [f"r{t_schools.data_revision}"]  # old one dropped


def test_restricted_view_is_cached_apart_and_hides_fields(t_schools):
    full = Grant(t_schools)
    restricted = Grant(t_schools, hidden_fields=frozenset({"pupils"}))
    assert full.cache_key != restricted.cache_key
    with connection.cursor() as cur:
        cur.execute(tile_sql(t_schools, restricted, TileIndex("WebMercatorQuad", 0, 0, 0)))
        features = decode(bytes(cur.fetchone()[0]))
    assert features and "pupils" not in features[0]["properties"]


def test_empty_tile_is_204(client, t_schools):
    assert client.get("/ogcapi/collections/t_schools/tiles/WebMercatorQuad/3/0/0").status_code == 204


@pytest.mark.parametrize("path", ["WebMercatorQuad/25/0/0", "WebMercatorQuad/1/5/0", "NoSuchTMS/0/0/0",
                                  "WebMercatorQuad/a/0/0", "WebMercatorQuad/0/0/0?f=png"])
def test_bad_tile_requests_are_400(client, t_schools, path):
    r = client.get(f"/ogcapi/collections/t_schools/tiles/{path}")
    assert r.status_code == 400 and json.loads(r.content)["status"] == 400


def test_tileset_metadata_and_matrix_sets(client, t_schools):
    tilesets = json.loads(client.get("/ogcapi/collections/t_schools/tiles").content)["tilesets"]
    assert {t["tileMatrixSetURI"].rsplit("/", 1)[-1] for t in tilesets} == {"WebMercatorQuad", "CGCS2000Quad"}
    tileset = json.loads(client.get("/ogcapi/collections/t_schools/tiles/CGCS2000Quad").content)
    assert tileset["layers"][0]["propertiesSchema"]["properties"]["pupils"]["type"] == "integer"
    assert json.loads(client.get("/ogcapi/tileMatrixSets/CGCS2000Quad").content)["id"] == "CGCS2000Quad"
    collection = json.loads(client.get("/ogcapi/collections/t_schools?f=json").content)
    assert any("tilesets-vector" in link["rel"] for link in collection["links"])
