"""A real client edits through OGC API - Features Part 4: OWSLib's create, update, delete."""

import pytest
import shapely
from owslib.ogcapi.features import Features

from geoshare.access.models import Role, Tier
from tests.factories import department, member, vector_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(live_server):
    # Committed for the server thread; dropped before live_server flushes the database.
    layer = vector_layer("t_live_posts", [shapely.Point(120.50, 31.90)], {"name": ["北站"], "staff": [3]},
                         tier=Tier.EGOV, dept=department("t_live"))
    yield layer
    layer.delete()


def owslib_as(live_server, role: str) -> Features:
    secret = member(f"t_live_{role}", "t_live", role)
    return Features(f"{live_server.url}/ogcapi", headers={"Authorization": f"Bearer {secret}"})


def names(api: Features) -> dict[str, dict]:
    return {f["properties"]["name"]: f for f in api.collection_items("t_live_posts", f="json")["features"]}


def test_owslib_creates_updates_and_deletes_a_feature(live_server, posts):
    api = owslib_as(live_server, Role.EDITOR)
    new = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.55, 31.92]},
           "properties": {"name": "东站", "staff": 7}}
    assert api.collection_item_create("t_live_posts", new)
    created = names(api)["东站"]
    assert created["geometry"]["coordinates"] == pytest.approx([120.55, 31.92])

    new["properties"] = {"name": "东站", "staff": 8}
    assert api.collection_item_update("t_live_posts", created["id"], new)
    assert names(api)["东站"]["properties"]["staff"] == 8

    assert api.collection_item_delete("t_live_posts", created["id"])
    assert set(names(api)) == {"北站"}


def test_owslib_as_a_viewer_is_refused(live_server, posts):
    api = owslib_as(live_server, Role.VIEWER)
    with pytest.raises(RuntimeError, match="may not edit"):
        api.collection_item_create("t_live_posts", {
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [120.5, 31.9]},
            "properties": {"name": "西站"}})
    assert set(names(api)) == {"北站"}
