"""OGC API - Maps: collection and dataset maps, map tiles, problem details, map_links."""

import json

import pytest
from django.test import RequestFactory

from geoshare.access.policy import Principal
from services.maps import map_links
from tests.town import BUILDING_RGB, SECRET_RGB, pixel, pixels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

BBOX_4549 = "3527500,551200,3528100,551800"  # EPSG:4549 is north first in OGC API too
EPSG_4549 = "http://www.opengis.net/def/crs/EPSG/0/4549"


def problem(response, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    return json.loads(response.content)


def test_collection_map_in_a_chosen_crs(client, town):
    response = client.get("/ogcapi/collections/town_buildings/map", {
        "bbox": BBOX_4549, "bbox-crs": EPSG_4549, "crs": EPSG_4549, "width": 256, "height": 256,
    })
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Crs"] == f"<{EPSG_4549}>"
    assert pixel(response.content, 98, 140)[:3] == BUILDING_RGB


def test_collection_map_defaults_to_its_extent(client, town):
    response = client.get("/ogcapi/collections/town_buildings/map", {"f": "jpeg"})
    assert response.status_code == 200 and response.content[:3] == b"\xff\xd8\xff"
    assert len(response["Content-Bbox"].split(",")) == 4


def test_dataset_map_never_shows_what_the_caller_may_not_see(client, town):
    params = {"bbox": BBOX_4549, "bbox-crs": EPSG_4549, "crs": EPSG_4549, "width": 128, "height": 128}
    public = client.get("/ogcapi/map", params)
    assert public.status_code == 200
    assert not any(p[:3] == SECRET_RGB for p in pixels(public.content))
    client.force_login(town.users["officer"])
    police = client.get("/ogcapi/map", {**params, "collections": "town_secret"})
    assert any(p[:3] == SECRET_RGB for p in pixels(police.content))


def test_map_tiles_and_tilesets(client, town):
    tilesets = json.loads(client.get("/ogcapi/collections/town_buildings/map/tiles").content)
    assert {t["dataType"] for t in tilesets["tilesets"]} == {"map"}
    tileset = json.loads(client.get("/ogcapi/collections/town_buildings/map/tiles/WebMercatorQuad").content)
    template = next(link["href"] for link in tileset["links"] if link["rel"] == "item")
    assert "/map/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}" in template
    tile = client.get("/ogcapi/collections/town_buildings/map/tiles/WebMercatorQuad/17/53282/109424")
    assert tile.status_code == 200 and tile["Content-Type"] == "image/png" and tile["ETag"]
    dataset = client.get("/ogcapi/map/tiles/CGCS2000Quad/15/10581/54712", {"f": "png"})
    assert dataset.status_code == 200


@pytest.mark.parametrize("path, params, status, parameter", [
    ("/ogcapi/collections/town_secret/map", {}, 404, "collectionId"),
    ("/ogcapi/collections/nope/map", {}, 404, "collectionId"),
    ("/ogcapi/collections/town_roads/map", {"bbox": "1,2,3"}, 400, "bbox"),
    ("/ogcapi/collections/town_roads/map", {"bbox": "nan,1,2,3"}, 400, "bbox"),
    ("/ogcapi/collections/town_roads/map", {"bbox": "3,1,2,4"}, 400, "bbox"),
    ("/ogcapi/collections/town_roads/map", {"width": "100000"}, 400, "width"),
    ("/ogcapi/collections/town_roads/map", {"width": "-1"}, 400, "width"),
    ("/ogcapi/collections/town_roads/map", {"crs": "EPSG:9999"}, 400, "crs"),
    ("/ogcapi/collections/town_roads/map", {"bbox-crs": "urn:nope", "bbox": "1,2,3,4"}, 400, "bbox-crs"),
    ("/ogcapi/collections/town_roads/map", {"f": "gif"}, 400, "f"),
    ("/ogcapi/collections/town_roads/map", {"bgcolor": "javascript:"}, 400, "bgcolor"),
    ("/ogcapi/map", {"collections": "town_roads,town_secret"}, 404, "collections"),
    ("/ogcapi/collections/town_roads/map/tiles/Nope", {}, 400, "tileMatrixSetId"),
    ("/ogcapi/collections/town_roads/map/tiles/WebMercatorQuad/31/0/0", {}, 400, "TileMatrix"),
    ("/ogcapi/collections/town_roads/map/tiles/WebMercatorQuad/2/9/0", {}, 400, "TileRow"),
    ("/ogcapi/collections/town_secret/map/tiles/WebMercatorQuad/2/0/0", {}, 404, "collectionId"),
])
def test_bad_requests_are_problem_details(client, town, path, params, status, parameter):
    body = problem(client.get(path, params), status)
    assert body["status"] == status and body.get("parameter") == parameter and body["detail"]


def test_map_links_for_collection_documents(town):
    request = RequestFactory().get("/ogcapi/collections/town_roads", {"token": "t0k"})
    request.principal = Principal.anonymous()
    links = map_links(request, town.roads)
    rels = {(link["rel"], link["type"]) for link in links}
    assert ("http://www.opengis.net/def/rel/ogc/1.0/map", "image/png") in rels
    assert ("http://www.opengis.net/def/rel/ogc/1.0/tilesets-map", "application/json") in rels
    assert all("token=t0k" in link["href"] for link in links)
    assert all(link["href"].startswith("http://testserver/ogcapi/collections/town_roads/map")
               for link in links)
