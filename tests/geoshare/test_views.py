import pytest
import shapely
from django.db.utils import OperationalError

from geoshare.access.models import Tier
from tests.factories import vector_layer

pytestmark = pytest.mark.django_db


def test_landing_lists_only_the_visible_layers(client):
    vector_layer("l_public", [shapely.Point(120.5, 31.9)], {"a": [1]}, tier=Tier.PUBLIC)
    vector_layer("l_internal", [shapely.Point(120.5, 31.9)], {"a": [1]}, tier=Tier.INTERNAL)
    page = client.get("/").content.decode()
    assert 'data-layer="l_public"' in page
    assert "l_internal" not in page


def test_landing_speaks_english_on_request(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Services" in page
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "服务" in page


def test_health_reports_the_database(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["postgis"].startswith("3.")


def test_health_is_503_with_a_reason_when_the_database_is_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def fail(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 refused")

    monkeypatch.setattr(CursorWrapper, "execute", fail)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "connection to server at 127.0.0.1 refused"}
