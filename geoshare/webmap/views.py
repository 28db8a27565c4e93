"""The map page (the bundle's HTML shell with its configuration) and session login/logout."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.gis.db.models import Extent
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from geoshare import services
from geoshare.access import policy
from geoshare.webmap import assets, basemaps
from services.ows.dispatch import registered

__all__ = ["map_page", "login", "logout"]

# Shown when no layer is visible yet: mainland China in CGCS2000 (west, south, east, north).
_FALLBACK_HOME = (73.5, 18.0, 135.1, 53.6)


def _language(request) -> str:
    """The visitor's chosen language (the site's language cookie), else the site default.

    Unlike the rest of the site the map ignores Accept-Language: it is Chinese unless the
    visitor switched it to English.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return settings.LANGUAGE_CODE


def _user(user) -> dict | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "geoshare_profile", None)
    department = profile.department if profile and profile.department_id else None
    return {"username": user.get_username(), "department": department.name if department else ""}


def _config(request, language: str) -> dict:
    extent = policy.visible_layers(request.principal).aggregate(e=Extent("extent"))["e"]
    return {
        "language": language,
        "languageCookie": settings.LANGUAGE_COOKIE_NAME,
        "user": _user(request.user),
        "csrfToken": get_token(request),
        "home": list(extent or _FALLBACK_HOME),
        "basemaps": basemaps.for_principal(request.principal),
        "services": sorted(entry.key for entry in services.entries()),
        "ows": sorted(registered()),
        "urls": {
            "catalog": reverse("catalog-layers"),
            "login": reverse("webmap-login"),
            "logout": reverse("webmap-logout"),
            "ows": reverse("ows"),
            "public": settings.GEOSHARE_PUBLIC_URL,
        },
    }


@never_cache
@require_safe
def map_page(request):
    language = _language(request)
    with translation.override(language):
        try:
            bundle = assets.entry()
        except assets.BundleMissingError as e:
            return HttpResponse(str(e), status=503, content_type="text/plain; charset=utf-8")
        return render(request, "webmap/index.html", {
            "language": language, "bundle": bundle, "config": _config(request, language),
        })


@sensitive_post_parameters("password")
@require_POST
def login(request):
    """Session login for department users; the failed-login throttle is in the auth backend."""
    with translation.override(_language(request)):
        form = AuthenticationForm(request, data=request.POST)
        if not form.is_valid():
            errors = [str(e) for e in form.non_field_errors()] or [
                _("Enter a user name and a password.")
            ]
            return JsonResponse({"errors": errors}, status=400)
    auth.login(request, form.get_user())
    return JsonResponse({"user": _user(request.user)})


@require_POST
def logout(request):
    auth.logout(request)
    return JsonResponse({"user": None})
