"""Collection documents: what a collection links to."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_collections_link_to_their_map_and_map_tiles(client):
    doc = json.loads(client.get("/ogcapi/collections/schools", {"f": "json"}).content)
    rels = {(link["rel"], link["type"]): link["href"] for link in doc["links"]}
    map_href = rels["http://www.opengis.net/def/rel/ogc/1.0/map", "image/png"]
    assert "/ogcapi/collections/schools/map" in map_href
    assert ("http://www.opengis.net/def/rel/ogc/1.0/tilesets-map", "application/json") in rels
    response = client.get(map_href.removeprefix("http://testserver"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
