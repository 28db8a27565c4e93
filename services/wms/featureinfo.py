"""GetFeatureInfo: what lies under a map pixel, read through the feature and coverage engines.

The engines apply the grant (row filter, hidden attributes, area limit) exactly as for
WFS and WCS; this module only finds the point and writes the answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from django.utils.html import escape
from lxml import etree

from geoshare.errors import InvalidParameterError
from geoshare.geo import BBox
from layers.coverages import coverage_source
from layers.features import feature_source
from layers.sources import CoverageSubset, Feature, FeatureQuery, GeometryOutput
from services.render.targets import MapLayer
from services.wms.params import INFO_FORMATS, FeatureInfoParams

__all__ = ["LayerHits", "query", "encode"]

_TOLERANCE_PIXELS = 4
_GML = "http://www.opengis.net/gml"
_WFS = "http://www.opengis.net/wfs"
_GEOSHARE = "urn:x-geoshare:layers"  # the namespace of layer and property elements


@dataclass(frozen=True)
class LayerHits:
    name: str
    title: str
    features: list  # layers.sources.Feature (fid None for raster pixels)


def query(layers: list[MapLayer], p: FeatureInfoParams) -> list[LayerHits]:
    """The features (or pixel values) of each layer under pixel (i, j) of the map."""
    m = p.map
    pixel_w = m.bbox.width / m.width
    pixel_h = m.bbox.height / m.height
    x = m.bbox.minx + (p.i + 0.5) * pixel_w
    y = m.bbox.maxy - (p.j + 0.5) * pixel_h
    dx, dy = _TOLERANCE_PIXELS * pixel_w, _TOLERANCE_PIXELS * pixel_h
    box = BBox(x - dx, y - dy, x + dx, y + dy, m.bbox.srid)
    kind = INFO_FORMATS[p.info_format]
    hits = []
    for map_layer in layers:
        layer = map_layer.layer
        if layer.is_vector:
            output = {
                "json": GeometryOutput("geojson", srid=4326, precision=7),
                "gml": GeometryOutput("gml2", srid=m.bbox.srid, precision=7),
            }.get(kind, GeometryOutput("none"))
            features = list(feature_source(layer).features(
                FeatureQuery(bbox=box, limit=p.feature_count, geometry=output), map_layer.grant
            ))
        else:
            features = _pixel_values(map_layer, BBox(x - pixel_w / 2, y - pixel_h / 2,
                                                     x + pixel_w / 2, y + pixel_h / 2, m.bbox.srid))
        hits.append(LayerHits(layer.name, layer.title, features))
    return hits


def _pixel_values(map_layer: MapLayer, box: BBox) -> list:
    try:
        array = coverage_source(map_layer.layer).read(
            CoverageSubset(bbox=box, size=(1, 1)), map_layer.grant
        )
    except InvalidParameterError:
        return []  # the point lies outside the coverage
    masked = np.ma.getmaskarray(array.data)[:, 0, 0]
    if masked.all():
        return []
    values = {
        name: None if masked[n] else float(array.data[n, 0, 0])
        for n, name in enumerate(array.band_names)
    }
    return [Feature(None, None, values)]


def encode(hits: list[LayerHits], info_format: str) -> tuple[bytes, str]:
    """The answer body and its Content-Type."""
    kind = INFO_FORMATS[info_format]
    if kind == "json":
        return _json(hits), "application/json"
    if kind == "gml":
        return _gml(hits), "application/vnd.ogc.gml; charset=UTF-8"
    if kind == "text":
        return _text(hits), "text/plain; charset=UTF-8"
    return _html(hits), "text/html; charset=UTF-8"


def _value(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _json(hits: list[LayerHits]) -> bytes:
    features = []
    for hit in hits:
        for feature in hit.features:
            features.append({
                "type": "Feature",
                "id": f"{hit.name}.{feature.fid}" if feature.fid is not None else hit.name,
                "layer": hit.name,
                "properties": {k: _value(v) for k, v in feature.properties.items()},
                "geometry": json.loads(feature.geometry) if feature.geometry else None,
            })
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode()


def _html(hits: list[LayerHits]) -> bytes:
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>GetFeatureInfo</title>'
             "</head><body>"]
    for hit in hits:
        if not hit.features:
            continue
        parts.append(f"<h3>{escape(hit.title)} <small>({escape(hit.name)})</small></h3>")
        names = list(hit.features[0].properties)
        parts.append('<table border="1"><tr><th>fid</th>'
                     + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>")
        for feature in hit.features:
            cells = "".join(
                f"<td>{escape('' if v is None else _value(v))}</td>" for v in feature.properties.values()
            )
            fid = "" if feature.fid is None else feature.fid
            parts.append(f"<tr><td>{fid}</td>{cells}</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts).encode()


def _text(hits: list[LayerHits]) -> bytes:
    lines = []
    for hit in hits:
        for feature in hit.features:
            lines.append(f"{hit.name} {'' if feature.fid is None else feature.fid}".rstrip() + ":")
            lines.extend(f"  {k} = {'' if v is None else _value(v)}" for k, v in feature.properties.items())
    return ("\n".join(lines) + "\n").encode() if lines else b"no features\n"


def _gml(hits: list[LayerHits]) -> bytes:
    root = etree.Element(f"{{{_WFS}}}FeatureCollection",
                         nsmap={"wfs": _WFS, "gml": _GML, "geoshare": _GEOSHARE})
    for hit in hits:
        for feature in hit.features:
            member = etree.SubElement(root, f"{{{_GML}}}featureMember")
            element = etree.SubElement(member, f"{{{_GEOSHARE}}}{hit.name}")
            if feature.fid is not None:
                element.set("fid", f"{hit.name}.{feature.fid}")
            if feature.geometry:
                geometry = etree.SubElement(element, f"{{{_GEOSHARE}}}geom")
                wrapped = f'<g xmlns:gml="{_GML}">{feature.geometry}</g>'
                geometry.append(etree.fromstring(wrapped.encode())[0])
            for name, value in feature.properties.items():
                try:
                    child = etree.SubElement(element, f"{{{_GEOSHARE}}}{name}")
                except ValueError:  # a column name that is not an XML name
                    child = etree.SubElement(element, f"{{{_GEOSHARE}}}property", name=name)
                if value is not None:
                    child.text = str(_value(value))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
