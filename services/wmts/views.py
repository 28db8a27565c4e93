"""WMTS joins /ows (KVP) and serves the RESTful binding at /wmts/1.0.0/."""

from __future__ import annotations

import functools

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from geoshare import services
from services.ows import dispatch
from services.ows.exceptions import report_response, resolve
from services.wmts import VERSIONS, params
from services.wmts.capabilities import capabilities
from services.wmts.errors import CODES
from services.wmts.operations import OPERATIONS, tile_for, tile_response

__all__ = ["register", "rest_capabilities", "rest_tile"]


def register() -> None:
    dispatch.register(dispatch.OwsService(
        name="WMTS",
        versions=VERSIONS,
        operations=OPERATIONS,
        codes=CODES,
        exception_flavour=lambda version: "ows11",
    ))
    services.register(services.ServiceEntry(
        key="wmts",
        title=_("Web Map Tile Service (WMTS 1.0.0)"),
        url="wmts/1.0.0/WMTSCapabilities.xml",
        description=_("cached tiles in Web Mercator and the CGCS2000 geographic grid"),
    ))


def _ows_errors(view):
    """The RESTful binding answers errors with the same OWS exception report as KVP."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Exception as error:
            return report_response(resolve(error, CODES), "ows11", "1.0.0")

    return wrapped


@require_safe
@_ows_errors
def rest_capabilities(request):
    return HttpResponse(capabilities(request), content_type="application/xml; charset=UTF-8")


@require_safe
@_ows_errors
def rest_tile(request, layer, style, tms, matrix, row, col, extension):
    p = params.rest_params(layer, style, tms, matrix, row, col, extension)
    return tile_response(request, tile_for(request.principal, p), p.format.media_type)
