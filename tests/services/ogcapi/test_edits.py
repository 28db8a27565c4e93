"""OGC API - Features Part 4: editors create, replace and delete items of their layers."""

import json

import pytest
import shapely

from geoshare.access.models import AuditRecord, LayerGrant, Role, Tier
from layers.models import Layer
from tests.factories import as_member, department, vector_layer

pytestmark = pytest.mark.django_db
GEOJSON = "application/geo+json"


@pytest.fixture
def posts(db):
    """Points of the 't_edit' department: a name, a count and a hidden owner."""
    return vector_layer(
        "t_posts", [shapely.Point(120.50, 31.90), shapely.Point(120.60, 31.95)],
        {"name": ["北站", "南站"], "staff": [3, 5], "owner_id": ["A1", "B2"]},
        tier=Tier.EGOV, dept=department("t_edit"),
    )


@pytest.fixture
def editor(client):
    return as_member(client, "t_edit", Role.EDITOR)


def feature(name="东站", staff=7, lon=120.55, lat=31.92, **extra):
    return json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                       "properties": {"name": name, "staff": staff, **extra}})


def items(client, layer="t_posts", **params):
    response = client.get(f"/ogcapi/collections/{layer}/items", {"f": "json", **params})
    return json.loads(b"".join(response.streaming_content))["features"]


def test_an_editor_creates_replaces_and_deletes_a_feature(editor, posts):
    revision = posts.data_revision
    created = editor.post("/ogcapi/collections/t_posts/items", feature(), content_type=GEOJSON)
    assert created.status_code == 201, created.content
    url = created["Location"]
    fid = url.rsplit("/", 1)[1]
    assert url.endswith(f"/ogcapi/collections/t_posts/items/{fid}")
    got = editor.get(url, {"f": "json"}).json()
    assert got["properties"] == {"name": "东站", "staff": 7, "owner_id": None}
    assert got["geometry"]["coordinates"] == pytest.approx([120.55, 31.92])
    posts.refresh_from_db()
    assert posts.feature_count == 3 and posts.data_revision > revision  # caches miss from now on

    replaced = editor.put(url, feature("新东站", 9, 120.56, 31.93), content_type=GEOJSON)
    assert replaced.status_code == 204, replaced.content
    got = editor.get(url, {"f": "json"}).json()
    assert got["properties"] == {"name": "新东站", "staff": 9, "owner_id": None}
    assert got["geometry"]["coordinates"] == pytest.approx([120.56, 31.93])

    assert editor.delete(url).status_code == 204
    assert editor.get(url, {"f": "json"}).status_code == 404
    assert len(items(editor)) == 2
    operations = set(AuditRecord.objects.filter(layers=["t_posts"]).values_list("operation", flat=True))
    assert {"create", "replace", "delete"} <= operations


def test_coordinates_in_another_crs_follow_its_axis_order(editor, posts):
    # EPSG:4326 by URI is latitude first; EPSG:4549 is northing first.
    headers = {"HTTP_CONTENT_CRS": "<http://www.opengis.net/def/crs/EPSG/0/4326>"}
    body = json.dumps({"type": "Feature", "properties": {"name": "纬度在前"},
                       "geometry": {"type": "Point", "coordinates": [31.92, 120.55]}})
    url = editor.post("/ogcapi/collections/t_posts/items", body, content_type=GEOJSON, **headers)["Location"]
    assert editor.get(url, {"f": "json"}).json()["geometry"]["coordinates"] == pytest.approx([120.55, 31.92])


def test_a_wrong_feature_is_refused_and_changes_nothing(editor, posts):
    url = "/ogcapi/collections/t_posts/items"
    cases = {
        "not json": ("{oops", GEOJSON),
        "not a feature": (json.dumps({"type": "Point", "coordinates": [1, 2]}), GEOJSON),
        "unknown property": (feature(colour="红"), GEOJSON),
        "injection in a name": (feature(**{'name" = 1; DROP TABLE x; --': 1}), GEOJSON),
        "wrong value type": (feature(staff="many"), GEOJSON),
        "nested value": (feature(staff=[1, 2]), GEOJSON),
        "polygon into points": (json.dumps({"type": "Feature", "properties": {}, "geometry": {
            "type": "Polygon", "coordinates": [[[120, 31], [121, 31], [121, 32], [120, 31]]]}}), GEOJSON),
        "broken geometry": (json.dumps({"type": "Feature", "properties": {},
                                        "geometry": {"type": "Point", "coordinates": "x"}}), GEOJSON),
        "empty geometry": (json.dumps({"type": "Feature", "properties": {},
                                       "geometry": {"type": "Point", "coordinates": []}}), GEOJSON),
        "latitude out of range": (feature(lat=400), GEOJSON),
        "form data": ("name=x", "application/x-www-form-urlencoded"),
    }
    for case, (body, media_type) in cases.items():
        response = editor.post(url, body, content_type=media_type)
        assert response.status_code == 400, case
        assert response["Content-Type"].startswith("application/problem+json"), case
    assert sorted(f["properties"]["name"] for f in items(editor)) == ["北站", "南站"]
    assert Layer.objects.get(name="t_posts").data_revision == posts.data_revision


