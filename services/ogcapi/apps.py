from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OgcApiConfig(AppConfig):
    name = "services.ogcapi"
    label = "ogcapi"
    verbose_name = _("OGC API")

    def ready(self):
        from geoshare import services

        services.register(services.ServiceEntry(
            key="ogcapi",
            title=_("OGC API (Features, Coverages, Tiles, Records)"),
            url="/ogcapi/",
            description=_("For QGIS, GDAL, ArcGIS Pro and web maps: GeoJSON features with CQL2 "
                          "filters, coverages, vector tiles and the catalog records."),
            layer_links=_layer_links,
        ))


def _layer_links(layer):
    links = [(_("OGC API collection"), f"/ogcapi/collections/{layer.name}")]
    if layer.is_vector:
        links.append((_("vector tiles"), f"/ogcapi/collections/{layer.name}/tiles/WebMercatorQuad"))
    return links
