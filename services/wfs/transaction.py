"""WFS-T: a wfs:Transaction of Insert, Update, Replace and Delete actions, all or nothing.

QGIS and GDAL edit WFS layers by POSTing a Transaction (WFS 1.0.0, 1.1.0 or 2.0.0). The
whole document is read first, filters and geometries too; then each action runs on the
caller's edit grant for its type (``layers.edits``) inside one database transaction, so
when one fails none happened. A type hidden from the caller is unknown, as anywhere else;
one it sees but may not edit is refused (403). Update, Replace and Delete reach the
features their filter matches within what the edit grant shows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from django.db import transaction as db
from django.http import HttpResponse
from lxml import etree

from geoshare.access import audit, policy
from geoshare.errors import (
    InvalidParameterError, LayerNotFoundError, MissingParameterError, first_line,
)
from geoshare.geo import Crs, parse_crs
from layers import edits
from layers.features import feature_source
from layers.sources import FeatureQuery
from services.wfs.errors import OptionNotSupportedError
from services.wfs.fes import FES20, OGC, FilterContext, parse_filter
from services.wfs.gmlread import GML, GML32, read_geometry
from services.wfs.params import (
    GEOMETRY_NAMES, NAMESPACE, WFS11, WFS20, default_crs, layer_name, wire_yx,
)

__all__ = ["transaction"]

_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_KINDS = ("Insert", "Update", "Replace", "Delete")
_KINDS_11 = ("Insert", "Update", "Delete")
_TOTALS = {"Insert": "totalInserted", "Update": "totalUpdated", "Replace": "totalReplaced",
           "Delete": "totalDeleted"}


@dataclass(frozen=True)
class _Action:
    kind: str  # Insert, Update, Replace or Delete
    grant: policy.Grant  # the caller's edit grant on the action's type
    handle: str  # the client's name for the action, else its position
    features: tuple[edits.FeatureEdit, ...] = ()  # what Insert (one or more), Update, Replace write
    where: FeatureQuery | None = None  # which features Update, Replace and Delete change


def transaction(request) -> HttpResponse:
    if request.xml is None:
        raise OptionNotSupportedError("Transaction takes a POSTed wfs:Transaction document, not KVP",
                                      "request")
    # The document's own schema, whatever was agreed with the server: GDAL writes 1.1
    # documents and reads 1.1 answers after agreeing on 2.0.0; QGIS 3.x writes 1.0.0 ones.
    if etree.QName(request.xml).namespace == WFS20:
        version = "2.0.0"
    else:
        version = "1.0.0" if request.xml.get("version") == "1.0.0" else "1.1.0"
    actions = _Reader(request.principal, version).actions(request.xml)
    totals, inserted = Counter(), []
    with db.atomic():
        for action in actions:
            grant, layer = action.grant, action.grant.layer
            if action.kind == "Insert":
                fids = edits.insert(layer, grant, action.features)
                inserted += [(action.handle, f"{layer.name}.{fid}") for fid in fids]
                totals["Insert"] += len(fids)
                continue
            fids = feature_source(layer).lock(action.where, grant)  # in the grant's view
            if action.kind == "Delete":
                edits.delete(layer, grant, fids)
            elif action.kind == "Update":
                edits.update(layer, grant, fids, *action.features)
            else:
                edits.replace(layer, grant, fids, *action.features)
            totals[action.kind] += len(fids)
    audit.note(request.http, service="WFS", operation="Transaction",
               layers=list(dict.fromkeys(a.grant.layer.name for a in actions)),
               items=sum(totals.values()))
    # GDAL labels its 1.1 documents 2.0.0 when it agreed on 2.0.0, and then reads a new
    # feature's id as ogc:FeatureId when it inserts in batches, as fes:ResourceId one by one.
    both_ids = version == "1.1.0" and request.xml.get("version") == "2.0.0"
    body = _response(version, totals, inserted, both_ids)
    return HttpResponse(body, content_type="application/xml; charset=UTF-8")


class _Reader:
    """A Transaction document read into actions, each with the caller's edit grant."""

    def __init__(self, principal, version: str):
        self.principal, self.version = principal, version
        self.kinds = _KINDS if version == "2.0.0" else _KINDS_11
        self.grants: dict[str, policy.Grant] = {}

    def actions(self, root) -> list[_Action]:
        if root.get("lockId"):
            raise OptionNotSupportedError("locks are not supported: leave lockId out", "lockId")
        actions = []
        for position, element in enumerate((e for e in root if isinstance(e.tag, str)), start=1):
            kind = etree.QName(element).localname
            handle = element.get("handle") or f"action {position}"
            if kind == "Native" and element.get("safeToIgnore", "").lower() == "true":
                continue
            if kind not in self.kinds or etree.QName(element).namespace not in (WFS20, WFS11):
                raise OptionNotSupportedError(
                    f"{handle}: a Transaction here holds {', '.join(self.kinds)}, not {kind[:40]}",
                    kind[:40])
            srs = parse_crs(element.get("srsName"), "srsName") if element.get("srsName") else None
            if kind == "Insert":
                features = _elements(element)
                if not features:
                    raise MissingParameterError(f"{handle}: wfs:Insert holds no feature", "Insert")
                # One statement per run of features of one type: GDAL sends thousands at once.
                for name, run in groupby(features, key=_feature_type):
                    grant = self.grant(name)
                    actions.append(_Action(kind, grant, handle,
                                           tuple(self.feature(f, grant, srs) for f in run)))
            elif kind == "Replace":
                features = [f for f in _elements(element) if not _is_filter(f)]
                if len(features) != 1:
                    raise InvalidParameterError(f"{handle}: wfs:Replace holds one feature", "Replace")
                grant = self.grant(_feature_type(features[0]))
                actions.append(_Action(kind, grant, handle, (self.feature(features[0], grant, srs),),
                                       self.where(element, grant, srs, handle)))
            else:
                grant = self.grant(_type_name(element, handle))
                edit = (self.update(element, grant, srs, handle),) if kind == "Update" else ()
                actions.append(_Action(kind, grant, handle, edit, self.where(element, grant, srs, handle)))
        if not actions:
            raise MissingParameterError("the Transaction holds no action", "request")
        return actions

    def grant(self, name: str) -> policy.Grant:
        if name not in self.grants:
            self.grants[name] = edits.grants(self.principal, name, "typeName")[1]
        return self.grants[name]

    def where(self, element, grant: policy.Grant, srs: Crs | None, handle: str) -> FeatureQuery:
        """The query of the action's filter, whose geometries without a srsName are in ``srs``
        (the action's), else in the type's DefaultCRS."""
        filter_element = next((c for c in _elements(element) if _is_filter(c)), None)
        if filter_element is None:  # "every feature" has to be said, not implied by a forgotten filter
            raise MissingParameterError(f"{handle}: {etree.QName(element).localname} needs a Filter",
                                        "Filter")
        crs = srs or default_crs(grant.layer.srid)
        context = FilterContext(grant.layer.name, crs, lambda c: wire_yx(c, self.version), "Filter")
        return FeatureQuery(where=parse_filter(filter_element, context), literal_srid=crs.epsg, limit=None)

    def feature(self, feature, grant: policy.Grant, srs: Crs | None) -> edits.FeatureEdit:
        """A feature element's properties and geometry; an absent geometry is none."""
        properties, geometry, crs = {}, None, srs or default_crs(grant.layer.srid)
        for child in _elements(feature):
            if etree.QName(child).namespace not in (None, NAMESPACE):
                continue  # gml:name, gml:boundedBy and the like describe, they are not fields
            name = etree.QName(child).localname
            value, shape = self.value(child, crs)
            if shape is not None:
                geometry, crs = shape
            elif name not in GEOMETRY_NAMES:
                properties[name] = value
        return edits.FeatureEdit(properties, geometry, crs.epsg)

    def update(self, element, grant: policy.Grant, srs: Crs | None, handle: str) -> edits.FeatureEdit:
        """The properties an Update sets; its geometry only if it names it."""
        properties, geometry, crs = {}, edits.KEEP, srs or default_crs(grant.layer.srid)
        for prop in _elements(element):
            if etree.QName(prop).localname != "Property":
                continue
            reference = _child(prop, ("ValueReference", "Name"))
            name = (reference.text or "").strip() if reference is not None else ""
            if not name:
                raise MissingParameterError(f"{handle}: a wfs:Property needs a ValueReference",
                                            "ValueReference")
            name = layer_name(name.rsplit("/", 1)[-1], "ValueReference")
            action = reference.get("action", "replace")
            if action not in ("replace", "remove"):
                raise OptionNotSupportedError(
                    f"{handle}: ValueReference action {action[:40]!r} is not supported; "
                    "use replace or remove", "ValueReference")
            value_element = _child(prop, ("Value",))
            value, shape = (None, None)
            if value_element is not None and action == "replace":
                value, shape = self.value(value_element, crs)
            if shape is not None:
                geometry, crs = shape
            elif name in GEOMETRY_NAMES:
                if value:
                    raise InvalidParameterError(f"{handle}: {name} takes a GML geometry", "Value")
                geometry = None
            else:
                properties[name] = value
        if not properties and geometry is edits.KEEP:
            raise MissingParameterError(f"{handle}: wfs:Update sets no property", "Property")
        return edits.FeatureEdit(properties, geometry, crs.epsg)

    def value(self, element, default: Crs):
        """(text or None, None) for a plain value, (None, (GeoJSON, its Crs)) for a geometry."""
        if element.get(_XSI_NIL) in ("true", "1"):
            return None, None
        shapes = [c for c in _elements(element) if etree.QName(c).namespace in (GML, GML32)]
        if not shapes:
            return (element.text or "").strip(), None
        try:
            return None, read_geometry(shapes[0], default, lambda crs: wire_yx(crs, self.version),
                                       "geometry")
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
            raise edits.InvalidFeatureError(
                f"geometry is not GML this server reads: {first_line(e, 200)}", "geometry") from None