def test_hidden_fields_cannot_be_written_and_keep_their_values(client, posts):
    other = as_member(client, "t_other", Role.EDITOR)
    LayerGrant.objects.create(layer=posts, department=department("t_other"), action="edit",
                              hidden_fields=["owner_id"])
    base = "/ogcapi/collections/t_posts/items"
    fids = {f["properties"]["name"]: f["id"] for f in items(other)}
    assert other.post(base, feature(owner_id="X9"), content_type=GEOJSON).status_code == 400
    assert other.put(f"{base}/{fids['北站']}", feature("北站", 8), content_type=GEOJSON).status_code == 204
    owner = as_member(client.__class__(), "t_edit", Role.EDITOR)
    kept = owner.get(f"{base}/{fids['北站']}", {"f": "json"}).json()["properties"]
    assert kept == {"name": "北站", "staff": 8, "owner_id": "A1"}


def test_a_value_with_sql_in_it_is_stored_as_written(editor, posts):
    text = "'); DELETE FROM geodata.t_posts; --"
    url = editor.post("/ogcapi/collections/t_posts/items", feature(text), content_type=GEOJSON)["Location"]
    assert editor.get(url, {"f": "json"}).json()["properties"]["name"] == text
    assert len(items(editor)) == 3


def test_who_may_edit(client, posts):
    url = "/ogcapi/collections/t_posts/items"
    assert client.post(url, feature(), content_type=GEOJSON).status_code == 404  # egov: hidden
    viewer = as_member(client, "t_edit", Role.VIEWER)
    refused = viewer.post(url, feature(), content_type=GEOJSON)
    assert refused.status_code == 403 and "t_posts" in refused.json()["detail"]
    other = as_member(client, "t_other", Role.EDITOR)  # sees egov data, edits only its own layers
    assert other.post(url, feature(), content_type=GEOJSON).status_code == 403
    assert other.delete(f"{url}/1").status_code == 403
    assert len(items(other)) == 2


def test_anonymous_callers_are_asked_to_log_in(client, db):
    layer = vector_layer("t_open", [shapely.Point(120.5, 31.9)], {"name": ["公开"]},
                         dept=department("t_edit"))
    response = client.post(f"/ogcapi/collections/{layer.name}/items", feature(), content_type=GEOJSON)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic realm=")


def test_a_row_filtered_grant_edits_only_its_rows_and_keeps_them_inside(client, posts):
    other = as_member(client, "t_other", Role.EDITOR)
    LayerGrant.objects.create(layer=posts, department=department("t_other"), action="edit",
                              row_filter="name = '北站'")
    fids = {f["properties"]["name"]: f["id"] for f in items(other)}  # egov: it sees both
    base = "/ogcapi/collections/t_posts/items"
    # The row outside the filter can be read but not changed.
    assert other.put(f"{base}/{fids['南站']}", feature("改名"), content_type=GEOJSON).status_code == 403
    assert other.delete(f"{base}/{fids['南站']}").status_code == 403
    assert other.delete(f"{base}/999").status_code == 404
    # A change that would move its own row out of its view is refused and undone.
    assert other.put(f"{base}/{fids['北站']}", feature("改名"), content_type=GEOJSON).status_code == 403
    assert other.post(base, feature("不在范围"), content_type=GEOJSON).status_code == 403
    # Its own row, kept inside: fine.
    assert other.put(f"{base}/{fids['北站']}", feature("北站", 4), content_type=GEOJSON).status_code == 204
    assert {f["properties"]["name"]: f["properties"]["staff"] for f in items(other)} == {"北站": 4, "南站": 5}
    assert Layer.objects.get(name="t_posts").feature_count == 2


def test_a_coverage_has_no_items_to_edit(editor):
    from tests.services.ogcapi.conftest import make_dem

    make_dem()
    assert editor.post("/ogcapi/collections/t_dem/items", feature(), content_type=GEOJSON).status_code == 404


def test_conformance_declares_create_replace_delete(client):
    classes = client.get("/ogcapi/conformance", {"f": "json"}).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete" in classes


def test_the_openapi_document_offers_editing_to_editors_only(client, posts):
    def operations(api):
        paths = api.get("/ogcapi/openapi", {"f": "json"}).json()["paths"]
        items = "/collections/t_posts/items"
        return set(paths.get(items, {})), set(paths.get(f"{items}/{{featureId}}", {}))

    viewer = as_member(client, "t_edit", Role.VIEWER)
    items, item = operations(viewer)
    assert "get" in items and "post" not in items and "delete" not in item
    editor = as_member(client.__class__(), "t_edit", Role.EDITOR)
    items, item = operations(editor)
    assert "post" in items and {"put", "delete"} <= item
