from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebmapConfig(AppConfig):
    name = "geoshare.webmap"
    label = "webmap"
    verbose_name = _("web map")

    def ready(self):
        from geoshare import services

        services.register(services.ServiceEntry(
            key="webmap",
            title=_("Web map"),
            url="map/",
            description=_("Base maps, address search, layer information, measuring, "
                          "downloads and printing in the browser."),
        ))
