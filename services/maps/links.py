"""Link objects to a collection's map and map tiles, for OGC API collection documents."""

from __future__ import annotations

from django.utils.translation import gettext as _

from services.ows.urls import absolute_url

__all__ = ["map_links", "MAP_REL", "TILESETS_MAP_REL"]

MAP_REL = "http://www.opengis.net/def/rel/ogc/1.0/map"
TILESETS_MAP_REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map"


def map_links(request, layer) -> list[dict]:
    """OGC API link objects for ``layer``'s map (PNG, JPEG) and its map tilesets.

    The caller has already checked through the policy that the layer is visible; hrefs
    carry the request's token= like every advertised URL.
    """
    base = f"/ogcapi/collections/{layer.name}/map"
    return [
        {"rel": MAP_REL, "type": "image/png", "title": _("Map of %s") % layer.title,
         "href": absolute_url(request, base, {"f": "png"})},
        {"rel": MAP_REL, "type": "image/jpeg", "title": _("Map of %s (JPEG)") % layer.title,
         "href": absolute_url(request, base, {"f": "jpeg"})},
        {"rel": TILESETS_MAP_REL, "type": "application/json",
         "title": _("Map tilesets of %s") % layer.title,
         "href": absolute_url(request, f"{base}/tiles", {"f": "json"})},
    ]
