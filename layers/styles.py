"""Default styles: what a freshly imported layer looks like until someone styles it."""

from django.utils.translation import gettext as _

__all__ = ["create_default_style", "default_style_body"]

_VECTOR_SYMBOLIZERS = {
    "Point": '<MarkersSymbolizer fill="#e4572e" stroke="#ffffff" stroke-width="1" '
    'width="8" height="8" allow-overlap="true"/>',
    "MultiPoint": '<MarkersSymbolizer fill="#e4572e" stroke="#ffffff" stroke-width="1" '
    'width="8" height="8" allow-overlap="true"/>',
    "MultiLineString": '<LineSymbolizer stroke="#3b6ea5" stroke-width="1.5"/>',
    "MultiPolygon": '<PolygonSymbolizer fill="#9ecae1" fill-opacity="0.6"/>'
    '<LineSymbolizer stroke="#3182bd" stroke-width="0.8"/>',
}
_RASTER_SYMBOLIZER = '<RasterSymbolizer scaling="bilinear"/>'


def default_style_body(layer) -> str:
    """A Mapnik <Style> that draws every feature (or pixel) of ``layer`` plainly."""
    if layer.is_vector:
        symbolizers = _VECTOR_SYMBOLIZERS.get(
            layer.geometry_type,
            _VECTOR_SYMBOLIZERS["MultiPolygon"] + _VECTOR_SYMBOLIZERS["Point"],
        )
    else:
        symbolizers = _RASTER_SYMBOLIZER
    return f'<Style name="default"><Rule>{symbolizers}</Rule></Style>'


def create_default_style(layer):
    from layers.models import Style

    return Style.objects.create(
        layer=layer, name="default", title=_("Default"), body=default_style_body(layer),
        is_default=True,
    )