def _type_name(element, handle: str) -> str:
    raw = (element.get("typeName") or element.get("typeNames") or "").strip()
    if not raw:
        raise MissingParameterError(f"{handle}: {etree.QName(element).localname} needs typeName",
                                    "typeName")
    prefix, _, local = raw.rpartition(":")
    if prefix and element.nsmap.get(prefix) not in (None, NAMESPACE):
        raise LayerNotFoundError(raw, "typeName")
    return layer_name(local, "typeName")


def _feature_type(feature) -> str:
    qname = etree.QName(feature)
    if qname.namespace not in (None, NAMESPACE):
        raise LayerNotFoundError(f"{{{qname.namespace}}}{qname.localname}", "typeName")
    return layer_name(qname.localname)


def _is_filter(element) -> bool:
    qname = etree.QName(element)
    return qname.localname == "Filter" and qname.namespace in (FES20, OGC)


def _elements(element) -> list:
    return [c for c in element if isinstance(c.tag, str)]


def _child(element, names: tuple[str, ...]):
    return next((c for c in _elements(element) if etree.QName(c).localname in names), None)


# -- the answer -----------------------------------------------------------------------------


def _response(version: str, totals: Counter, inserted: list[tuple[str, str]], both_ids: bool) -> bytes:
    if version == "1.0.0":
        return _response_10(inserted)
    wfs = WFS20 if version == "2.0.0" else WFS11
    root = etree.Element(f"{{{wfs}}}TransactionResponse", version=version,
                         nsmap={"wfs": wfs, "fes": FES20, "ogc": OGC})
    summary = etree.SubElement(root, f"{{{wfs}}}TransactionSummary")
    for kind in _KINDS if version == "2.0.0" else _KINDS_11:
        etree.SubElement(summary, f"{{{wfs}}}{_TOTALS[kind]}").text = str(totals[kind])
    if inserted:
        results = etree.SubElement(root, f"{{{wfs}}}InsertResults")
        for handle, rid in inserted:
            feature = etree.SubElement(results, f"{{{wfs}}}Feature", handle=handle)
            if version != "2.0.0":
                etree.SubElement(feature, f"{{{OGC}}}FeatureId", fid=rid)
            if version == "2.0.0" or both_ids:
                etree.SubElement(feature, f"{{{FES20}}}ResourceId", rid=rid)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _response_10(inserted: list[tuple[str, str]]) -> bytes:
    """WFS 1.0.0's answer: an InsertResult per new feature, then SUCCESS (a failure is an
    exception report, as in the later versions)."""
    root = etree.Element(f"{{{WFS11}}}WFS_TransactionResponse", version="1.0.0",
                         nsmap={"wfs": WFS11, "ogc": OGC})
    for handle, rid in inserted:
        result = etree.SubElement(root, f"{{{WFS11}}}InsertResult", handle=handle)
        etree.SubElement(result, f"{{{OGC}}}FeatureId", fid=rid)
    status = etree.SubElement(etree.SubElement(root, f"{{{WFS11}}}TransactionResult"), f"{{{WFS11}}}Status")
    etree.SubElement(status, f"{{{WFS11}}}SUCCESS")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
