"""Legend graphics: one row per style rule, the rule's own symbolizers drawn by Mapnik.

Rows are laid out in pixels before anything is drawn, so capabilities documents can
give each LegendURL its width and height without rendering.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from services.render import mapnik_
from services.render.formats import ImageFormat
from services.render.inimage import blank_image
from services.render.styles import FONTSET, fontset_xml, style_elements

__all__ = ["LegendRow", "legend_rows", "legend_size", "render_legend"]

_TEXT_SIZE = 12
_PAD = 4
_GAP = 6
_POLYGON = {"PolygonSymbolizer", "PolygonPatternSymbolizer", "BuildingSymbolizer", "RasterSymbolizer"}
_LINE = {"LineSymbolizer", "LinePatternSymbolizer"}
_TEXT_ONLY = {"TextSymbolizer"}


@dataclass(frozen=True)
class LegendRow:
    label: str
    symbolizers: tuple[etree._Element, ...] = ()  # empty: a heading
    shape: str = "point"  # point | line | polygon


def legend_rows(entries: Sequence[tuple], grouped: bool = False, scale: float | None = None,
                rule: str | None = None) -> list[LegendRow]:
    """The legend rows of (layer, style) ``entries``; ``grouped`` heads each with its title.

    ``scale`` keeps the rules drawn at that scale denominator, ``rule`` the rule so named.
    """
    rows: list[LegendRow] = []
    for layer, style in entries:
        if grouped:
            rows.append(LegendRow(layer.title))
        for element in (r for s in style_elements(style.body) for r in s.iter("Rule")):
            if scale is not None and not _in_scale(element, scale):
                continue
            if rule is not None and element.get("name") != rule:
                continue
            rows.extend(_rule_rows(element, layer.title))
    return rows


def _in_scale(rule: etree._Element, scale: float) -> bool:
    low = rule.findtext("MinScaleDenominator")
    high = rule.findtext("MaxScaleDenominator")
    return (low is None or scale >= float(low)) and (high is None or scale < float(high))


def _rule_rows(rule: etree._Element, layer_title: str) -> list[LegendRow]:
    symbolizers = [c for c in rule if isinstance(c.tag, str) and c.tag.endswith("Symbolizer")]
    if not symbolizers or all(s.tag in _TEXT_ONLY for s in symbolizers):
        return []
    raster = next((s for s in symbolizers if s.tag == "RasterSymbolizer"), None)
    if raster is not None and raster.find("RasterColorizer") is not None:
        return _colorizer_rows(raster.find("RasterColorizer"))
    drawn = tuple(s for s in symbolizers if s.tag not in _TEXT_ONLY)
    tags = {s.tag for s in drawn}
    shape = "polygon" if tags & _POLYGON else "line" if tags & _LINE else "point"
    if raster is not None:
        drawn = (etree.fromstring('<PolygonSymbolizer fill="#9a9a9a"/>'),)
    label = rule.get("name") or (rule.findtext("Filter") or "").strip() or layer_title
    return [LegendRow(label, drawn, shape)]


def _colorizer_rows(colorizer: etree._Element) -> list[LegendRow]:
    rows = []
    for stop in colorizer.iter("stop"):
        color = stop.get("color") or colorizer.get("default-color") or "#000000"
        symbolizer = etree.Element("PolygonSymbolizer", fill=color)
        label = stop.get("label") or stop.get("value", "")
        rows.append(LegendRow(label, (symbolizer,), "polygon"))
    return rows


def _text_width(text: str) -> int:
    # Near enough for layout: CJK glyphs are square, Latin ones about 0.6 em.
    return int(sum(_TEXT_SIZE if ord(ch) >= 0x2E80 else _TEXT_SIZE * 0.6 for ch in text)) + 2


def legend_size(rows: list[LegendRow], icon: tuple[int, int] = (20, 20)) -> tuple[int, int]:
    row_height = max(icon[1], _TEXT_SIZE + 4) + _PAD
    label_width = max((_text_width(r.label) for r in rows), default=0)
    width = _PAD + icon[0] + _GAP + label_width + _PAD
    return max(width, icon[0] + 2 * _PAD), max(len(rows), 1) * row_height + _PAD


def render_legend(rows: list[LegendRow], image_format: ImageFormat, icon: tuple[int, int] = (20, 20),
                  transparent: bool = False, bgcolor: str = "#ffffff") -> bytes:
    """The legend image of ``rows``."""
    width, height = legend_size(rows, icon)
    if not rows:
        return blank_image(width, height, image_format, transparent, bgcolor)
    xml = _legend_xml(rows, icon, width, height)
    with mapnik_.checkout(("legend", xml), lambda: xml) as m:
        image = mapnik_.render(
            m, (0, -height, width, 0), width, height,
            background=None if transparent and image_format.alpha else bgcolor,
        )
    return mapnik_.encode(image, image_format.mapnik)


def _legend_xml(rows: list[LegendRow], icon: tuple[int, int], width: int, height: int) -> str:
    # A map in plain pixel units (y down is negative), one layer per row, one for labels.
    row_height = max(icon[1], _TEXT_SIZE + 4) + _PAD
    root = etree.Element("Map", srs="epsg:3857")
    root.append(etree.fromstring(fontset_xml()))
    labels = []
    for n, row in enumerate(rows):
        top = -(_PAD + n * row_height)
        middle = top - row_height / 2 + _PAD / 2
        label_x = _PAD if not row.symbolizers else _PAD + icon[0] + _GAP
        labels.append(_feature({"label": row.label}, {"type": "Point", "coordinates": [label_x, middle]}))
        if not row.symbolizers:
            continue
        style = etree.SubElement(root, "Style", name=f"row{n}")
        rule = etree.SubElement(style, "Rule")
        for symbolizer in row.symbolizers:
            copy = etree.fromstring(etree.tostring(symbolizer))
            copy.tail = None
            rule.append(copy)
        geometry = _icon_geometry(row.shape, _PAD, middle, icon)
        _layer(root, f"row{n}", f"row{n}", [_feature({}, geometry)])
    style = etree.SubElement(root, "Style", name="labels")
    rule = etree.SubElement(style, "Rule")
    text = etree.SubElement(
        rule, "TextSymbolizer", {
            "fontset-name": FONTSET, "size": str(_TEXT_SIZE), "fill": "#222222",
            "horizontal-alignment": "right", "vertical-alignment": "middle",
            "allow-overlap": "true", "placement": "point",
        },
    )
    text.text = "[label]"
    _layer(root, "labels", "labels", labels)
    return etree.tostring(root, encoding="unicode")


def _icon_geometry(shape: str, left: float, middle: float, icon: tuple[int, int]) -> dict:
    w, h = icon
    if shape == "polygon":
        x0, x1, y0, y1 = left + 1, left + w - 1, middle - h / 2 + 1, middle + h / 2 - 1
        return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}
    if shape == "line":
        return {"type": "LineString", "coordinates": [[left + 1, middle - h / 4], [left + w - 1, middle + h / 4]]}
    return {"type": "Point", "coordinates": [left + w / 2, middle]}


def _feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _layer(root, name: str, style: str, features: list[dict]) -> None:
    layer = etree.SubElement(root, "Layer", name=name, srs="epsg:3857")
    etree.SubElement(layer, "StyleName").text = style
    source = etree.SubElement(layer, "Datasource")
    etree.SubElement(source, "Parameter", name="type").text = "geojson"
    etree.SubElement(source, "Parameter", name="inline").text = json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False
    )
