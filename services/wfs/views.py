"""WFS at /ows (SERVICE=WFS): the service the OWS dispatcher runs, and its landing-page entry."""

from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

from geoshare.services import ServiceEntry
from services.ows.dispatch import OwsService
from services.wfs import VERSIONS
from services.wfs.errors import CODES
from services.wfs.operations import OPERATIONS
from services.wfs.params import PREFIX, WFS11, WFS20

__all__ = ["SERVICE", "ENTRY"]

SERVICE = OwsService(
    name="WFS",
    versions=VERSIONS,
    operations=OPERATIONS,
    codes=CODES,
    # WFS 2.0 reports in OWS 1.1, WFS 1.1.0 in OWS 1.0.
    exception_flavour=lambda version: "ows11" if version == "2.0.0" else "ows10",
    xml_namespaces={WFS20: "2.0.0", WFS11: "1.1.0"},
)


def _layer_links(layer):
    if not layer.is_vector:
        return []
    return [
        (
            "WFS",
            f"ows?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={PREFIX}:{layer.name}"
            f"&COUNT=100&OUTPUTFORMAT={quote('application/json')}",
        )
    ]


ENTRY = ServiceEntry(
    key="wfs",
    title=_("WFS (features)"),
    url="ows?SERVICE=WFS&REQUEST=GetCapabilities",
    description=_("WFS 2.0.0 and 1.1.0: GML, GeoJSON, CSV, Shapefile, GeoPackage"),
    layer_links=_layer_links,
)
