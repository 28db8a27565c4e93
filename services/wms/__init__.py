"""WMS 1.1.1 and 1.3.0 at /ows, on top of services/render."""

VERSIONS = ("1.1.1", "1.3.0")
