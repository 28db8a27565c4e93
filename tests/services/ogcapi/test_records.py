import json

import pytest

from layers.models import Layer

pytestmark = pytest.mark.django_db


def ids(client, **params):
    r = client.get("/ogcapi/collections/catalog/items", {"f": "json", **params})
    assert r.status_code == 200, r.content
    return sorted(f["id"] for f in json.loads(r.content)["features"])


def test_records_search(client, schools, dem):
    Layer.objects.filter(pk=schools.pk).update(title="中小学校", keywords=["教育", "学校"],
                                               data_updated="2024-05-01")
    assert ids(client) == ["dem", "schools"]
    assert ids(client, q="学校") == ["schools"]
    assert ids(client, keywords="教育") == ["schools"]
    assert ids(client, kind="basemap") == ["dem"]
    assert ids(client, department="test") == ["dem", "schools"]
    assert ids(client, datetime="2024-01-01/2024-12-31") == ["schools"]
    assert ids(client, bbox="120.4,31.8,120.6,32.0") == ["schools"]
    record = json.loads(client.get("/ogcapi/collections/catalog/items/schools?f=json").content)
    assert record["properties"]["title"] == "中小学校"
    assert any(link["rel"] == "items" for link in record["links"])


@pytest.mark.parametrize("params", [{"bbox": "nan,1,2,3"}, {"datetime": "soon"}, {"limit": "-1"}])
def test_bad_record_searches_are_400(client, schools, params):
    assert client.get("/ogcapi/collections/catalog/items", params).status_code == 400
