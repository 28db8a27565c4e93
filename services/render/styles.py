"""Style bodies: Mapnik XML ``<Style>`` elements as stored in ``layers.Style.body``.

A body is one ``<Style>`` or several in a row (drawn in that order, e.g. road casings
under road fills). Bodies may name symbol files only from the markers directory that
ships with geoshare, so a style can never read another file on the server.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from lxml import etree

from geoshare.errors import InvalidParameterError
from services.ows.xml import parse_untrusted
from services.render.mapnik_ import LABEL_FONTS, MARKERS_DIR, MapnikError, load

__all__ = ["StyleBodyError", "style_elements", "check_style_body", "FONTSET", "fontset_xml"]

FONTSET = "cjk"  # styles may say fontset-name="cjk" instead of naming a face

_RULE_CHILDREN = {
    "Filter", "ElseFilter", "AlsoFilter", "MinScaleDenominator", "MaxScaleDenominator",
    "PointSymbolizer", "LineSymbolizer", "LinePatternSymbolizer", "PolygonSymbolizer",
    "PolygonPatternSymbolizer", "TextSymbolizer", "ShieldSymbolizer", "MarkersSymbolizer",
    "RasterSymbolizer", "BuildingSymbolizer", "DotSymbolizer", "GroupSymbolizer",
    "DebugSymbolizer",
}
_FILE_ATTRIBUTES = ("file", "base")


class StyleBodyError(InvalidParameterError):
    """A style body that is not a usable Mapnik <Style>."""


def style_elements(body: str) -> list[etree._Element]:
    """The ``<Style>`` elements of a body, checked; StyleBodyError says what is wrong."""
    text = (body or "").strip()
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1]
    root = parse_untrusted(f"<Styles>{text}</Styles>".encode(), "style")
    styles = [child for child in root if isinstance(child.tag, str)]
    if not styles:
        raise StyleBodyError(_("the style has no <Style> element"), "body")
    for style in styles:
        if style.tag != "Style":
            raise StyleBodyError(
                _("only <Style> elements may appear at the top of a style, not <%s>") % style.tag,
                "body",
            )
        for rule in style:
            if not isinstance(rule.tag, str):
                continue
            if rule.tag != "Rule":
                raise StyleBodyError(_("<Style> may hold only <Rule>, not <%s>") % rule.tag, "body")
            for child in rule:
                if isinstance(child.tag, str) and child.tag not in _RULE_CHILDREN:
                    raise StyleBodyError(_("<Rule> may not hold <%s>") % child.tag, "body")
                _check_files(child)
    return styles


def _check_files(symbolizer: etree._Element) -> None:
    for attribute in _FILE_ATTRIBUTES:
        value = symbolizer.get(attribute)
        if value is None or value.startswith("shape://"):
            continue
        if "/" in value or "\\" in value or value.startswith(".") or not (MARKERS_DIR / value).is_file():
            known = ", ".join(sorted(p.name for p in MARKERS_DIR.iterdir()))
            raise StyleBodyError(
                _("symbol file %(file)r is not one of geoshare's symbols: %(known)s")
                % {"file": value[:80], "known": known},
                "body",
            )


def fontset_xml() -> str:
    """The Mapnik <FontSet> every map declares: CJK faces, so labels never show tofu boxes."""
    faces = "".join(f'<Font face-name="{face}"/>' for face in LABEL_FONTS)
    return f'<FontSet name="{FONTSET}">{faces}</FontSet>'


def check_style_body(body: str) -> None:
    """Raise StyleBodyError unless Mapnik accepts ``body`` (strictly: no unknown attributes)."""
    styles = style_elements(body)
    for n, style in enumerate(styles):
        style.set("name", f"s{n}")
    xml = "<Map>" + fontset_xml() + "".join(etree.tostring(s, encoding="unicode") for s in styles) + "</Map>"
    try:
        load(xml, strict=True)
    except MapnikError as e:
        raise StyleBodyError(str(e.__cause__ or e).strip()[:500], "body") from None
