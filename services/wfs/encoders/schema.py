"""The GML application schema of feature types (DescribeFeatureType), from their columns."""

from __future__ import annotations

from lxml import etree

from layers.sources import FieldInfo
from services.wfs.encoders._values import XSD_TYPES
from services.wfs.encoders.gml import GEOMETRY_PROPERTY
from services.wfs.gmlread import GML, GML32
from services.wfs.params import NAMESPACE, PREFIX

__all__ = ["application_schema"]

_XSD = "http://www.w3.org/2001/XMLSchema"
_GML_SCHEMAS = {
    GML32: "http://schemas.opengis.net/gml/3.2.1/gml.xsd",
    GML: "http://schemas.opengis.net/gml/3.1.1/base/gml.xsd",
}
_GEOMETRY_TYPES = {
    "Point": "PointPropertyType",
    "MultiPoint": "MultiPointPropertyType",
    "MultiLineString": "MultiCurvePropertyType",
    "MultiPolygon": "MultiSurfacePropertyType",
}


def application_schema(types: list[tuple[object, list[FieldInfo]]], gml32: bool) -> bytes:
    """An XML Schema declaring each (layer, visible fields) as a GML feature type."""
    gml = GML32 if gml32 else GML
    root = etree.Element(
        f"{{{_XSD}}}schema",
        nsmap={"xsd": _XSD, "gml": gml, PREFIX: NAMESPACE},
        targetNamespace=NAMESPACE,
        elementFormDefault="qualified",
        version="1.0",
    )
    etree.SubElement(root, f"{{{_XSD}}}import", namespace=gml, schemaLocation=_GML_SCHEMAS[gml])
    for layer, fields in types:
        complex_type = etree.SubElement(root, f"{{{_XSD}}}complexType", name=f"{layer.name}Type")
        content = etree.SubElement(complex_type, f"{{{_XSD}}}complexContent")
        extension = etree.SubElement(
            content, f"{{{_XSD}}}extension", base="gml:AbstractFeatureType"
        )
        sequence = etree.SubElement(extension, f"{{{_XSD}}}sequence")
        geometry_type = _GEOMETRY_TYPES.get(layer.geometry_type, "GeometryPropertyType")
        _element(sequence, GEOMETRY_PROPERTY, f"gml:{geometry_type}")
        for field in fields:
            _element(sequence, field.name, f"xsd:{XSD_TYPES.get(field.type, 'string')}")
        etree.SubElement(
            root,
            f"{{{_XSD}}}element",
            name=layer.name,
            type=f"{PREFIX}:{layer.name}Type",
            substitutionGroup="gml:AbstractFeature" if gml32 else "gml:_Feature",
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _element(parent, name: str, xsd_type: str) -> None:
    etree.SubElement(
        parent,
        f"{{{_XSD}}}element",
        name=name,
        type=xsd_type,
        minOccurs="0",
        maxOccurs="1",
        nillable="true",
    )
