import json
import re

import pytest
import shapely
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client

from geoshare.access.models import Profile, Role, Tier
from tests.factories import department, vector_layer

pytestmark = pytest.mark.django_db

PASSWORD = "pw-webmap-1"


@pytest.fixture
def planner():
    user = User.objects.create_user("planner", password=PASSWORD)
    Profile.objects.create(user=user, department=department("ghj", "规划局"), role=Role.VIEWER)
    return user


@pytest.fixture
def internal_layer():
    return vector_layer("plan_internal", [shapely.Point(120.55, 31.87)], {"a": [1]},
                        tier=Tier.INTERNAL, dept=department("ghj", "规划局"))


def page_config(response) -> dict:
    match = re.search(r'<script id="webmap-config" type="application/json">(.*?)</script>',
                      response.content.decode(), re.DOTALL)
    return json.loads(match[1])


def catalog_names(client) -> set[str]:
    return {row["name"] for row in client.get("/api/catalog/layers/").json()}


def test_the_page_loads_the_built_bundle(client):
    response = client.get("/map/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r'<script type="module" src="/static/([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html)
    assert len(scripts) == 1 and styles
    for path in scripts + styles:
        assert finders.find(path), path  # the hashed file the page names exists
    assert "no-store" in response["Cache-Control"]


def test_the_page_is_chinese_unless_the_visitor_chose_english(client):
    response = client.get("/map/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in response.content.decode()
    assert page_config(response)["language"] == "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/map/")
    assert page_config(response)["language"] == "en"
    assert "<title>City map" in response.content.decode()


def test_the_home_view_covers_the_visible_layers_only(client):
    vector_layer("home_hidden", [shapely.Point(100.0, 20.0)], {"a": [1]}, tier=Tier.INTERNAL)
    boxes = [row["bbox"] for row in client.get("/api/catalog/layers/").json() if row["bbox"]]
    union = [min(b[0] for b in boxes), min(b[1] for b in boxes),
             max(b[2] for b in boxes), max(b[3] for b in boxes)]
    config = page_config(client.get("/map/"))
    assert config["home"] == pytest.approx(union)
    assert config["home"][0] > 100.0  # the internal layer far away does not count
    vector_layer("home_far", [shapely.Point(110.0, 25.0)], {"a": [1]}, tier=Tier.PUBLIC)
    assert page_config(client.get("/map/"))["home"][:2] == pytest.approx([110.0, 25.0])
    assert config["user"] is None


def test_login_opens_the_department_layers_and_logout_closes_them(planner, internal_layer):
    client = Client(enforce_csrf_checks=True)
    token = page_config(client.get("/map/"))["csrfToken"]
    assert "plan_internal" not in catalog_names(client)
    response = client.post("/map/login", {"username": "planner", "password": PASSWORD},
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["user"] == {"username": "planner", "department": "规划局"}
    assert "plan_internal" in catalog_names(client)
    config = page_config(client.get("/map/"))
    assert config["user"]["username"] == "planner"
    response = client.post("/map/logout", HTTP_X_CSRFTOKEN=config["csrfToken"])
    assert response.status_code == 200
    assert "plan_internal" not in catalog_names(client)


def test_login_needs_the_csrf_token(planner):
    client = Client(enforce_csrf_checks=True)
    client.get("/map/")
    response = client.post("/map/login", {"username": "planner", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_in_the_visitors_language(client, planner):
    response = client.post("/map/login", {"username": "planner", "password": "wrong"})
    assert response.status_code == 400
    assert "密码" in response.json()["errors"][0]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/map/login", {"username": "planner", "password": "wrong"})
    assert "password" in response.json()["errors"][0]
    response = client.post("/map/login", {"username": "", "password": ""})
    assert response.status_code == 400 and response.json()["errors"]


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, planner):
    for _ in range(settings.GEOSHARE_LOGIN_FAILURE_LIMIT):
        assert client.post("/map/login", {"username": "planner", "password": "x"}).status_code == 400
    response = client.post("/map/login", {"username": "planner", "password": PASSWORD})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_login_and_logout_accept_only_post(client):
    assert client.get("/map/login").status_code == 405
    assert client.get("/map/logout").status_code == 405
