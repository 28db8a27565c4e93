from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmtsConfig(AppConfig):
    name = "services.wmts"
    label = "wmts"
    verbose_name = _("Web Map Tile Service")

    def ready(self):
        from services.wmts import views

        views.register()
