"""OGC API (Features, Coverages, Records, vector Tiles) at /ogcapi/, on pygeoapi.

pygeoapi does the document work (landing page, collections, HTML, OpenAPI, links); its
configuration is built from the layer catalog for each caller (``config.py``), and its
providers (``providers.py``) read through geoshare's engines with the caller's Grant.
GeoJSON items stream from our own encoder (``features.py``): pygeoapi builds a whole page
as one dict, which a layer of millions of features cannot afford.
"""
