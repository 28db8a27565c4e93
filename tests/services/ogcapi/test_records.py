import json

import pytest

from layers.models import Layer

pytestmark = pytest.mark.django_db


def ids(client, **params):
    r = client.get("/ogcapi/collections/catalog/items", {"f": "json", "limit": 1000, **params})
    assert r.status_code == 200, r.content
    # The demo city is loaded too: look only at this module's layers.
    return sorted(f["id"] for f in json.loads(r.content)["features"] if f["id"].startswith("t_"))


def test_records_search(client, t_schools, dem):
    Layer.objects.filter(pk=t_schools.pk).update(title="中小学校", keywords=["教育", "学校"],
                                               data_updated="2024-05-01")
    assert ids(client) == ["t_dem", "t_schools"]
    assert ids(client, q="学校") == ["t_schools"]
    assert ids(client, keywords="教育") == ["t_schools"]
    assert ids(client, kind="basemap") == ["t_dem"]
    assert ids(client, department="test") == ["t_dem", "t_schools"]
    assert ids(client, datetime="2024-01-01/2024-12-31") == ["t_schools"]
    assert ids(client, bbox="120.4,31.8,120.6,32.0") == ["t_schools"]
    record = json.loads(client.get("/ogcapi/collections/catalog/items/t_schools?f=json").content)
    assert record["properties"]["title"] == "中小学校"
    assert any(link["rel"] == "items" for link in record["links"])


@pytest.mark.parametrize("params", [{"bbox": "nan,1,2,3"}, {"datetime": "soon"}, {"limit": "-1"}])
def test_bad_record_searches_are_400(client, t_schools, params):
    assert client.get("/ogcapi/collections/catalog/items", params).status_code == 400
