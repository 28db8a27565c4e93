"""The admin in Chinese; data administrators manage only their department's layers."""

import pytest
from django.contrib.auth.models import User

from geoshare.access.models import AuditRecord, LayerGrant
from layers.models import Layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def zrzy_admin(client):
    client.force_login(User.objects.get(username="zrzy_admin"))
    return client


def test_a_data_administrator_sees_only_own_layers(zrzy_admin):
    page = zrzy_admin.get("/admin/layers/layer/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "land_approvals" in page and "buildings" in page  # zrzy's
    assert "rooms" not in page and "schools" not in page  # the police's, education's
    assert "图层" in page


def test_a_data_administrator_cannot_open_another_departments_layer(zrzy_admin):
    rooms = Layer.objects.get(name="rooms")
    assert zrzy_admin.get(f"/admin/layers/layer/{rooms.pk}/change/").status_code in (302, 404)


def test_grant_form_offers_only_own_layers(zrzy_admin):
    response = zrzy_admin.get("/admin/access/layergrant/add/")
    offered = {str(pk) for pk, _ in response.context["adminform"].form.fields["layer"].choices if pk}
    own = Layer.objects.get(name="land_approvals")
    other = Layer.objects.get(name="rooms")
    assert str(own.pk) in offered and str(other.pk) not in offered


def test_a_grant_saved_through_the_admin_is_validated(zrzy_admin):
    layer = Layer.objects.get(name="land_approvals")
    jy = User.objects.get(username="jy_viewer").geoshare_profile.department
    response = zrzy_admin.post("/admin/access/layergrant/add/", {
        "layer": layer.pk, "department": jy.pk, "action": "view",
        "row_filter": "town = ", "hidden_fields": "",
    })
    assert response.status_code == 200 and not LayerGrant.objects.exists()
    response = zrzy_admin.post("/admin/access/layergrant/add/", {
        "layer": layer.pk, "department": jy.pk, "action": "view",
        "row_filter": "town = '杨舍镇'", "hidden_fields": "approval_no",
    })
    assert response.status_code == 302
    assert LayerGrant.objects.get().hidden_fields == ["approval_no"]


def test_audit_trail_shows_own_layers_and_cannot_be_edited(zrzy_admin, client):
    AuditRecord.objects.create(service="WFS", operation="GetFeature", layers=["land_approvals"], status=200)
    AuditRecord.objects.create(service="WFS", operation="GetFeature", layers=["rooms"], status=200)
    page = zrzy_admin.get("/admin/access/auditrecord/").content.decode()
    assert "land_approvals" in page and "rooms" not in page
    record = AuditRecord.objects.get(layers=["land_approvals"])
    response = zrzy_admin.post(f"/admin/access/auditrecord/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and AuditRecord.objects.filter(pk=record.pk).exists()


def test_audit_records_name_none_of_another_departments_layers(zrzy_admin):
    record = AuditRecord.objects.create(service="WMS", operation="GetMap", status=200,
                                        layers=["land_approvals", "rooms"])
    listing = zrzy_admin.get("/admin/access/auditrecord/").content.decode()
    detail = zrzy_admin.get(f"/admin/access/auditrecord/{record.pk}/change/").content.decode()
    export = zrzy_admin.post("/admin/access/auditrecord/", {
        "action": "export_csv", "_selected_action": [record.pk]})
    csv_text = b"".join(export.streaming_content).decode()
    for page in (listing, detail, csv_text):
        assert "land_approvals" in page and "rooms" not in page
    searched = zrzy_admin.get("/admin/access/auditrecord/", {"q": "rooms"}).content.decode()
    assert "land_approvals" not in searched


def test_tokens_are_shown_once_and_listed_for_their_owner_only(zrzy_admin):
    response = zrzy_admin.post("/admin/access/apitoken/add/", {"name": "QGIS"}, follow=True)
    page = response.content.decode()
    assert "gs_" in page  # the secret, once
    listing = zrzy_admin.get("/admin/access/apitoken/").content.decode()
    assert "QGIS" in listing and "gs_" not in listing.split("QGIS")[1][:200]
