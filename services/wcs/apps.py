from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WcsConfig(AppConfig):
    name = "services.wcs"
    label = "wcs"
    verbose_name = _("Web Coverage Service")

    def ready(self):
        from geoshare import services
        from services.ows import dispatch
        from services.wcs.views import ENTRY, SERVICE

        dispatch.register(SERVICE)
        services.register(ENTRY)
