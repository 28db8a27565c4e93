"""SLD 1.0 and SE 1.1 (as QGIS and GeoServer export them) converted to Mapnik XML styles.

Point, line, polygon, text and raster symbolizers with OGC filters and scale ranges
become Mapnik rules; each FeatureTypeStyle becomes one Mapnik <Style>, drawn in order.
Anything that cannot be drawn faithfully (spatial filters, functions, graphics from URLs)
is refused with a message naming it: no URL in an SLD is ever fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from lxml import etree

from services.ows.xml import parse_untrusted
from services.render.mapnik_ import MARKERS_DIR
from services.render.styles import FONTSET, StyleBodyError, check_style_body

__all__ = ["ConvertedStyle", "convert_sld", "SldError"]

_WELL_KNOWN_MARKS = {"square", "triangle", "star", "cross", "x"}
_COMPARISONS = {
    "PropertyIsEqualTo": "=", "PropertyIsNotEqualTo": "!=", "PropertyIsLessThan": "<",
    "PropertyIsGreaterThan": ">", "PropertyIsLessThanOrEqualTo": "<=",
    "PropertyIsGreaterThanOrEqualTo": ">=",
}
_STROKE_PARAMS = {
    "stroke": "stroke", "stroke-width": "stroke-width", "stroke-opacity": "stroke-opacity",
    "stroke-dasharray": "stroke-dasharray", "stroke-linejoin": "stroke-linejoin",
    "stroke-linecap": "stroke-linecap",
}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_PROPERTY = re.compile(r"^[^\[\]'\"\\\s]+$")
_STYLE_NAME = re.compile(r"[^a-z0-9_]+")


class SldError(StyleBodyError):
    """An SLD that cannot be converted; the message names the element."""


@dataclass(frozen=True)
class ConvertedStyle:
    name: str  # a valid style name (lower case, digits, _)
    title: str
    body: str  # Mapnik XML: one <Style> per FeatureTypeStyle
    is_default: bool


def convert_sld(sld: bytes, geometry_type: str = "") -> list[ConvertedStyle]:
    """Every UserStyle in ``sld`` as Mapnik XML; ``geometry_type`` places polygon labels inside."""
    root = parse_untrusted(sld, "sld")
    if _local(root) not in ("StyledLayerDescriptor", "UserStyle"):
        raise SldError(_("an SLD starts with <StyledLayerDescriptor>, not <%s>") % _local(root), "sld")
    user_styles = [root] if _local(root) == "UserStyle" else _all(root, "UserStyle")
    if not user_styles:
        raise SldError(_("the SLD has no <UserStyle>"), "sld")
    converted, taken = [], set()
    for n, user_style in enumerate(user_styles):
        raw_name = _text(_child(user_style, "Name")) or f"style{n + 1}"
        name = _unique(_style_name(raw_name), taken)
        title = (_text(_child(user_style, "Title"))
                 or _text(_child(_child(user_style, "Description"), "Title")) or raw_name)
        drawn, labels = [], []
        for fts in _children(user_style, "FeatureTypeStyle", "CoverageStyle"):
            shapes, texts = _feature_type_style(fts, geometry_type)
            drawn.append(shapes)
            labels.append(texts)
        if not drawn:
            raise SldError(_("UserStyle %r has no FeatureTypeStyle") % raw_name, "sld")
        styles = [s for s in drawn + labels if len(s)]
        body = "".join(etree.tostring(s, encoding="unicode") for s in styles)
        check_style_body(body)
        is_default = _text(_child(user_style, "IsDefault")) in ("1", "true")
        converted.append(ConvertedStyle(name, title[:200], body, is_default))
    return converted


# -- structure ------------------------------------------------------------------------------

def _feature_type_style(fts, geometry_type: str) -> tuple[etree._Element, etree._Element]:
    """(shapes, labels): rules of nothing but labels go to a second style, drawn after every
    shape. QGIS exports labels as a rule without a filter; left among the shapes it would
    count as a match and silence the ElseFilter rules."""
    shapes, labels = etree.Element("Style", name="s"), etree.Element("Style", name="s")
    for rule in _children(fts, "Rule"):
        converted = _rule(rule, geometry_type)
        symbolizers = {c.tag for c in converted if c.tag.endswith("Symbolizer")}
        (labels if symbolizers == {"TextSymbolizer"} else shapes).append(converted)
    return shapes, labels


def _rule(sld_rule, geometry_type: str) -> etree._Element:
    rule = etree.Element("Rule")
    # SLD 1.0 has <Title>; SE 1.1 (QGIS) puts it in <Description>.
    title = (_text(_child(sld_rule, "Title")) or _text(_child(_child(sld_rule, "Description"), "Title"))
             or _text(_child(sld_rule, "Name")))
    if title:
        rule.set("name", title[:200])
    if (low := _text(_child(sld_rule, "MinScaleDenominator"))) is not None:
        etree.SubElement(rule, "MinScaleDenominator").text = _number(low, "MinScaleDenominator")
    if (high := _text(_child(sld_rule, "MaxScaleDenominator"))) is not None:
        etree.SubElement(rule, "MaxScaleDenominator").text = _number(high, "MaxScaleDenominator")
    if (sld_filter := _child(sld_rule, "Filter")) is not None:
        expressions = [c for c in sld_filter if isinstance(c.tag, str)]
        if len(expressions) != 1:
            raise SldError(_("a <Filter> holds exactly one expression"), "sld")
        etree.SubElement(rule, "Filter").text = _filter(expressions[0])
    elif _child(sld_rule, "ElseFilter") is not None:
        etree.SubElement(rule, "ElseFilter")
    for child in sld_rule:
        if not isinstance(child.tag, str):
            continue
        kind = _local(child)
        if kind == "PolygonSymbolizer":
            rule.extend(_polygon(child))
        elif kind == "LineSymbolizer":
            rule.extend(_line(child))
        elif kind == "PointSymbolizer":
            rule.append(_point(child))
        elif kind == "TextSymbolizer":
            rule.append(_text_symbolizer(child, geometry_type))
        elif kind == "RasterSymbolizer":
            rule.append(_raster(child))
    return rule


# -- filters --------------------------------------------------------------------------------

def _filter(element) -> str:
    kind = _local(element)
    if kind in _COMPARISONS:
        prop, literal = _operands(element)
        return f"({prop} {_COMPARISONS[kind]} {literal})"
    if kind in ("And", "Or"):
        parts = [_filter(c) for c in element if isinstance(c.tag, str)]
        if len(parts) < 2:
            raise SldError(_("<%s> needs at least two expressions") % kind, "sld")
        return "(" + f" {kind.lower()} ".join(parts) + ")"
    if kind == "Not":
        parts = [_filter(c) for c in element if isinstance(c.tag, str)]
        if len(parts) != 1:
            raise SldError(_("<Not> holds exactly one expression"), "sld")
        return f"(not {parts[0]})"
    if kind == "PropertyIsNull":
        return f"({_property(_child(element, 'PropertyName'))} = null)"
    if kind == "PropertyIsBetween":
        prop = _property(_child(element, "PropertyName"))
        low = _literal(_child(_child(element, "LowerBoundary"), "Literal"))
        high = _literal(_child(_child(element, "UpperBoundary"), "Literal"))
        return f"({prop} >= {low} and {prop} <= {high})"
    if kind == "PropertyIsLike":
        prop = _property(_child(element, "PropertyName"))
        pattern = _text(_child(element, "Literal")) or ""
        return f"({prop}.match('{_mapnik_string(_like_to_regex(element, pattern))}'))"
    if kind in ("FeatureId", "GmlObjectId", "ResourceId"):
        ids = [e.get("fid") or e.get("rid") or e.get("{http://www.opengis.net/gml}id") or ""
               for e in ([element] if kind != "ResourceId" else list(element))]
        numbers = [i.rsplit(".", 1)[-1] for i in ids]
        if not all(n.isdigit() for n in numbers):
            raise SldError(_("feature ids in a filter must be numbers, got %r") % ids[:3], "sld")
        return "(" + " or ".join(f"[fid] = {n}" for n in numbers) + ")"
    raise SldError(
        _("filter <%s> is not supported in styles; use comparisons, Like, Null, Between, "
          "And, Or and Not") % kind, "sld",
    )


def _operands(element) -> tuple[str, str]:
    prop, literal = None, None
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if _local(child) == "PropertyName":
            prop = _property(child)
        elif _local(child) == "Literal":
            literal = _literal(child)
        else:
            raise SldError(_("<%s> inside a comparison is not supported") % _local(child), "sld")
    if prop is None or literal is None:
        raise SldError(_("<%s> needs a PropertyName and a Literal") % _local(element), "sld")
    return prop, literal


def _property(element) -> str:
    name = _text(element)
    if not name or not _PROPERTY.match(name):
        raise SldError(_("property name %r cannot be used in a style") % (name or "")[:80], "sld")
    return f"[{name}]"


def _literal(element) -> str:
    value = _text(element)
    if value is None:
        raise SldError(_("a <Literal> is missing or empty"), "sld")
    if _NUMBER.match(value.strip()):
        return value.strip()
    return f"'{_mapnik_string(value)}'"


def _mapnik_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _like_to_regex(element, pattern: str) -> str:
    wild = element.get("wildCard", "*")
    single = element.get("singleChar", ".")
    escape = element.get("escapeChar", element.get("escape", "\\"))
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == wild else "." if ch == single else re.escape(ch))
        i += 1
    return "^" + "".join(out) + "$"


# -- symbolizers ----------------------------------------------------------------------------

def _params(element) -> dict[str, str]:
    """CssParameter (SLD 1.0) and SvgParameter (SE 1.1) children as a dict."""
    if element is None:
        return {}
    return {
        p.get("name"): (_text(p) or "").strip()
        for p in element if isinstance(p.tag, str) and _local(p) in ("CssParameter", "SvgParameter")
    }


def _stroke_attributes(stroke) -> dict[str, str]:
    params = _params(stroke)
    attributes = {"stroke": params.get("stroke", "#000000")}
    for sld_name, mapnik_name in _STROKE_PARAMS.items():
        if sld_name in params and sld_name != "stroke":
            attributes[mapnik_name] = params[sld_name].replace(" ", ",") if sld_name == "stroke-dasharray" else params[sld_name]
    return attributes


def _polygon(symbolizer) -> list[etree._Element]:
    out = []
    fill = _child(symbolizer, "Fill")
    if fill is not None:
        if _child(fill, "GraphicFill") is not None:
            raise SldError(_("GraphicFill is not supported; use a plain fill colour"), "sld")
        params = _params(fill)
        attributes = {"fill": params.get("fill", "#808080")}
        if "fill-opacity" in params:
            attributes["fill-opacity"] = params["fill-opacity"]
        out.append(etree.Element("PolygonSymbolizer", attributes))
    stroke = _child(symbolizer, "Stroke")
    if stroke is not None:
        out.append(etree.Element("LineSymbolizer", _stroke_attributes(stroke)))
    return out


def _line(symbolizer) -> list[etree._Element]:
    stroke = _child(symbolizer, "Stroke")
    if stroke is not None and _child(stroke, "GraphicStroke") is not None:
        raise SldError(_("GraphicStroke is not supported; use a plain stroke"), "sld")
    attributes = _stroke_attributes(stroke)
    if (offset := _text(_child(symbolizer, "PerpendicularOffset"))) is not None:
        attributes["offset"] = _number(offset, "PerpendicularOffset")
    return [etree.Element("LineSymbolizer", attributes)]


def _point(symbolizer) -> etree._Element:
    graphic = _child(symbolizer, "Graphic")
    attributes = {"allow-overlap": "true"}
    size = _text(_child(graphic, "Size")) if graphic is not None else None
    size = _number(size, "Size") if size else "6"
    attributes["width"] = attributes["height"] = size
    if graphic is not None and (opacity := _text(_child(graphic, "Opacity"))) is not None:
        attributes["opacity"] = _number(opacity, "Opacity")
    if graphic is not None and (rotation := _text(_child(graphic, "Rotation"))) is not None:
        attributes["transform"] = f"rotate({_number(rotation, 'Rotation')})"
    mark = _child(graphic, "Mark") if graphic is not None else None
    external = _child(graphic, "ExternalGraphic") if graphic is not None else None
    if mark is not None:
        shape = (_text(_child(mark, "WellKnownName")) or "square").strip().lower()
        if shape == "circle":
            attributes["marker-type"] = "ellipse"
        elif shape in _WELL_KNOWN_MARKS:
            attributes["file"] = f"{shape}.svg"
        else:
            raise SldError(
                _("mark %r is not supported; use circle, square, triangle, star, cross or x")
                % shape[:40], "sld",
            )
        fill, stroke = _child(mark, "Fill"), _child(mark, "Stroke")
        attributes["fill"] = _params(fill).get("fill", "#808080") if fill is not None else "none"
        if fill is not None and "fill-opacity" in _params(fill):
            attributes["fill-opacity"] = _params(fill)["fill-opacity"]
        if stroke is not None:
            stroke_attributes = _stroke_attributes(stroke)
            attributes["stroke"] = stroke_attributes["stroke"]
            attributes["stroke-width"] = stroke_attributes.get("stroke-width", "1")
        else:
            attributes["stroke-width"] = "0"
    elif external is not None:
        attributes["file"] = _local_graphic(external)
    else:
        attributes.update({"marker-type": "ellipse", "fill": "#808080"})
    return etree.Element("MarkersSymbolizer", attributes)


def _local_graphic(external) -> str:
    # Only a symbol shipped with geoshare, named by its file name: never a URL to fetch.
    resource = _child(external, "OnlineResource")
    href = resource.get("{http://www.w3.org/1999/xlink}href", "") if resource is not None else ""
    name = href.rsplit("/", 1)[-1]
    if not name or name.startswith(".") or not (MARKERS_DIR / name).is_file():
        known = ", ".join(sorted(p.name for p in MARKERS_DIR.iterdir()))
        raise SldError(
            _("ExternalGraphic %(href)r is not fetched; name one of geoshare's symbols: %(known)s")
            % {"href": href[:80], "known": known},
            "sld",
        )
    return name


def _text_symbolizer(symbolizer, geometry_type: str) -> etree._Element:
    label = _child(symbolizer, "Label")
    if label is None:
        raise SldError(_("a TextSymbolizer needs a <Label>"), "sld")
    expression = _label_expression(label)
    font = _params(_child(symbolizer, "Font"))
    attributes = {
        "fontset-name": FONTSET,
        "size": _number(font.get("font-size", "12"), "font-size"),
        "fill": _params(_child(symbolizer, "Fill")).get("fill", "#000000"),
    }
    placement = _child(symbolizer, "LabelPlacement")
    if placement is not None and _child(placement, "LinePlacement") is not None:
        attributes["placement"] = "line"
        line = _child(placement, "LinePlacement")
        if (offset := _text(_child(line, "PerpendicularOffset"))) is not None:
            attributes["dy"] = _number(offset, "PerpendicularOffset")
    else:
        attributes["placement"] = "interior" if "Polygon" in geometry_type else "point"
        point = _child(placement, "PointPlacement") if placement is not None else None
        displacement = _child(point, "Displacement") if point is not None else None
        if displacement is not None:
            attributes["dx"] = _number(_text(_child(displacement, "DisplacementX")) or "0", "DisplacementX")
            # SLD's y axis points up, Mapnik's down.
            dy = float(_number(_text(_child(displacement, "DisplacementY")) or "0", "DisplacementY"))
            attributes["dy"] = repr(-dy)
    halo = _child(symbolizer, "Halo")
    if halo is not None:
        attributes["halo-radius"] = _number(_text(_child(halo, "Radius")) or "1", "Radius")
        attributes["halo-fill"] = _params(_child(halo, "Fill")).get("fill", "#ffffff")
    text = etree.Element("TextSymbolizer", attributes)
    text.text = expression
    return text


def _label_expression(label) -> str:
    # A Label mixes text and <PropertyName>s: 'No. ' + [number]
    parts = []
    if label.text and label.text.strip():
        parts.append(f"'{_mapnik_string(label.text.strip())}'")
    for child in label:
        if isinstance(child.tag, str) and _local(child) == "PropertyName":
            parts.append(_property(child))
        elif isinstance(child.tag, str) and _local(child) == "Literal":
            parts.append(f"'{_mapnik_string(_text(child) or '')}'")
        elif isinstance(child.tag, str):
            raise SldError(_("<%s> inside a Label is not supported") % _local(child), "sld")
        if child.tail and child.tail.strip():
            parts.append(f"'{_mapnik_string(child.tail.strip())}'")
    if not parts:
        raise SldError(_("the <Label> is empty"), "sld")
    return " + ".join(parts)


def _raster(symbolizer) -> etree._Element:
    attributes = {"scaling": "bilinear"}
    if (opacity := _text(_child(symbolizer, "Opacity"))) is not None:
        attributes["opacity"] = _number(opacity, "Opacity")
    raster = etree.Element("RasterSymbolizer", attributes)
    color_map = _child(symbolizer, "ColorMap")
    if color_map is not None:
        raster.append(_colorizer(color_map))
    return raster


def _colorizer(color_map) -> etree._Element:
    entries = _children(color_map, "ColorMapEntry")
    if entries:
        kind = color_map.get("type", "ramp")
        stops = [
            (_number(e.get("quantity", "0"), "quantity"),
             _rgba(e.get("color", "#000000"), e.get("opacity")), e.get("label") or "")
            for e in entries
        ]
        if kind == "values":
            return _colorizer_element("exact", "transparent", stops)
        if kind == "intervals":
            # SLD: entry i colours values up to its quantity; Mapnik: from the stop on.
            shifted = [(stops[i - 1][0], stops[i][1], stops[i][2]) for i in range(1, len(stops))]
            shifted.append((stops[-1][0], "transparent", ""))
            element = _colorizer_element("discrete", stops[0][1], shifted)
            return element
        return _colorizer_element("linear", "transparent", stops)
    categorize = _child(color_map, "Categorize")
    if categorize is not None:
        values = [_text(v) for v in _children(categorize, "Value")]
        thresholds = [_number(_text(t) or "", "Threshold") for t in _children(categorize, "Threshold")]
        if not values or len(values) != len(thresholds) + 1:
            raise SldError(_("<Categorize> needs one more Value than Thresholds"), "sld")
        stops = [(t, _rgba(v, None), "") for t, v in zip(thresholds, values[1:])]
        return _colorizer_element("discrete", _rgba(values[0], None), stops)
    interpolate = _child(color_map, "Interpolate")
    if interpolate is not None:
        stops = [
            (_number(_text(_child(p, "Data")) or "", "Data"), _rgba(_text(_child(p, "Value")), None), "")
            for p in _children(interpolate, "InterpolationPoint")
        ]
        return _colorizer_element("linear", "transparent", stops)
    raise SldError(_("a <ColorMap> needs ColorMapEntry, Categorize or Interpolate"), "sld")


def _colorizer_element(mode: str, default: str, stops) -> etree._Element:
    colorizer = etree.Element("RasterColorizer", {"default-mode": mode, "default-color": default})
    for value, color, label in stops:
        stop = etree.SubElement(colorizer, "stop", value=value, color=color)
        if label:
            stop.set("label", label)
    return colorizer


def _rgba(color: str | None, opacity: str | None) -> str:
    color = (color or "#000000").strip()
    if not re.match(r"^#[0-9a-fA-F]{6}$", color):
        raise SldError(_("colour %r must be #rrggbb") % color[:20], "sld")
    if opacity is None:
        return color
    alpha = float(_number(opacity, "opacity"))
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{max(0.0, min(alpha, 1.0))})"


# -- XML helpers ----------------------------------------------------------------------------

def _local(element) -> str:
    return etree.QName(element).localname


def _child(element, name: str):
    if element is None:
        return None
    return next((c for c in element if isinstance(c.tag, str) and _local(c) == name), None)


def _children(element, *names: str) -> list:
    return [c for c in element if isinstance(c.tag, str) and _local(c) in names]


def _all(element, name: str) -> list:
    return [e for e in element.iter() if isinstance(e.tag, str) and _local(e) == name]


def _text(element) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _number(value: str, where: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SldError(_("%(where)s must be a number, got %(value)r")
                       % {"where": where, "value": str(value)[:40]}, "sld") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise SldError(_("%s must be a finite number") % where, "sld")
    return repr(number) if not number.is_integer() else str(int(number))


def _style_name(raw: str) -> str:
    name = _STYLE_NAME.sub("_", raw.strip().lower()).strip("_")
    if not name or not name[0].isalpha():
        name = f"s_{name}" if name else "style"
    return name[:63]


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name[:60]}_{n}"
    taken.add(candidate)
    return candidate
