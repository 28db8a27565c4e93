"""GML feature collections, streamed: WFS 2.0 with GML 3.2 (or 3.1.1), WFS 1.1.0 with GML 3.1.1.

Geometries come encoded by PostGIS (ST_AsGML, coordinates already in the wire order); this
module writes the feature elements around them and the properties.
"""

from __future__ import annotations

from collections.abc import Iterator

from geoshare.geo import Crs, is_geographic
from layers.sources import Feature, GeometryOutput
from services.wfs.encoders._stream import chunked
from services.wfs.encoders._values import xml_lexical, xml_text
from services.wfs.encoders.collection import Collection, Part
from services.wfs.gmlread import GML, GML32
from services.wfs.params import NAMESPACE, PREFIX, WFS11, WFS20, srs_name

__all__ = [
    "geometry_output",
    "precision",
    "feature_collection",
    "feature_document",
    "value_collection",
    "hits",
    "CONTENT_TYPE_32",
    "CONTENT_TYPE_311",
    "GEOMETRY_PROPERTY",
]

CONTENT_TYPE_32 = "application/gml+xml; version=3.2; charset=UTF-8"
CONTENT_TYPE_311 = "text/xml; subtype=gml/3.1.1; charset=UTF-8"
GEOMETRY_PROPERTY = "geom"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMAS = {
    WFS20: "http://schemas.opengis.net/wfs/2.0/wfs.xsd",
    WFS11: "http://schemas.opengis.net/wfs/1.1.0/wfs.xsd",
    GML32: "http://schemas.opengis.net/gml/3.2.1/gml.xsd",
}
# ST_AsGML options: 1 long (urn) srsName, 4 LineString rather than Curve, 16 north/lat first.
_LONG_SRS, _LINESTRING, _YX = 1, 4, 16


def geometry_output(layer_name: str, srs: Crs, yx: bool, gml32: bool) -> GeometryOutput:
    """How the feature engine should encode geometries for this GML."""
    return GeometryOutput(
        "gml3",
        srid=srs.epsg,
        precision=precision(srs),
        gml_options=_LONG_SRS | _LINESTRING | (_YX if yx else 0),
        gml_id_prefix=f"{layer_name}.geom." if gml32 else None,
    )


def precision(srs: Crs) -> int:
    """Decimals that keep millimetres: 8 for degrees, 3 for metres."""
    return 8 if is_geographic(srs.epsg) else 3


def feature_collection(
    collection: Collection, version: str, gml32: bool, schema_url: str
) -> Iterator[bytes]:
    """A wfs:FeatureCollection, as UTF-8 chunks."""
    return chunked(_collection(collection, version, gml32, schema_url))


def hits(number_matched: int, version: str, timestamp: str) -> bytes:
    """The answer to resultType=hits."""
    if version == "2.0.0":
        numbers = f'numberMatched="{number_matched}" numberReturned="0"'
        namespaces = f'xmlns:wfs="{WFS20}"'
    else:
        numbers = f'numberOfFeatures="{number_matched}"'
        namespaces = f'xmlns:wfs="{WFS11}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection {namespaces} '
        f'timeStamp="{timestamp}" {numbers}/>\n'
    ).encode()


def feature_document(part: Part, feature: Feature, gml32: bool) -> bytes:
    """One feature as a document of its own (GetFeatureById)."""
    writer = _FeatureWriter(part, gml32)
    gml = GML32 if gml32 else GML
    declarations = f' xmlns:{PREFIX}="{NAMESPACE}" xmlns:gml="{gml}"'
    element = writer.element(feature)
    head, _, rest = element.partition(" ")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}{declarations} {rest}\n'.encode()


def value_collection(part: Part, value_reference: str, collection: Collection) -> Iterator[bytes]:
    """A wfs:ValueCollection of one property (GetPropertyValue, WFS 2.0)."""
    return chunked(_values(part, value_reference, collection))


# -- writers ---------------------------------------------------------------------------------


def _root_attributes(collection: Collection, version: str) -> str:
    if version != "2.0.0":
        return f'timeStamp="{collection.timestamp}" numberOfFeatures="{collection.number_returned}"'
    matched = "unknown" if collection.number_matched is None else collection.number_matched
    attributes = (
        f'timeStamp="{collection.timestamp}" numberMatched="{matched}" '
        f'numberReturned="{collection.number_returned}"'
    )
    if collection.next_url:
        attributes += f' next="{xml_text(collection.next_url)}"'
    if collection.previous_url:
        attributes += f' previous="{xml_text(collection.previous_url)}"'
    return attributes


