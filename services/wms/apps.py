from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmsConfig(AppConfig):
    name = "services.wms"
    label = "wms"
    verbose_name = _("Web Map Service")

    def ready(self):
        from services.wms import views

        views.register()
