"""Credentials for desktop GIS and scripts: HTTP Basic, Bearer tokens and ``token=``.

Browsers use the session (admin login); QGIS, ArcGIS, GDAL and scripts send credentials
with each request. A token is accepted wherever a password is, because QGIS's OGC API
client and OWSLib drop the query string after the landing page (DESIGN.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import time

from django.conf import settings
from django.contrib.auth import authenticate as authenticate_password
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils import timezone

from geoshare.access import tokens

__all__ = ["CredentialsMiddleware", "ThrottledModelBackend", "client_ip", "BASIC_CHALLENGE"]

# WWW-Authenticate of a 401: desktop clients ask for credentials on it.
BASIC_CHALLENGE = 'Basic realm="geoshare", charset="UTF-8"'


def client_ip(request) -> str:
    if settings.GEOSHARE_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class ThrottledModelBackend(ModelBackend):
    """Django's password check, refused for a while after repeated failures.

    Django hashes passwords slowly on purpose (PBKDF2, about 0.3 s), and desktop GIS sends
    the password with every tile. A verified pair is therefore remembered in this process
    for ``_REMEMBER_SECONDS``, under a keyed digest (never the password itself), and
    honoured only while the account's stored hash and active flag are those it was
    verified against: a new password or a deactivation takes effect at the next request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        key = _failure_key(username, request)
        if _too_many_failures(key):
            if request is not None:
                request.login_throttled = True  # Django's authenticate() swallows the raise
            raise PermissionDenied  # stops Django from trying other backends
        remembered = _remembered_user(username, password)
        if remembered is not None:
            return remembered
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            _record_failure(key)
        else:
            _clear_failures(key)
            _remember(username, password, user)
        return user


_REMEMBER_SECONDS = 300
_verified: dict[str, tuple[int, str, float]] = {}  # digest -> (user id, stored hash, until)


def _pair_digest(username, password) -> str:
    pair = f"{username}\0{password}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), pair, hashlib.sha256).hexdigest()


def _remember(username, password, user) -> None:
    if len(_verified) > 10_000:
        _verified.clear()
    _verified[_pair_digest(username, password)] = (
        user.pk, user.password, time.monotonic() + _REMEMBER_SECONDS)


def _remembered_user(username, password):
    digest = _pair_digest(username, password)
    entry = _verified.get(digest)
    if entry is None:
        return None
    user_id, stored_hash, until = entry
    if time.monotonic() < until:
        user = (get_user_model().objects.select_related("geoshare_profile__department")
                .filter(pk=user_id, is_active=True).first())
        if user is not None and user.password == stored_hash and user.get_username() == username:
            return user
    _verified.pop(digest, None)
    return None


class CredentialsMiddleware:
    """Authenticates a request carrying credentials; answers 401 when they are wrong.

    Runs after Django's AuthenticationMiddleware (sessions) and before the principal is
    built. The user is set for this request only: no session is created.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kind, username, secret = _credentials(request)
        if kind is None:
            return self.get_response(request)
        user = _check(request, kind, username, secret)
        if getattr(request, "login_throttled", False):
            return _refuse("too many failed logins; try again later", status=429)
        if user is None:
            return _refuse("invalid, expired or revoked credentials")
        request.user = user
        request.authenticated_by = kind
        # Header and query credentials are not sent by browsers on their own, so they
        # cannot be forged cross-site; Basic credentials a browser caches could be.
        if kind in ("bearer", "query"):
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


def _credentials(request) -> tuple[str | None, str | None, str | None]:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return "bearer", None, value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "basic", "", ""
        if "\x00" in decoded:  # no user has one; PostgreSQL text cannot hold it
            return "basic", "", ""
        username, _, password = decoded.partition(":")
        return "basic", username, password
    if token := request.GET.get("token"):
        return "query", None, token
    return None, None, None


def _check(request, kind: str, username: str | None, secret: str):
    """The user the credentials name, or None. Tokens need no throttling: 256 random bits
    cannot be guessed; passwords go through ThrottledModelBackend, which may refuse."""
    if tokens.looks_like_token(secret):
        # With Basic, a token may stand in the password field under any user name.
        return tokens.authenticate(secret)
    if kind != "basic" or not username:
        return None
    user = authenticate_password(request, username=username, password=secret)
    return user if user is not None and user.is_active else None


def _refuse(message: str, status: int = 401) -> JsonResponse:
    response = JsonResponse({"status": status, "detail": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = BASIC_CHALLENGE
    return response


def _failure_key(username: str | None, request) -> str:
    ip = client_ip(request) if request is not None else ""
    return f"{(username or '').lower()[:150]}|{ip}"


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.GEOSHARE_LOGIN_FAILURE_WINDOW)


def _too_many_failures(key: str) -> bool:
    from geoshare.access.models import LoginFailure

    recent = LoginFailure.objects.filter(key=key, time__gte=_window_start())
    return recent.count() >= settings.GEOSHARE_LOGIN_FAILURE_LIMIT


def _record_failure(key: str) -> None:
    from geoshare.access.models import LoginFailure

    LoginFailure.objects.create(key=key)
    LoginFailure.objects.filter(time__lt=_window_start()).delete()


def _clear_failures(key: str) -> None:
    from geoshare.access.models import LoginFailure

    LoginFailure.objects.filter(key=key).delete()
