from django.urls import path

from geoshare.webmap import views

urlpatterns = [
    path("", views.map_page, name="webmap"),
    path("login", views.login, name="webmap-login"),
    path("logout", views.logout, name="webmap-logout"),
]
