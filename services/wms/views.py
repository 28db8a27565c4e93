"""WMS joins /ows: its operations, versions and exception table, registered at startup."""

import math
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from geoshare import services
from services.ows import dispatch
from services.wms import VERSIONS
from services.wms.errors import CODES
from services.wms.operations import OPERATIONS, render_error

__all__ = ["register"]


def _layer_links(layer):
    """A map preview of the layer's extent (lon/lat, 768 pixels wide)."""
    if not layer.extent:
        return []
    west, south, east, north = layer.extent.extent
    height = max(64, min(2048, round(768 * (north - south) / max(east - west, 1e-9)
                                     / math.cos(math.radians((north + south) / 2)))))
    query = urlencode({
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": layer.name,
        "STYLES": "", "CRS": "CRS:84", "BBOX": f"{west},{south},{east},{north}", "WIDTH": 768,
        "HEIGHT": height, "FORMAT": "image/png",
    })
    return [(_("WMS map"), f"ows?{query}")]


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
