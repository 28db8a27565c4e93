"""The base maps the map offers: e-map, imagery, terrain, each a WMTS layer or layer group.

Which layer or group plays each part is configuration (``GEOSHARE_MAP_BASEMAPS``); which of
them a visitor gets is the policy's: a layer it may see, or a group with a member it may see.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from geoshare.access import policy

__all__ = ["Basemap", "configured", "for_principal", "DEFAULT_STYLE"]

DEFAULT_STYLE = "default"  # WMTS and WMS draw a layer's default style under this name
IDS = ("emap", "imagery", "terrain")


@dataclass(frozen=True)
class Basemap:
    id: str  # emap | imagery | terrain: the switcher's button
    layer: str  # a layer or layer group name, as WMTS serves it
    style: str = DEFAULT_STYLE
    identify: bool = False  # answer map clicks with GetFeatureInfo on it


def configured(text: str | None = None) -> list[Basemap]:
    """'emap=emap!,imagery=emap_imagery,terrain=dem:hillshade' -> Basemaps, in that order.

    ``:style`` picks a style other than the default; a trailing ``!`` makes clicks on the
    base map ask GetFeatureInfo about it.
    """
    text = settings.GEOSHARE_MAP_BASEMAPS if text is None else text
    basemaps = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = part.partition("=")
        identify = value.endswith("!")
        layer, _, style = value.rstrip("!").partition(":")
        if key not in IDS or not layer:
            raise ImproperlyConfigured(
                f"GEOSHARE_MAP_BASEMAPS must look like 'emap=emap!,imagery=emap_imagery,"
                f"terrain=dem:hillshade' with ids from {', '.join(IDS)}; got {part!r}"
            )
        basemaps.append(Basemap(key, layer, style or DEFAULT_STYLE, identify))
    return basemaps


def for_principal(principal) -> list[dict]:
    """The configured base maps this principal may see, as the page's configuration."""
    from layers.models import LayerGroup, Style

    basemaps = configured()
    names = {b.layer for b in basemaps}
    visible = policy.visible_layers(principal)
    layers = set(visible.filter(name__in=names).values_list("name", flat=True))
    groups = set(
        LayerGroup.objects.filter(name__in=names - layers, members__layer__in=visible)
        .values_list("name", flat=True)
    )
    styled = set(
        Style.objects.filter(layer__name__in=layers).values_list("layer__name", "name")
    )
    offered = []
    for basemap in basemaps:
        if basemap.layer not in layers | groups:
            continue
        if basemap.style != DEFAULT_STYLE and (basemap.layer, basemap.style) not in styled:
            basemap = Basemap(basemap.id, basemap.layer, DEFAULT_STYLE, basemap.identify)
        offered.append(asdict(basemap))
    return offered
