"""WMS joins /ows: its operations, versions and exception table, registered at startup."""

from django.utils.translation import gettext_lazy as _

from geoshare import services
from services.ows import dispatch
from services.wms import VERSIONS
from services.wms.errors import CODES
from services.wms.operations import OPERATIONS, render_error

__all__ = ["register"]


def _layer_links(layer):
    return [(_("WMS"), f"ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0#{layer.name}")]


def register() -> None:
    dispatch.register(dispatch.OwsService(
        name="WMS",
        versions=VERSIONS,
        operations=OPERATIONS,
        codes=CODES,
        exception_flavour=lambda version: "wms130" if version == "1.3.0" else "wms111",
        xml_namespaces={"http://www.opengis.net/wms": "1.3.0"},
        render_error=render_error,
    ))
    services.register(services.ServiceEntry(
        key="wms",
        title=_("Web Map Service (WMS 1.3.0 / 1.1.1)"),
        url="ows?SERVICE=WMS&REQUEST=GetCapabilities",
        description=_("maps for QGIS, ArcGIS and GDAL"),
        layer_links=_layer_links,
    ))
