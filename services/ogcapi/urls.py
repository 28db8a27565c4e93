from django.urls import path, re_path

from services.ogcapi import tiles, views

app_name = "ogcapi"

# Paths under collections/<id>/map and /map are left to OGC API - Maps (services/render).
urlpatterns = [
    path("", views.landing_page, name="landing"),
    path("openapi", views.openapi, name="openapi"),
    path("conformance", views.conformance, name="conformance"),
    path("tileMatrixSets", tiles.tile_matrix_sets, name="tile-matrix-sets"),
    path("tileMatrixSets/<str:tms_id>", tiles.tile_matrix_set, name="tile-matrix-set"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:collection_id>", views.collection, name="collection"),
    path("collections/<str:collection_id>/queryables", views.queryables, name="queryables"),
    path("collections/<str:collection_id>/items", views.items, name="items"),
    path("collections/<str:collection_id>/items/<str:item_id>", views.item, name="item"),
    path("collections/<str:collection_id>/coverage", views.coverage, name="coverage"),
    path("collections/<str:collection_id>/tiles", tiles.tilesets, name="tilesets"),
    path("collections/<str:collection_id>/tiles/<str:tms_id>", tiles.tileset, name="tileset"),
    re_path(r"^collections/(?P<collection_id>[^/]+)/tiles/(?P<tms_id>[^/]+)/(?P<z>[^/]+)/(?P<row>[^/]+)/(?P<col>[^/.]+)(?:\.(?:mvt|pbf))?$",
            tiles.tile, name="tile"),
]
