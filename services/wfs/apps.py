from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WfsConfig(AppConfig):
    name = "services.wfs"
    label = "wfs"
    verbose_name = _("Web Feature Service")

    def ready(self):
        from geoshare import services
        from services.ows import dispatch
        from services.wfs.views import ENTRY, SERVICE

        dispatch.register(SERVICE)
        services.register(ENTRY)
