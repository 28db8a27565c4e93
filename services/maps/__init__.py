"""OGC API - Maps and OGC API - Tiles (map tiles) as Django views beside pygeoapi at /ogcapi/.

``map_links(request, layer)`` gives the link objects a collection document adds for them.
"""

from services.maps.links import map_links

__all__ = ["map_links"]
