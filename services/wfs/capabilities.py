"""WFS capabilities (2.0.0, 1.1.0) and stored query descriptions, for the layers one sees.

The Filter_Capabilities list exactly what services/wfs/fes.py parses and layers/filters.py
compiles; tests/services/wfs/test_filters.py runs every operator advertised here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from lxml import etree

from geoshare.geo import OFFERED_SRIDS, Crs
from services.wfs.fes import FES20, OGC
from services.wfs.gmlread import GML, GML32
from services.wfs.params import (
    FORMATS,
    GET_FEATURE_BY_ID,
    NAMESPACE,
    PREFIX,
    WFS11,
    WFS20,
    default_crs,
    max_features,
)

__all__ = [
    "Endpoints",
    "capabilities",
    "list_stored_queries",
    "describe_stored_queries",
    "COMPARISON_OPERATORS",
    "SPATIAL_OPERATORS",
    "TEMPORAL_OPERATORS",
]

_OWS11 = "http://www.opengis.net/ows/1.1"
_OWS10 = "http://www.opengis.net/ows"
_XLINK = "http://www.w3.org/1999/xlink"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"

COMPARISON_OPERATORS = (
    "PropertyIsEqualTo",
    "PropertyIsNotEqualTo",
    "PropertyIsLessThan",
    "PropertyIsGreaterThan",
    "PropertyIsLessThanOrEqualTo",
    "PropertyIsGreaterThanOrEqualTo",
    "PropertyIsLike",
    "PropertyIsNull",
    "PropertyIsBetween",
)
SPATIAL_OPERATORS = (
    "BBOX",
    "Equals",
    "Disjoint",
    "Intersects",
    "Touches",
    "Crosses",
    "Within",
    "Contains",
    "Overlaps",
    "DWithin",
    "Beyond",
)
TEMPORAL_OPERATORS = ("After", "Before", "During", "TEquals")
_OPERANDS_32 = (
    "gml:Envelope",
    "gml:Point",
    "gml:MultiPoint",
    "gml:LineString",
    "gml:MultiCurve",
    "gml:Polygon",
    "gml:MultiSurface",
)
_OPERANDS_311 = (
    "gml:Envelope",
    "gml:Point",
    "gml:MultiPoint",
    "gml:LineString",
    "gml:MultiLineString",
    "gml:MultiCurve",
    "gml:Polygon",
    "gml:MultiPolygon",
    "gml:MultiSurface",
)
# FES 2.0 conformance (OGC 09-026r2 Table 1), as this server implements it.
_CONFORMANCE = {
    "ImplementsQuery": True,
    "ImplementsAdHocQuery": True,
    "ImplementsFunctions": False,
    "ImplementsResourceId": True,
    "ImplementsMinStandardFilter": True,
    "ImplementsStandardFilter": False,  # no PropertyIsNil
    "ImplementsMinSpatialFilter": True,
    "ImplementsSpatialFilter": True,
    "ImplementsMinTemporalFilter": True,
    "ImplementsTemporalFilter": False,
    "ImplementsVersionNav": False,
    "ImplementsSorting": True,
    "ImplementsExtendedOperators": False,
    "ImplementsMinimumXPath": False,
    "ImplementsSchemaElementFunc": False,
}
# WFS 2.0 service constraints (OGC 09-025r2 Table 13).
_CONSTRAINTS = {
    "ImplementsBasicWFS": True,
    "ImplementsTransactionalWFS": False,  # True for a caller who may edit
    "ImplementsLockingWFS": False,
    "KVPEncoding": True,
    "XMLEncoding": True,
    "SOAPEncoding": False,
    "ImplementsInheritance": False,
    "ImplementsRemoteResolve": False,
    "ImplementsResultPaging": True,
    "ImplementsStandardJoins": False,
    "ImplementsSpatialJoins": False,
    "ImplementsTemporalJoins": False,
    "ImplementsFeatureVersioning": False,
    "ManageStoredQueries": False,
}
_OPERATIONS_20 = (
    "GetCapabilities",
    "DescribeFeatureType",
    "GetFeature",
    "GetPropertyValue",
    "ListStoredQueries",
    "DescribeStoredQueries",
)
_OPERATIONS_11 = ("GetCapabilities", "DescribeFeatureType", "GetFeature")


@dataclass(frozen=True)
class Endpoints:
    get: str  # KVP OnlineResource, ending in ? or &
    post: str


def capabilities(version: str, layers, endpoints: Endpoints, editable: frozenset[str] = frozenset()) -> bytes:
    """WFS_Capabilities listing ``layers`` (vector layers the principal sees), the names in
    ``editable`` open to Transaction."""
    builder = _Wfs20 if version == "2.0.0" else _Wfs11
    root = builder(endpoints, editable).document(list(layers))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def list_stored_queries(layers) -> bytes:
    root = etree.Element(
        f"{{{WFS20}}}ListStoredQueriesResponse", nsmap={"wfs": WFS20, PREFIX: NAMESPACE}
    )
    query = _sub(root, f"{{{WFS20}}}StoredQuery", id=GET_FEATURE_BY_ID)
    _sub(query, f"{{{WFS20}}}Title", _("Get feature by identifier"))
    for layer in layers:
        _sub(query, f"{{{WFS20}}}ReturnFeatureType", f"{PREFIX}:{layer.name}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def describe_stored_queries(layers) -> bytes:
    root = etree.Element(
        f"{{{WFS20}}}DescribeStoredQueriesResponse",
        nsmap={"wfs": WFS20, "xs": "http://www.w3.org/2001/XMLSchema", PREFIX: NAMESPACE},
    )
    description = _sub(root, f"{{{WFS20}}}StoredQueryDescription", id=GET_FEATURE_BY_ID)
    _sub(description, f"{{{WFS20}}}Title", _("Get feature by identifier"))
    _sub(
        description,
        f"{{{WFS20}}}Abstract",
        _("Returns the single feature whose identifier (gml:id, such as roads.12) is ID."),
    )
    _sub(description, f"{{{WFS20}}}Parameter", name="ID", type="xs:string")
    _sub(
        description,
        f"{{{WFS20}}}QueryExpressionText",
        isPrivate="true",
        language="urn:ogc:def:queryLanguage:OGC-WFS::WFSQueryExpression",
        returnFeatureTypes=" ".join(f"{PREFIX}:{layer.name}" for layer in layers),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _sub(parent, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _other_crs(native: int) -> list[Crs]:
    return [Crs(s, "", True) for s in OFFERED_SRIDS if s != native]


def _bounds(layer):
    return layer.extent.extent if layer.extent else None


class _Builder:
    version: str
    ows: str
    wfs: str

    def __init__(self, endpoints: Endpoints, editable: frozenset[str]):
        self.endpoints = endpoints
        self.editable = editable

    def o(self, name: str) -> str:
        return f"{{{self.ows}}}{name}"

    def w(self, name: str) -> str:
        return f"{{{self.wfs}}}{name}"

    def service_identification(self, root) -> None:
        identification = _sub(root, self.o("ServiceIdentification"))
        _sub(identification, self.o("Title"), _("geoshare feature service"))
        _sub(
            identification,
            self.o("Abstract"),
            _("Vector layers of the city geospatial sharing platform as WFS."),
        )
        _sub(
            identification,
            self.o("ServiceType"),
            "WFS",
            **({"codeSpace": "OGC"} if self.version == "2.0.0" else {}),
        )
        for version in ("2.0.0", "1.1.0"):
            _sub(identification, self.o("ServiceTypeVersion"), version)
        _sub(identification, self.o("Fees"), "NONE")
        _sub(identification, self.o("AccessConstraints"), "NONE")
        provider = _sub(root, self.o("ServiceProvider"))
        _sub(provider, self.o("ProviderName"), "geoshare")

    def operation(self, parent, name: str, parameters: dict[str, list[str]]):
        operation = _sub(parent, self.o("Operation"), name=name)
        http = _sub(_sub(operation, self.o("DCP")), self.o("HTTP"))
        if name != "Transaction":  # a document, POSTed
            _sub(http, self.o("Get"), **{f"{{{_XLINK}}}href": self.endpoints.get})
        _sub(http, self.o("Post"), **{f"{{{_XLINK}}}href": self.endpoints.post})
        for parameter, allowed in parameters.items():
            self.allowed(_sub(operation, self.o("Parameter"), name=parameter), allowed)
        return operation

    def allowed(self, parent, values: list[str]) -> None:
        container = _sub(parent, self.o("AllowedValues")) if self.version == "2.0.0" else parent
        for value in values:
            _sub(container, self.o("Value"), value)

    def formats(self) -> list[str]:
        return [f.mime for f in FORMATS if self.version == "2.0.0" or f.key != "gml32"]


class _Wfs20(_Builder):
    version, ows, wfs = "2.0.0", _OWS11, WFS20

    def document(self, layers):
        root = etree.Element(
            self.w("WFS_Capabilities"),
            version=self.version,
            nsmap={
                "wfs": WFS20,
                "ows": _OWS11,
                "fes": FES20,
                "gml": GML32,
                "xlink": _XLINK,
                "xsi": _XSI,
                PREFIX: NAMESPACE,
            },
        )
        root.set(f"{{{_XSI}}}schemaLocation", f"{WFS20} http://schemas.opengis.net/wfs/2.0/wfs.xsd")
        self.service_identification(root)
        self.operations_metadata(root)
        type_list = _sub(root, self.w("FeatureTypeList"))
        for layer in layers:
            self.feature_type(type_list, layer)
        self.filter_capabilities(root)
        return root

    def operations_metadata(self, root) -> None:
        metadata = _sub(root, self.o("OperationsMetadata"))
        per_operation = {
            "GetCapabilities": {
                "AcceptVersions": ["2.0.0", "1.1.0"],
                "AcceptFormats": ["text/xml"],
            },
            "DescribeFeatureType": {"outputFormat": [FORMATS[0].mime, FORMATS[1].mime]},
            "GetFeature": {"outputFormat": self.formats(), "resultType": ["results", "hits"]},
            "GetPropertyValue": {
                "outputFormat": [FORMATS[0].mime],
                "resultType": ["results", "hits"],
            },
            "ListStoredQueries": {},
            "DescribeStoredQueries": {},
            "Transaction": {"inputFormat": [FORMATS[0].mime], "releaseAction": ["ALL"]},
        }
        for name in (*_OPERATIONS_20, *(("Transaction",) if self.editable else ())):
            self.operation(metadata, name, per_operation[name])
        self.allowed(_sub(metadata, self.o("Parameter"), name="version"), ["2.0.0", "1.1.0"])
        # Transactions are offered to those who may edit some layer.
        constraints = {**_CONSTRAINTS, "ImplementsTransactionalWFS": bool(self.editable)}
        for name, value in constraints.items():
            _constraint(
                metadata, self.o("Constraint"), name, "TRUE" if value else "FALSE", self.ows
            )
        _constraint(metadata, self.o("Constraint"), "CountDefault", str(max_features()), self.ows)
        query_expressions = _sub(metadata, self.o("Constraint"), name="QueryExpressions")
        self.allowed(query_expressions, ["wfs:Query", "wfs:StoredQuery"])

    def feature_type(self, parent, layer) -> None:
        feature_type = _sub(parent, self.w("FeatureType"))
        _sub(feature_type, self.w("Name"), f"{PREFIX}:{layer.name}")
        _sub(feature_type, self.w("Title"), layer.title)
        if layer.abstract:
            _sub(feature_type, self.w("Abstract"), layer.abstract)
        _keywords(feature_type, self.o, layer.keywords)
        _sub(feature_type, self.w("DefaultCRS"), default_crs(layer.srid).urn)
        for crs in _other_crs(layer.srid):
            _sub(feature_type, self.w("OtherCRS"), crs.urn)
        _wgs84_box(feature_type, self.o, _bounds(layer))

    def filter_capabilities(self, root) -> None:
        def f(name: str) -> str:
            return f"{{{FES20}}}{name}"

        capabilities = _sub(root, f("Filter_Capabilities"))
        conformance = _sub(capabilities, f("Conformance"))
        for name, value in _CONFORMANCE.items():
            _constraint(conformance, f("Constraint"), name, "TRUE" if value else "FALSE", _OWS11)
        ids = _sub(capabilities, f("Id_Capabilities"))
        _sub(ids, f("ResourceIdentifier"), name="fes:ResourceId")
        scalar = _sub(capabilities, f("Scalar_Capabilities"))
        _sub(scalar, f("LogicalOperators"))
        comparison = _sub(scalar, f("ComparisonOperators"))
        for name in COMPARISON_OPERATORS:
            _sub(comparison, f("ComparisonOperator"), name=name)
        spatial = _sub(capabilities, f("Spatial_Capabilities"))
        operands = _sub(spatial, f("GeometryOperands"))
        for name in _OPERANDS_32:
            _sub(operands, f("GeometryOperand"), name=name)
        operators = _sub(spatial, f("SpatialOperators"))
        for name in SPATIAL_OPERATORS:
            _sub(operators, f("SpatialOperator"), name=name)
        temporal = _sub(capabilities, f("Temporal_Capabilities"))
        temporal_operands = _sub(temporal, f("TemporalOperands"))
        for name in ("gml:TimeInstant", "gml:TimePeriod"):
            _sub(temporal_operands, f("TemporalOperand"), name=name)
        temporal_operators = _sub(temporal, f("TemporalOperators"))
        for name in TEMPORAL_OPERATORS:
            _sub(temporal_operators, f("TemporalOperator"), name=name)


class _Wfs11(_Builder):
    version, ows, wfs = "1.1.0", _OWS10, WFS11

    def document(self, layers):
        root = etree.Element(
            self.w("WFS_Capabilities"),
            version=self.version,
            nsmap={
                "wfs": WFS11,
                "ows": _OWS10,
                "ogc": OGC,
                "gml": GML,
                "xlink": _XLINK,
                "xsi": _XSI,
                PREFIX: NAMESPACE,
            },
        )
        root.set(
            f"{{{_XSI}}}schemaLocation", f"{WFS11} http://schemas.opengis.net/wfs/1.1.0/wfs.xsd"
        )
        self.service_identification(root)
        metadata = _sub(root, self.o("OperationsMetadata"))
        per_operation = {
            "GetCapabilities": {"AcceptVersions": ["1.1.0", "2.0.0"]},
            "DescribeFeatureType": {"outputFormat": [FORMATS[1].mime]},
            "GetFeature": {"outputFormat": self.formats(), "resultType": ["results", "hits"]},
            "Transaction": {"inputFormat": [FORMATS[1].mime]},
        }
        for name in (*_OPERATIONS_11, *(("Transaction",) if self.editable else ())):
            self.operation(metadata, name, per_operation[name])
        type_list = _sub(root, self.w("FeatureTypeList"))
        _sub(_sub(type_list, self.w("Operations")), self.w("Operation"), "Query")
        for layer in layers:
            self.feature_type(type_list, layer)
        self.filter_capabilities(root)
        return root

    def feature_type(self, parent, layer) -> None:
        feature_type = _sub(parent, self.w("FeatureType"))
        _sub(feature_type, self.w("Name"), f"{PREFIX}:{layer.name}")
        _sub(feature_type, self.w("Title"), layer.title)
        if layer.abstract:
            _sub(feature_type, self.w("Abstract"), layer.abstract)
        _keywords(feature_type, self.o, layer.keywords)
        _sub(feature_type, self.w("DefaultSRS"), default_crs(layer.srid).urn)
        for crs in _other_crs(layer.srid):
            _sub(feature_type, self.w("OtherSRS"), crs.urn)
        if layer.name in self.editable:
            operations = _sub(feature_type, self.w("Operations"))
            for name in ("Query", "Insert", "Update", "Delete"):
                _sub(operations, self.w("Operation"), name)
        output_formats = _sub(feature_type, self.w("OutputFormats"))
        for mime in self.formats():
            _sub(output_formats, self.w("Format"), mime)
        _wgs84_box(feature_type, self.o, _bounds(layer))

    def filter_capabilities(self, root) -> None:
        def f(name: str) -> str:
            return f"{{{OGC}}}{name}"

        capabilities = _sub(root, f("Filter_Capabilities"))
        spatial = _sub(capabilities, f("Spatial_Capabilities"))
        operands = _sub(spatial, f("GeometryOperands"))
        for name in _OPERANDS_311:
            _sub(operands, f("GeometryOperand"), name)
        operators = _sub(spatial, f("SpatialOperators"))
        for name in SPATIAL_OPERATORS:
            _sub(operators, f("SpatialOperator"), name=name)
        scalar = _sub(capabilities, f("Scalar_Capabilities"))
        _sub(scalar, f("LogicalOperators"))
        comparison = _sub(scalar, f("ComparisonOperators"))
        for name in (
            "LessThan",
            "GreaterThan",
            "LessThanEqualTo",
            "GreaterThanEqualTo",
            "EqualTo",
            "NotEqualTo",
            "Like",
            "Between",
            "NullCheck",
        ):
            _sub(comparison, f("ComparisonOperator"), name)
        arithmetic = _sub(scalar, f("ArithmeticOperators"))
        _sub(arithmetic, f("SimpleArithmetic"))
        ids = _sub(capabilities, f("Id_Capabilities"))
        _sub(ids, f("EID"))
        _sub(ids, f("FID"))


def _constraint(parent, tag: str, name: str, value: str, ows: str) -> None:
    constraint = _sub(parent, tag, name=name)
    _sub(constraint, f"{{{ows}}}NoValues")
    _sub(constraint, f"{{{ows}}}DefaultValue", value)


def _keywords(parent, o, keywords) -> None:
    if keywords:
        container = _sub(parent, o("Keywords"))
        for keyword in keywords:
            _sub(container, o("Keyword"), keyword)


def _wgs84_box(parent, o, bounds) -> None:
    if bounds is None:
        return
    west, south, east, north = bounds
    box = _sub(parent, o("WGS84BoundingBox"))
    _sub(box, o("LowerCorner"), f"{west!r} {south!r}")
    _sub(box, o("UpperCorner"), f"{east!r} {north!r}")
