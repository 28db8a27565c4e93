"""WMTS 1.0.0: KVP at /ows and RESTful at /wmts/1.0.0/, tiles from services/render's cache."""

VERSIONS = ("1.0.0",)
