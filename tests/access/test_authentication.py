import base64
import datetime

import pytest
import shapely
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone

from geoshare.access import tokens
from geoshare.access.models import ApiToken, Profile, Role, Tier
from tests.factories import department, vector_layer

pytestmark = pytest.mark.django_db

CATALOG = "/api/catalog/layers/"


@pytest.fixture
def secret_layer():
    return vector_layer("secret_t", [shapely.Point(120.5, 31.9)], {"a": [1]},
                        tier=Tier.INTERNAL, dept=department("gaj", "公安局"))


@pytest.fixture
def officer():
    user = User.objects.create_user("officer", password="correct horse battery")
    Profile.objects.create(user=user, department=department("gaj"), role=Role.VIEWER)
    return user


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {layer["name"] for layer in response.json()}


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_anonymous_does_not_see_the_internal_layer(client, secret_layer):
    assert "secret_t" not in names(client.get(CATALOG))


def test_bearer_token_header(client, secret_layer, officer):
    secret, _ = tokens.issue(officer, "qgis")
    assert "secret_t" in names(client.get(CATALOG, HTTP_AUTHORIZATION=f"Bearer {secret}"))


def test_token_query_parameter(client, secret_layer, officer):
    secret, _ = tokens.issue(officer, "gdal")
    assert "secret_t" in names(client.get(CATALOG, {"token": secret}))


@pytest.mark.parametrize("username", ["officer", "token", "anything"])
def test_token_as_basic_password_under_any_user_name(client, secret_layer, officer, username):
    secret, _ = tokens.issue(officer, "owslib")
    assert "secret_t" in names(client.get(CATALOG, HTTP_AUTHORIZATION=basic(username, secret)))


def test_basic_with_the_account_password(client, secret_layer, officer):
    response = client.get(CATALOG, HTTP_AUTHORIZATION=basic("officer", "correct horse battery"))
    assert "secret_t" in names(response)


def test_a_verified_password_is_not_hashed_again_on_every_request(client, secret_layer, officer,
                                                                  monkeypatch):
    checks = []
    check_password = User.check_password
    monkeypatch.setattr(User, "check_password",
                        lambda user, raw: checks.append(raw) or check_password(user, raw))
    for _ in range(3):
        response = client.get(CATALOG, HTTP_AUTHORIZATION=basic("officer", "correct horse battery"))
        assert "secret_t" in names(response)
    assert len(checks) == 1
    assert client.get(CATALOG, HTTP_AUTHORIZATION=basic("officer", "wrong")).status_code == 401
    assert client.get(CATALOG, HTTP_AUTHORIZATION=basic("Officer", "correct horse battery")).status_code == 401


def test_a_new_password_or_a_deactivation_counts_at_the_next_request(client, secret_layer, officer):
    old = basic("officer", "correct horse battery")
    assert client.get(CATALOG, HTTP_AUTHORIZATION=old).status_code == 200  # remembered now
    officer.set_password("a new and longer one")
    officer.save()
    assert client.get(CATALOG, HTTP_AUTHORIZATION=old).status_code == 401
    new = basic("officer", "a new and longer one")
    assert "secret_t" in names(client.get(CATALOG, HTTP_AUTHORIZATION=new))
    officer.is_active = False
    officer.save()
    assert client.get(CATALOG, HTTP_AUTHORIZATION=new).status_code == 401


def test_tokens_are_stored_hashed(officer):
    secret, token = tokens.issue(officer, "x")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.digest, stored.prefix) and secret[3:11] == stored.prefix


@pytest.mark.parametrize("make_bad", [
    lambda secret: secret[:-1] + ("A" if secret[-1] != "A" else "B"),  # forged
    lambda secret: "gs_" + "x" * 43,  # made up
])
def test_forged_tokens_get_401(client, officer, make_bad):
    secret, _ = tokens.issue(officer, "x")
    response = client.get(CATALOG, HTTP_AUTHORIZATION=f"Bearer {make_bad(secret)}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_revoked_and_expired_tokens_get_401(client, officer):
    revoked, token = tokens.issue(officer, "old")
    tokens.revoke(token)
    expired, _ = tokens.issue(officer, "short", expires=timezone.now() - datetime.timedelta(seconds=1))
    for secret in (revoked, expired):
        assert client.get(CATALOG, {"token": secret}).status_code == 401


def test_token_of_a_deactivated_user_gets_401(client, officer):
    secret, _ = tokens.issue(officer, "x")
    officer.is_active = False
    officer.save()
    assert client.get(CATALOG, {"token": secret}).status_code == 401


@override_settings(GEOSHARE_LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_are_throttled_even_with_the_right_password(client, officer):
    for _ in range(3):
        assert client.get(CATALOG, HTTP_AUTHORIZATION=basic("officer", "wrong")).status_code == 401
    response = client.get(CATALOG, HTTP_AUTHORIZATION=basic("officer", "correct horse battery"))
    assert response.status_code == 429


@override_settings(GEOSHARE_LOGIN_FAILURE_LIMIT=3)
def test_admin_login_is_throttled_too(client, officer):
    for _ in range(3):
        client.post("/admin/login/", {"username": "officer", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "officer", "password": "correct horse battery"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200  # the login form again


def test_malformed_basic_header_is_401(client):
    assert client.get(CATALOG, HTTP_AUTHORIZATION="Basic !!!not-base64").status_code == 401
