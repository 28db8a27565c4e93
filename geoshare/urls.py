from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from geoshare import views
from services.ows.views import ows

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health", views.health, name="health"),
    path("ows", ows, name="ows"),
    path("wmts/", include("services.wmts.urls")),
    path("ogcapi/", include("services.maps.urls")),  # OGC API - Maps beside the rest
    path("ogcapi/", include("services.ogcapi.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/catalog/", include("layers.api.urls")),
    path("api/geocoding/", include("services.geocoding.api.urls")),
    path("map/", include("geoshare.webmap.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi-schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="openapi-schema"), name="api-docs"),
]
