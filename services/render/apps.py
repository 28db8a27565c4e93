from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenderConfig(AppConfig):
    name = "services.render"
    label = "render"
    verbose_name = _("Map rendering and tile cache")
