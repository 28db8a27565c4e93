import json

import pytest

pytestmark = pytest.mark.django_db


def answer(client, url):
    r = client.get(url, HTTP_ACCEPT="application/json")
    content = b"".join(r.streaming_content) if r.streaming else r.content
    return r.status_code, json.loads(content) if content else None


def test_internal_layer_is_absent_for_anonymous(client, t_schools, secret):
    _, doc = answer(client, "/ogcapi/collections")
    ids = [c["id"] for c in doc["collections"]]
    assert "t_schools" in ids and "police_posts" not in ids
    _, records = answer(client, "/ogcapi/collections/catalog/items?limit=1000")
    record_ids = [r["id"] for r in records["features"]]
    assert "t_schools" in record_ids and "police_posts" not in record_ids
    assert "police_posts" not in json.dumps(answer(client, "/ogcapi/openapi?f=json")[1])


@pytest.mark.parametrize("path", [
    "", "/items", "/items/1", "/queryables", "/tiles", "/tiles/WebMercatorQuad",
    "/tiles/WebMercatorQuad/0/0/0", "/coverage",
])
def test_hidden_layer_answers_like_an_unknown_one(client, secret, path):
    hidden = answer(client, f"/ogcapi/collections/police_posts{path}")
    unknown = answer(client, f"/ogcapi/collections/no_such_layer{path}")
    assert hidden[0] == unknown[0] == 404
    assert hidden[1]["detail"].replace("police_posts", "X") == unknown[1]["detail"].replace("no_such_layer", "X")


def test_catalog_record_is_absent_for_hidden_layers(client, secret):
    assert answer(client, "/ogcapi/collections/catalog/items/police_posts")[0] == 404


def test_superuser_sees_the_internal_layer(client, t_schools, secret, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(admin)
    status, doc = answer(client, "/ogcapi/collections/police_posts/items")
    assert status == 200 and doc["features"][0]["properties"]["name"] == "警务站"


def test_a_published_layer_is_live_at_the_next_request(client, t_schools):
    assert answer(client, "/ogcapi/collections/t_schools")[0] == 200
    t_schools.published = False
    t_schools.save()
    assert answer(client, "/ogcapi/collections/t_schools")[0] == 404
    t_schools.published = True
    t_schools.title = "学校（新）"
    t_schools.save()
    assert answer(client, "/ogcapi/collections/t_schools")[1]["title"] == "学校（新）"
