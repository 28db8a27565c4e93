"""The one rendering core of geoshare's maps: WMS, WMTS and OGC API - Maps/Tiles draw here.

    layers = targets.resolve(principal, ["roads", "emap"], ["", ""])    # policy applied
    png = maps.render_map(maps.MapRequest(tuple(layers), bbox, 256, 256, FORMATS["image/png"]))

Modules: ``targets`` (names → layers, grants, styles; cache view keys), ``maps`` (Mapnik XML
and rendering), ``tiles`` (metatiles through the disk cache), ``legend``, ``sld`` (SLD/SE →
Mapnik XML), ``styles`` (checking style bodies), ``formats``, ``mapnik_`` (the Mapnik
wrapper). Nothing is imported here: Django loads this package before the models.
"""
