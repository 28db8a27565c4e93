from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoshareConfig(AppConfig):
    name = "geoshare"
    verbose_name = _("geoshare")
