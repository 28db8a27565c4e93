from django.urls import path

from layers.api import views

urlpatterns = [
    path("layers/", views.LayerList.as_view(), name="catalog-layers"),
    path("layers/<str:name>/", views.LayerDetail.as_view(), name="catalog-layer"),
]
