"""WMS capabilities (1.3.0 and 1.1.1): the layers and groups the policy shows the caller."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from geoshare.geo import CRS84, OFFERED_SRIDS, BBox, Crs
from services.ows.crs import wire_order
from services.ows.urls import absolute_url, kvp_endpoint
from services.render.formats import FORMATS
from services.render.legend import legend_rows, legend_size
from services.render.targets import DEFAULT_STYLE, default_style, published
from services.wms.params import INFO_FORMATS

__all__ = ["capabilities"]

WMS = "http://www.opengis.net/wms"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SLD = "http://www.opengis.net/sld"
_WORLD = BBox(-180.0, -90.0, 180.0, 90.0, 4490)
_MERCATOR_LAT = 85.0511287798


def capabilities(http_request, version: str) -> bytes:
    """The capabilities document for the caller of ``http_request``."""
    layers, groups = published(http_request.principal)
    return _Writer(http_request, version).document(layers, groups)


class _Writer:
    def __init__(self, http_request, version: str):
        self.request = http_request
        self.version = version
        self.v130 = version == "1.3.0"
        self.ns = f"{{{WMS}}}" if self.v130 else ""

    def el(self, parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
        element = etree.SubElement(parent, self.ns + tag, {k: str(v) for k, v in attributes.items()})
        if text is not None:
            element.text = text
        return element

    def link(self, parent, tag: str, href: str) -> etree._Element:
        element = self.el(parent, tag)
        element.set(f"{{{XLINK}}}type", "simple")
        element.set(f"{{{XLINK}}}href", href)
        return element

    # -- document -----------------------------------------------------------------------

    def document(self, layers, groups) -> bytes:
        if self.v130:
            root = etree.Element(self.ns + "WMS_Capabilities", nsmap={
                None: WMS, "xlink": XLINK, "xsi": XSI, "sld": SLD,
            }, version="1.3.0")
            root.set(f"{{{XSI}}}schemaLocation",
                     f"{WMS} http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd "
                     f"{SLD} http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd")
        else:
            root = etree.Element("WMT_MS_Capabilities", nsmap={"xlink": XLINK}, version="1.1.1")
        self.service(root)
        capability = self.el(root, "Capability")
        self.requests(capability)
        exception = self.el(capability, "Exception")
        formats = ("XML", "INIMAGE", "BLANK") if self.v130 else (
            "application/vnd.ogc.se_xml", "application/vnd.ogc.se_inimage",
            "application/vnd.ogc.se_blank")
        for name in formats:
            self.el(exception, "Format", name)
        self.root_layer(capability, layers, groups)
        if self.v130:
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        doctype = ('<!DOCTYPE WMT_MS_Capabilities SYSTEM '
                   '"http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd">')
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=doctype)

    def service(self, root) -> None:
        service = self.el(root, "Service")
        self.el(service, "Name", "WMS" if self.v130 else "OGC:WMS")
        self.el(service, "Title", _("geoshare map service"))
        self.el(service, "Abstract", _(
            "Base maps, the government e-map and thematic layers of the city, in CGCS2000 "
            "and web coordinates."
        ))
        keywords = self.el(service, "KeywordList")
        for word in ("WMS", "CGCS2000", _("e-map")):
            self.el(keywords, "Keyword", word)
        self.link(service, "OnlineResource", absolute_url(self.request, "/ows"))
        self.el(service, "Fees", "none")
        self.el(service, "AccessConstraints", "none")
        if self.v130:
            self.el(service, "MaxWidth", str(settings.GEOSHARE_WMS_MAX_WIDTH))
            self.el(service, "MaxHeight", str(settings.GEOSHARE_WMS_MAX_HEIGHT))

    def requests(self, capability) -> None:
        request = self.el(capability, "Request")
        caps_format = "text/xml" if self.v130 else "application/vnd.ogc.wms_xml"
        self.operation(request, "GetCapabilities", [caps_format], post=True)
        self.operation(request, "GetMap", list(FORMATS), post=True)
        self.operation(request, "GetFeatureInfo", list(INFO_FORMATS), post=True)
        legend_tag = f"{{{SLD}}}GetLegendGraphic" if self.v130 else "GetLegendGraphic"
        self.operation(request, legend_tag, list(FORMATS), post=False)

    def operation(self, parent, name: str, formats: list[str], post: bool) -> None:
        if name.startswith("{"):
            element = etree.SubElement(parent, name)
        else:
            element = self.el(parent, name)
        for mime in formats:
            self.el(element, "Format", mime)
        http = self.el(self.el(element, "DCPType"), "HTTP")
        self.link(self.el(http, "Get"), "OnlineResource", kvp_endpoint(self.request))
        if post:
            self.link(self.el(http, "Post"), "OnlineResource", kvp_endpoint(self.request))

    # -- layers ------------------------------------------------------------------------

    def root_layer(self, capability, layers, groups) -> None:
        root = self.el(capability, "Layer")
        self.el(root, "Title", _("geoshare layers"))
        for srid in OFFERED_SRIDS:
            self.el(root, "CRS" if self.v130 else "SRS", Crs(srid, "").code)
        extents = [layer.extent.extent for layer in layers if layer.extent]
        if extents:
            union = BBox(min(e[0] for e in extents), min(e[1] for e in extents),
                         max(e[2] for e in extents), max(e[3] for e in extents), 4490)
        else:
            union = _WORLD
        self.geographic_bbox(root, union)
        for group, members in groups:
            self.group(root, group, members)
        for layer in layers:
            self.layer(root, layer)

    def geographic_bbox(self, parent, box: BBox) -> None:
        if self.v130:
            element = self.el(parent, "EX_GeographicBoundingBox")
            self.el(element, "westBoundLongitude", repr(box.minx))
            self.el(element, "eastBoundLongitude", repr(box.maxx))
            self.el(element, "southBoundLatitude", repr(box.miny))
            self.el(element, "northBoundLatitude", repr(box.maxy))
        else:
            self.el(parent, "LatLonBoundingBox", minx=repr(box.minx), miny=repr(box.miny),
                    maxx=repr(box.maxx), maxy=repr(box.maxy))

    def bounding_boxes(self, parent, box: BBox) -> None:
        for srid in OFFERED_SRIDS:
            crs = Crs(srid, "")
            target = box
            if srid == 3857:
                target = BBox(box.minx, max(box.miny, -_MERCATOR_LAT), box.maxx,
                              min(box.maxy, _MERCATOR_LAT), box.srid)
            projected = target.transformed(crs.epsg)
            yx = self.v130 and crs.yx
            minx, miny = wire_order(projected.minx, projected.miny, yx)
            maxx, maxy = wire_order(projected.maxx, projected.maxy, yx)
            precision = 7 if srid in (4490, 4326, CRS84) else 2
            self.el(parent, "BoundingBox", **{"CRS" if self.v130 else "SRS": crs.code},
                    minx=f"{minx:.{precision}f}", miny=f"{miny:.{precision}f}",
                    maxx=f"{maxx:.{precision}f}", maxy=f"{maxy:.{precision}f}")

    def layer(self, parent, layer) -> None:
        element = self.el(parent, "Layer", queryable="1", opaque="0")
        self.el(element, "Name", layer.name)
        self.el(element, "Title", layer.title)
        if layer.abstract:
            self.el(element, "Abstract", layer.abstract)
        if layer.keywords:
            keywords = self.el(element, "KeywordList")
            for word in layer.keywords:
                self.el(keywords, "Keyword", word)
        box = BBox(*layer.extent.extent, 4490) if layer.extent else _WORLD
        self.geographic_bbox(element, box)
        self.bounding_boxes(element, box)
        metadata = self.el(element, "MetadataURL", type="ISO19115:2003")
        self.el(metadata, "Format", "application/json")
        self.link(metadata, "OnlineResource",
                  absolute_url(self.request, f"/api/catalog/layers/{layer.name}/"))
        styles = sorted(layer.styles.all(), key=lambda s: (not s.is_default, s.name)) or [
            default_style(layer)
        ]
        for style in styles:
            self.style(element, layer.name, style.name, style.title, [(layer, style)], grouped=False)

    def group(self, parent, group, members) -> None:
        element = self.el(parent, "Layer", queryable="1", opaque="0")
        self.el(element, "Name", group.name)
        self.el(element, "Title", group.title)
        if group.abstract:
            self.el(element, "Abstract", group.abstract)
        extents = [layer.extent.extent for layer, _style in members if layer.extent]
        box = BBox(min(e[0] for e in extents), min(e[1] for e in extents),
                   max(e[2] for e in extents), max(e[3] for e in extents), 4490) if extents else _WORLD
        self.geographic_bbox(element, box)
        self.bounding_boxes(element, box)
        self.style(element, group.name, DEFAULT_STYLE, group.title, members, grouped=True)
        for layer, _style in members:
            self.layer(element, layer)

    def style(self, parent, name: str, style_name: str, title: str, entries, grouped: bool) -> None:
        element = self.el(parent, "Style")
        self.el(element, "Name", style_name)
        self.el(element, "Title", title)
        width, height = legend_size(legend_rows(entries, grouped=grouped))
        legend = self.el(element, "LegendURL", width=width, height=height)
        self.el(legend, "Format", "image/png")
        self.link(legend, "OnlineResource", absolute_url(self.request, "/ows", {
            "SERVICE": "WMS", "VERSION": self.version, "REQUEST": "GetLegendGraphic",
            "FORMAT": "image/png", "LAYER": name, "STYLE": style_name, "SLD_VERSION": "1.1.0",
        }))
