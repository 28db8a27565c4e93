"""Shared plumbing of the classic OGC web services (WMS, WMTS, WFS, WCS) at /ows."""
