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


@pytest.mark.parametrize("headers, query, title", [
    ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "", "zh"),  # what a Chinese browser sends
    ({"HTTP_ACCEPT_LANGUAGE": "fr"}, "", "zh"),
    ({}, "?lang=zh", "zh"),
    ({}, "?lang=xx", "zh"),
    ({"HTTP_ACCEPT_LANGUAGE": "en-GB"}, "", "en"),
    ({}, "?lang=en", "en"),
    ({"HTTP_ACCEPT": "application/json;q=0"}, "", "zh"),
])
def test_any_language_or_accept_header_gets_an_answer(client, headers, query, title):
    response = client.get(f"/ogcapi/collections{query}", **headers)
    assert response.status_code == 200
    titles = {c["id"]: c["title"] for c in json.loads(response.content)["collections"]}
    assert titles["buildings"] == {"zh": "房屋建筑", "en": "Buildings"}[title]
