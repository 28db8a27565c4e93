from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "services.maps"
    label = "ogcapi_maps"
    verbose_name = _("OGC API - Maps")

    def ready(self):
        from geoshare import services

        services.register(services.ServiceEntry(
            key="ogcapi-maps",
            title=_("OGC API - Maps"),
            url="ogcapi/map?f=png",
            description=_("maps and map tiles of each collection and of the whole dataset"),
            layer_links=lambda layer: [(_("map"), f"ogcapi/collections/{layer.name}/map?f=png")],
        ))
