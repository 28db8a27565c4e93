"""OGC API - Maps and map tiles; included at /ogcapi/ before pygeoapi's catch-all."""

from django.urls import path

from services.maps import views

urlpatterns = [
    path("map", views.dataset_map, name="ogcapi-map"),
    path("map/tiles", views.dataset_tilesets, name="ogcapi-map-tilesets"),
    path("map/tiles/<str:tms>", views.dataset_tileset, name="ogcapi-map-tileset"),
    path("map/tiles/<str:tms>/<str:z>/<str:y>/<str:x>", views.dataset_tile, name="ogcapi-map-tile"),
    path("collections/<str:collection>/map", views.collection_map, name="ogcapi-collection-map"),
    path("collections/<str:collection>/map/tiles", views.collection_tilesets,
         name="ogcapi-collection-map-tilesets"),
    path("collections/<str:collection>/map/tiles/<str:tms>", views.collection_tileset,
         name="ogcapi-collection-map-tileset"),
    path("collections/<str:collection>/map/tiles/<str:tms>/<str:z>/<str:y>/<str:x>",
         views.collection_tile, name="ogcapi-collection-map-tile"),
]