def _collection(collection: Collection, version: str, gml32: bool, schema_url: str):
    wfs = WFS20 if version == "2.0.0" else WFS11
    gml = GML32 if gml32 else GML
    locations = f"{NAMESPACE} {schema_url} {wfs} {_SCHEMAS[wfs]}"
    if gml32:
        locations += f" {GML32} {_SCHEMAS[GML32]}"
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection xmlns:wfs="{wfs}" '
        f'xmlns:gml="{gml}" xmlns:{PREFIX}="{NAMESPACE}" xmlns:xsi="{_XSI}" '
        f'xsi:schemaLocation="{xml_text(locations)}" {_root_attributes(collection, version)}>\n'
    )
    member_open, member_close = (
        ("<wfs:member>", "</wfs:member>\n")
        if version == "2.0.0"
        else ("<gml:featureMember>", "</gml:featureMember>\n")
    )
    for part in collection.parts:
        writer = _FeatureWriter(part, gml32)
        for feature in part.features:
            yield member_open + writer.element(feature) + member_close
    yield "</wfs:FeatureCollection>\n"


def _values(part: Part, value_reference: str, collection: Collection):
    yield (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<wfs:ValueCollection xmlns:wfs="{WFS20}" '
        f'xmlns:gml="{GML32}" xmlns:{PREFIX}="{NAMESPACE}" '
        f"{_root_attributes(collection, '2.0.0')}>\n"
    )
    writer = _FeatureWriter(part, gml32=True)
    if value_reference == GEOMETRY_PROPERTY:
        for feature in part.features:
            if feature.geometry is not None:
                yield f"<wfs:member>{writer.geometry(feature)}</wfs:member>\n"
    else:
        write = xml_lexical(next(f.type for f in part.fields if f.name == value_reference))
        for feature in part.features:
            value = feature.properties.get(value_reference)
            if value is not None:
                yield f"<wfs:member>{write(value)}</wfs:member>\n"
    yield "</wfs:ValueCollection>\n"


class _FeatureWriter:
    """Writes features of one part; tags and formatters are worked out once, not per feature."""

    def __init__(self, part: Part, gml32: bool):
        name = part.layer.name
        self.open = f'<{PREFIX}:{name} gml:id="{name}.'
        self.close = f"</{PREFIX}:{name}>"
        self.geometry_open = f"<{PREFIX}:{GEOMETRY_PROPERTY}>" if part.geometry else None
        self.geometry_close = f"</{PREFIX}:{GEOMETRY_PROPERTY}>"
        self.fields = [
            (f.name, f"<{PREFIX}:{f.name}>", f"</{PREFIX}:{f.name}>", xml_lexical(f.type))
            for f in part.fields
        ]
        self.id_prefix = f"{name}.geom." if gml32 else None
        written = (
            f'srsName="urn:ogc:def:crs:EPSG::{part.srs.epsg}"'  # what ST_AsGML option 1 writes
        )
        wanted = f'srsName="{srs_name(part.srs, part.yx)}"'
        self.srs_fix = (written, wanted) if written != wanted else None

    def element(self, feature: Feature) -> str:
        pieces = [self.open, str(feature.fid), '">']
        if self.geometry_open and feature.geometry is not None:
            pieces += [self.geometry_open, self.geometry(feature), self.geometry_close]
        properties = feature.properties
        for name, open_tag, close_tag, write in self.fields:
            value = properties.get(name)
            if value is not None:
                pieces += [open_tag, write(value), close_tag]
        pieces.append(self.close)
        return "".join(pieces)

    def geometry(self, feature: Feature) -> str:
        text = feature.geometry
        if self.srs_fix:
            text = text.replace(*self.srs_fix, 1)
        if self.id_prefix:
            # PostGIS 3.3 repeats the gml:id on every part of a multi-geometry; ids are unique.
            marker = f'gml:id="{self.id_prefix}{feature.fid}"'
            pieces = text.split(marker)
            if len(pieces) > 2:
                text = _renumber(pieces, self.id_prefix, feature.fid)
        return text


def _renumber(pieces: list[str], prefix: str, fid: int) -> str:
    out = [pieces[0], f'gml:id="{prefix}{fid}"', pieces[1]]
    for n, piece in enumerate(pieces[2:], start=1):
        out += [f'gml:id="{prefix}{fid}.{n}"', piece]
    return "".join(out)
