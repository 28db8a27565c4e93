"""WCS at /ows (SERVICE=WCS): the service the OWS dispatcher runs, and its landing-page entry."""

from django.utils.translation import gettext_lazy as _

from geoshare.services import ServiceEntry
from services.ows.dispatch import OwsService
from services.ows.exceptions import OwsError, report_response, resolve
from services.wcs import VERSIONS
from services.wcs.errors import CODES, CODES_100, FORMAT_CODE_100, UnsupportedFormatError
from services.wcs.operations import OPERATIONS

__all__ = ["SERVICE", "ENTRY"]


def _render_error(request, error):
    """WCS 1.0.0 reports under its own code names, always with 400."""
    if request.version != "1.0.0":
        return None
    resolved = resolve(error, CODES)
    if resolved.status >= 500:
        return report_response(resolved, "wcs100", "1.0.0")
    code = (
        FORMAT_CODE_100
        if isinstance(error, UnsupportedFormatError)
        else CODES_100.get(resolved.code, resolved.code)
    )
    return report_response(
        OwsError(code, resolved.message, resolved.locator, 400), "wcs100", "1.0.0"
    )


SERVICE = OwsService(
    name="WCS",
    versions=VERSIONS,
    operations=OPERATIONS,
    codes=CODES,
    exception_flavour=lambda version: "wcs100" if version == "1.0.0" else "ows20",
    render_error=_render_error,
)


def _layer_links(layer):
    if layer.is_vector:
        return []
    return [
        ("WCS", f"ows?SERVICE=WCS&VERSION=2.0.1&REQUEST=DescribeCoverage&COVERAGEID={layer.name}")
    ]


ENTRY = ServiceEntry(
    key="wcs",
    title=_("WCS (coverages)"),
    url="ows?SERVICE=WCS&REQUEST=GetCapabilities",
    description=_("WCS 2.0.1 and 1.0.0: GeoTIFF and PNG, subsetting, scaling, reprojection"),
    layer_links=_layer_links,
)
