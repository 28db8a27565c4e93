"""Personal API tokens: shown once when issued, stored as a SHA-256 digest.

A token is ``gs_`` + 43 random URL-safe characters; its first 8 random characters are
kept in clear as a lookup prefix. A SHA-256 digest suffices: the secret has 256 bits of
entropy, so there is nothing for a slow hash to protect against.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.utils import timezone

__all__ = ["issue", "authenticate", "revoke", "looks_like_token", "PREFIX"]

PREFIX = "gs_"
_LOOKUP = 8
_TOUCH_EVERY = datetime.timedelta(minutes=5)


def looks_like_token(value: str) -> bool:
    return value.startswith(PREFIX) and len(value) > len(PREFIX) + _LOOKUP


def issue(user, name: str, expires: datetime.datetime | None = None) -> tuple[str, object]:
    """A new token for ``user``: (the secret to show once, the stored ApiToken)."""
    from geoshare.access.models import ApiToken

    while True:
        secret = PREFIX + secrets.token_urlsafe(32)
        lookup = secret[len(PREFIX): len(PREFIX) + _LOOKUP]
        if not ApiToken.objects.filter(prefix=lookup).exists():
            break
    token = ApiToken.objects.create(
        user=user, name=name, prefix=lookup, digest=_digest(secret), expires=expires
    )
    return secret, token


def authenticate(secret: str):
    """The active user a token belongs to, or None for a forged, revoked or expired token."""
    from geoshare.access.models import ApiToken

    if not looks_like_token(secret):
        return None
    lookup = secret[len(PREFIX): len(PREFIX) + _LOOKUP]
    try:  # get(), not first(): the prefix is unique, and ordering costs a sixth of the time
        token = ApiToken.objects.select_related("user__geoshare_profile__department").get(prefix=lookup)
    except ApiToken.DoesNotExist:
        return None
    if not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.revoked or (token.expires and token.expires <= now) or not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


def revoke(token) -> None:
    from geoshare.access.models import ApiToken

    ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=timezone.now())


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
