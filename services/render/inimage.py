"""Images without a map: error messages drawn in (EXCEPTIONS=INIMAGE) and blanks."""

from __future__ import annotations

import functools
import json
import textwrap

from lxml import etree

from services.render import mapnik_
from services.render.formats import ImageFormat
from services.render.styles import FONTSET, fontset_xml

__all__ = ["message_image", "blank_image"]


@functools.lru_cache(maxsize=32)
def blank_image(width: int, height: int, image_format: ImageFormat, transparent: bool,
                bgcolor: str) -> bytes:
    """An empty image, encoded once per size and format: tiles beyond the data (the world
    around the city) ask for it all the time."""
    background = None if transparent and image_format.alpha else bgcolor
    return mapnik_.encode(mapnik_.blank(width, height, background), image_format.mapnik)


def message_image(message: str, width: int, height: int, image_format: ImageFormat,
                  transparent: bool, bgcolor: str) -> bytes:
    """``message`` written in dark red across an image of the requested size and format."""
    text = "\n".join(textwrap.wrap(message, max(int(width / 7), 10))[:20])
    root = etree.Element("Map", srs="epsg:3857")
    root.append(etree.fromstring(fontset_xml()))
    style = etree.SubElement(root, "Style", name="message")
    symbolizer = etree.SubElement(etree.SubElement(style, "Rule"), "TextSymbolizer", {
        "fontset-name": FONTSET, "size": "12", "fill": "#a00000", "halo-fill": "#ffffff",
        "halo-radius": "1", "allow-overlap": "true", "placement": "point",
        "horizontal-alignment": "right", "vertical-alignment": "bottom", "justify-alignment": "left",
    })
    symbolizer.text = "[message]"
    layer = etree.SubElement(root, "Layer", name="message", srs="epsg:3857")
    etree.SubElement(layer, "StyleName").text = "message"
    source = etree.SubElement(layer, "Datasource")
    etree.SubElement(source, "Parameter", name="type").text = "geojson"
    etree.SubElement(source, "Parameter", name="inline").text = json.dumps({
        "type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"message": text},
            "geometry": {"type": "Point", "coordinates": [4, -4]},
        }],
    }, ensure_ascii=False)
    m = mapnik_.load(etree.tostring(root, encoding="unicode"))
    background = None if transparent and image_format.alpha else bgcolor
    image = mapnik_.render(m, (0, -height, width, 0), width, height, background=background)
    return mapnik_.encode(image, image_format.mapnik)
