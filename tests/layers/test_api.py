import pytest
import shapely
from django.contrib.auth.models import User

from geoshare.access.models import LayerGrant, Profile, Role, Tier
from tests.factories import department, vector_layer

pytestmark = pytest.mark.django_db

POINT = [shapely.Point(120.55, 31.87)]


def member_client(client, dept_code: str):
    user = User.objects.create_user(f"u_{dept_code}", password="pw-catalog-1")
    Profile.objects.create(user=user, department=department(dept_code), role=Role.VIEWER)
    client.force_login(user)
    return client


def catalog(client) -> dict[str, dict]:
    return {row["name"]: row for row in client.get("/api/catalog/layers/").json()}


def test_public_layers_are_downloadable_by_anyone(client):
    vector_layer("c_pub", POINT, {"a": [1]}, tier=Tier.PUBLIC)
    assert catalog(client)["c_pub"]["downloadable"] is True
    assert client.get("/api/catalog/layers/c_pub/").json()["downloadable"] is True


def test_a_view_grant_shows_a_layer_that_cannot_be_downloaded(client):
    other = department("other", "他局")
    viewed = vector_layer("c_viewed", POINT, {"a": [1]}, tier=Tier.INTERNAL, dept=other)
    fetched = vector_layer("c_fetched", POINT, {"a": [1]}, tier=Tier.INTERNAL, dept=other)
    vector_layer("c_closed", POINT, {"a": [1]}, tier=Tier.INTERNAL, dept=other)
    LayerGrant.objects.create(layer=viewed, department=department("ghj"), action="view")
    LayerGrant.objects.create(layer=fetched, department=department("ghj"), action="download")
    rows = catalog(member_client(client, "ghj"))
    assert rows["c_viewed"]["downloadable"] is False
    assert rows["c_fetched"]["downloadable"] is True
    assert "c_closed" not in rows
    assert client.get("/api/catalog/layers/c_viewed/").json()["downloadable"] is False


def test_the_catalog_query_count_does_not_grow_with_layers(client, django_assert_max_num_queries):
    before = len(catalog(client))
    for i in range(6):
        vector_layer(f"c_many_{i}", POINT, {"a": [1]}, tier=Tier.PUBLIC)
    # layers with their department and downloadable flag, their styles, the audit record
    with django_assert_max_num_queries(3):
        assert len(catalog(client)) == before + 6


def test_a_restricted_grantee_sees_neither_hidden_fields_nor_the_whole_layers_count_and_box(client):
    from django.contrib.gis.geos import GEOSGeometry

    other = department("other", "他局")
    points = [shapely.Point(120.50 + 0.05 * i, 31.9) for i in range(4)]
    layer = vector_layer("c_limited", points, {"name": list("abcd"), "id_no": list("1234")},
                         tier=Tier.INTERNAL, dept=other)
    area = GEOSGeometry("MULTIPOLYGON(((120.49 31.8, 120.56 31.8, 120.56 32, 120.49 32, 120.49 31.8)))", srid=4490)
    LayerGrant.objects.create(layer=layer, department=department("ghj"), hidden_fields=["id_no"],
                              area_limit=area)
    row = member_client(client, "ghj").get("/api/catalog/layers/c_limited/").json()
    assert [f["name"] for f in row["fields"]] == ["name"]
    assert row["feature_count"] is None
    west, south, east, north = row["bbox"]
    assert west == pytest.approx(120.50) and east <= 120.56
    assert catalog(client)["c_limited"]["fields"] == row["fields"]
