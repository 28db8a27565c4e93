from django.urls import path, re_path

from services.wmts import views

urlpatterns = [
    path("1.0.0/WMTSCapabilities.xml", views.rest_capabilities, name="wmts-capabilities"),
    re_path(
        r"^1\.0\.0/(?P<layer>[^/]+)/(?P<style>[^/]+)/(?P<tms>[^/]+)/(?P<matrix>[^/]+)/"
        r"(?P<row>[^/]+)/(?P<col>[^/.]+)\.(?P<extension>[A-Za-z0-9]+)$",
        views.rest_tile, name="wmts-tile",
    ),
]
