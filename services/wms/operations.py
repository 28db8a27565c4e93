"""The WMS operations: parse → policy (through render.resolve) → engine → encode."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse

from geoshare.access import audit
from geoshare.errors import GeoshareError, InvalidParameterError, LayerNotFoundError
from services.ows.dispatch import OwsRequest
from services.render.maps import MapRequest, render_map
from services.render.targets import resolve, resolve_target, resolve_targets
from services.render.formats import InvalidFormatError, parse_format
from services.render.inimage import blank_image, message_image
from services.render.legend import legend_rows, render_legend
from services.wms import featureinfo, params
from services.wms.capabilities import capabilities

__all__ = ["OPERATIONS", "render_error"]

log = logging.getLogger(__name__)


def get_capabilities(request: OwsRequest) -> HttpResponse:
    content_type = "text/xml" if request.version == "1.3.0" else "application/vnd.ogc.wms_xml"
    body = capabilities(request.http, request.version)
    return HttpResponse(body, content_type=f"{content_type}; charset=UTF-8")


def get_map(request: OwsRequest) -> HttpResponse:
    p = params.get_map_params(request.kvp, request.version)
    layers = resolve(request.principal, p.layers, p.styles)
    image = render_map(MapRequest(
        tuple(layers), p.bbox, p.width, p.height, p.format, transparent=p.transparent,
        bgcolor=p.bgcolor, scale_factor=p.scale_factor,
    ))
    audit.note(request.http, items=p.width * p.height, layers=[ml.layer.name for ml in layers])
    return HttpResponse(image, content_type=p.format.media_type)


def get_feature_info(request: OwsRequest) -> HttpResponse:
    p = params.feature_info_params(request.kvp, request.version)
    # Every query layer must be one the policy shows (groups give their visible members)...
    drawn = resolve(request.principal, p.map.layers, p.map.styles)
    targets = resolve_targets(request.principal, p.query_layers, locator="QUERY_LAYERS")
    _on_the_map(targets, drawn, p.map.layers)
    layers = [ml for target in targets for ml in target.layers]
    hits = featureinfo.query(layers, p)
    audit.note(request.http, items=sum(len(h.features) for h in hits),
               layers=[ml.layer.name for ml in layers])
    body, content_type = featureinfo.encode(hits, p.info_format)
    return HttpResponse(body, content_type=content_type)


class _NotOnTheMapError(LayerNotFoundError):
    """WMS 1.3.0 Table E.1: LayerNotDefined is also "a GetFeatureInfo request for a Layer not
    shown on the map"."""

    def __init__(self, name: str, layers: tuple[str, ...]):
        super().__init__(name, "QUERY_LAYERS")
        self.message = (
            f"QUERY_LAYERS {name[:80]!r} is not drawn by LAYERS {','.join(layers)[:80]!r}; "
            "query only layers on the map (or members of a group on it)"
        )


def _on_the_map(targets, drawn, layer_names: tuple[str, ...]) -> None:
    """...and on the map the request describes, itself or as a member of a group on it."""
    shown = {ml.layer.pk for ml in drawn}
    for target in targets:
        if any(ml.layer.pk not in shown for ml in target.layers):
            raise _NotOnTheMapError(target.name, layer_names)


def get_legend_graphic(request: OwsRequest) -> HttpResponse:
    p = params.legend_params(request.kvp)
    target = resolve_target(request.principal, p.layer, p.style, locator="LAYER", style_locator="STYLE")
    rows = legend_rows([(ml.layer, ml.style) for ml in target.layers], grouped=target.is_group,
                       scale=p.scale, rule=p.rule)
    image = render_legend(rows, p.format, p.icon, transparent=p.transparent, bgcolor=p.bgcolor)
    return HttpResponse(image, content_type=p.format.media_type)


OPERATIONS = {
    "GetCapabilities": get_capabilities,
    "GetMap": get_map,
    "GetFeatureInfo": get_feature_info,
    "GetLegendGraphic": get_legend_graphic,
}


def render_error(request: OwsRequest, error: Exception) -> HttpResponse | None:
    """GetMap errors as an image when the client asked for EXCEPTIONS=INIMAGE or BLANK."""
    if request.operation.lower() != "getmap":
        return None
    try:
        mode = params.exceptions_format(request.kvp)
    except InvalidParameterError:
        return None
    if mode == "XML":
        return None
    kvp = request.kvp
    width = _lenient_size(kvp.get("WIDTH"), settings.GEOSHARE_WMS_MAX_WIDTH)
    height = _lenient_size(kvp.get("HEIGHT"), settings.GEOSHARE_WMS_MAX_HEIGHT)
    try:
        image_format = parse_format(kvp.get("FORMAT"), "FORMAT", default="image/png")
    except InvalidFormatError:
        image_format = parse_format("image/png")
    transparent = (kvp.get("TRANSPARENT") or "").lower() == "true"
    client_fault = isinstance(error, GeoshareError) and error.client_fault
    if not client_fault:
        log.error("internal error answering GetMap", exc_info=error)
    if mode == "BLANK":
        body = blank_image(width, height, image_format, transparent, "#ffffff")
    else:
        message = str(error) if client_fault else "internal error; the server log has the details"
        body = message_image(message, width, height, image_format, transparent, "#ffffff")
    return HttpResponse(body, content_type=image_format.media_type, status=400 if client_fault else 500)


def _lenient_size(raw: str | None, maximum: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return 256
    return value if 1 <= value <= maximum else 256
