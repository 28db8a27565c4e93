"""WFS operations: parameters (params.py) -> access policy -> feature engine -> encoder.

Before the response starts, the first ``LOOKAHEAD`` rows are read in one round trip (so a
failing query still becomes an exception report). If the answer ends within them, they are
all of it and give numberReturned without a count query; otherwise one count(*) gives
numberMatched and the rest streams from the engine's server-side cursor. Shapefile and
GeoPackage are written to a scratch file first.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from itertools import chain

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from geoshare.access import audit, policy
from geoshare.access.policy import Action
from geoshare.errors import (
    FeatureNotFoundError,
    InvalidParameterError,
    LayerNotFoundError,
    UnknownPropertyError,
)
from layers.features import feature_source
from layers.sources import FeatureQuery, FieldInfo, GeometryOutput
from services.ows.dispatch import OperationNotSupportedError
from services.ows.urls import absolute_url, kvp_endpoint
from services.wfs import capabilities as caps
from services.wfs.encoders import csv_, files, geojson, gml, schema
from services.wfs.encoders.collection import Collection, Part
from services.wfs.params import (
    GEOMETRY_NAMES,
    GET_FEATURE_BY_ID,
    PREFIX,
    GetFeatureParams,
    Query,
    describe_params,
    get_feature_params,
    get_property_value_params,
    layer_name,
    max_features,
    resolve,
    stored_query_ids,
)
from services.wfs.transaction import transaction

__all__ = ["OPERATIONS"]

LOOKAHEAD = 1000  # rows read before the response starts
# Files to keep are downloads in the policy's terms; GML and GeoJSON feed a client's view.
_DOWNLOADS = ("shapezip", "gpkg", "csv")
_XML = "application/xml; charset=UTF-8"


@dataclasses.dataclass(frozen=True)
class _Plan:
    """One query made ready: its grant, source, resolved filter and the properties it returns."""

    query: Query
    grant: policy.Grant
    source: object
    where: FeatureQuery  # filter, bbox and ids; limit/offset/geometry filled in per use
    fields: list[FieldInfo]
    geometry: bool
    srs: object
    yx: bool

    @property
    def layer(self):
        return self.grant.layer

    def count(self) -> int:
        return self.source.count(self.where, self.grant)

    def features(self, geometry: GeometryOutput, limit: int | None, offset: int):
        """The features streamed from a server-side cursor."""
        return self.source.features(self._query(geometry, limit, offset), self.grant)

    def fetch(self, geometry: GeometryOutput, limit: int, offset: int) -> list:
        """At most ``limit`` features read at once (one round trip)."""
        return self.source.fetch(self._query(geometry, limit, offset), self.grant)

    def _query(self, geometry: GeometryOutput, limit: int | None, offset: int) -> FeatureQuery:
        return dataclasses.replace(self.where, geometry=geometry, limit=limit, offset=offset)

    def part(self, features) -> Part:
        return Part(self.layer, self.fields, features, self.srs, self.yx, self.geometry)

    def narrowed(self, fields: list[FieldInfo], geometry: bool) -> _Plan:
        where = dataclasses.replace(self.where, properties=tuple(f.name for f in fields))
        return dataclasses.replace(self, where=where, fields=fields, geometry=geometry)


# -- operations -----------------------------------------------------------------------------


def get_capabilities(request) -> HttpResponse:
    editable = frozenset() if request.principal.is_anonymous else frozenset(
        _vector_layers(request, Action.EDIT).values_list("name", flat=True))
    body = caps.capabilities(request.version, _vector_layers(request), _endpoints(request), editable)
    return HttpResponse(body, content_type=_XML)


def describe_feature_type(request) -> HttpResponse:
    params = describe_params(request)
    names = params.type_names or [layer.name for layer in _vector_layers(request)]
    types = []
    for name in names:
        grant = _grant(request, name, Action.VIEW, "typeNames")
        types.append((grant.layer, feature_source(grant.layer).fields(grant)))
    content_type = gml.CONTENT_TYPE_32 if params.gml32 else gml.CONTENT_TYPE_311
    return HttpResponse(schema.application_schema(types, params.gml32), content_type=content_type)


def get_feature(request):
    params = get_feature_params(request)
    key = params.output_format.key
    action = Action.DOWNLOAD if key in _DOWNLOADS else Action.VIEW
    plans = [_plan(request, query, action, params.by_id) for query in params.queries]
    if key == "csv" and len(plans) > 1:
        raise InvalidParameterError(
            "outputFormat text/csv carries one feature type; ask for one", "typeNames"
        )
    if key == "shapezip":
        for plan in plans:
            files.check_shapefile(plan.layer)
    # The audit trail learns the layers a POSTed document or a stored query named.
    audit.note(
        request.http,
        service="WFS",
        operation=request.operation,
        layers=[plan.layer.name for plan in plans],
    )
    if params.hits:
        return _hits(params, plans)
    if params.by_id:
        return _feature_by_id(request, plans[0], params)
    collection = _collection(
        request, plans, params.count, params.start_index, lambda plan: _geometry_output(key, plan)
    )
    audit.note(request.http, items=collection.number_returned)
    if key in ("gml32", "gml311"):
        body = gml.feature_collection(
            collection, params.version, key == "gml32", _schema_url(request, plans)
        )
        content_type = gml.CONTENT_TYPE_32 if key == "gml32" else gml.CONTENT_TYPE_311
        return StreamingHttpResponse(body, content_type=content_type)
    if key == "geojson":
        return StreamingHttpResponse(
            geojson.feature_collection(collection), content_type=geojson.CONTENT_TYPE
        )
    if key == "csv":
        response = StreamingHttpResponse(
            csv_.feature_collection(collection), content_type=csv_.CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{plans[0].layer.name}.csv"'
        return response
    handle = (
        files.shapefile_zip(collection, params.charset)
        if key == "shapezip"
        else files.geopackage(collection)
    )
    name = plans[0].layer.name if len(plans) == 1 else "features"
    return FileResponse(
        handle,
        as_attachment=True,
        content_type=params.output_format.mime,
        filename=f"{name}.{params.output_format.extension}",
    )


def get_property_value(request):
    _require_20(request, "GetPropertyValue")
    params = get_property_value_params(request)
    plan = _plan(request, params.query, Action.VIEW, False)
    reference = layer_name(params.value_reference.rsplit("/", 1)[-1], "valueReference")
    if reference in GEOMETRY_NAMES:
        plan = plan.narrowed([], geometry=True)
        reference = gml.GEOMETRY_PROPERTY
    else:
        chosen = [f for f in plan.source.fields(plan.grant) if f.name == reference]
        if not chosen:
            raise UnknownPropertyError(
                f"valueReference {params.value_reference[:80]!r} is not a property of "
                f"{PREFIX}:{plan.layer.name}",
                "valueReference",
            )
        plan = plan.narrowed(chosen, geometry=False)
    if params.hits:
        collection = Collection([plan.part(iter(()))], plan.count(), 0, _now())
    else:
        collection = _collection(
            request,
            [plan],
            params.count,
            params.start_index,
            lambda p: (
                gml.geometry_output(p.layer.name, p.srs, p.yx, True)
                if p.geometry
                else GeometryOutput("none")
            ),
        )
    audit.note(
        request.http,
        service="WFS",
        operation=request.operation,
        layers=[plan.layer.name],
        items=collection.number_returned,
    )
    body = gml.value_collection(collection.parts[0], reference, collection)
    return StreamingHttpResponse(body, content_type=gml.CONTENT_TYPE_32)


def list_stored_queries(request) -> HttpResponse:
    _require_20(request, "ListStoredQueries")
    return HttpResponse(caps.list_stored_queries(_vector_layers(request)), content_type=_XML)


def describe_stored_queries(request) -> HttpResponse:
    _require_20(request, "DescribeStoredQueries")
    for stored_id in stored_query_ids(request) or ():
        if stored_id != GET_FEATURE_BY_ID:
            raise InvalidParameterError(
                f"storedQuery_id {stored_id[:80]!r} is not a stored query here; "
                f"use {GET_FEATURE_BY_ID}",
                "storedQuery_id",
            )
    return HttpResponse(caps.describe_stored_queries(_vector_layers(request)), content_type=_XML)


OPERATIONS = {
    "GetCapabilities": get_capabilities,
    "DescribeFeatureType": describe_feature_type,
    "GetFeature": get_feature,
    "GetPropertyValue": get_property_value,
    "ListStoredQueries": list_stored_queries,
    "DescribeStoredQueries": describe_stored_queries,
    "Transaction": transaction,
}


# -- building blocks --------------------------------------------------------------------------


def _vector_layers(request, action: Action = Action.VIEW):
    return policy.visible_layers(request.principal, action).filter(storage="vector").order_by("name")


def _grant(request, name: str, action: Action, locator: str) -> policy.Grant:
    try:
        grant = policy.grant_for(request.principal, name, action)
    except LayerNotFoundError:
        raise LayerNotFoundError(name, locator) from None
    if not grant.layer.is_vector:  # a coverage is no feature type: it answers as unknown
        raise LayerNotFoundError(name, locator)
    return grant


def _plan(request, query: Query, action: Action, by_id: bool) -> _Plan:
    grant = _grant(request, query.type_name, action, "ID" if by_id else "typeNames")
    source = feature_source(grant.layer)
    resolved = resolve(query, grant.layer.srid, request.version)
    visible = source.fields(grant)
    names = {f.name for f in visible}
    geometry = True
    fields = visible
    if query.properties is not None:
        unknown = [p for p in query.properties if p not in names and p not in GEOMETRY_NAMES]
        if unknown:
            raise UnknownPropertyError(
                f"propertyName {unknown[0][:80]!r} is not a property of "
                f"{PREFIX}:{grant.layer.name}; "
                f"use some of {', '.join([gml.GEOMETRY_PROPERTY, *sorted(names)][:20])}",
                "propertyName",
            )
        geometry = any(p in GEOMETRY_NAMES for p in query.properties)
        fields = [f for f in visible if f.name in query.properties]
    for name, _ in query.sortby:
        if name not in names and name not in ("fid", "id"):
            raise UnknownPropertyError(
                f"sortBy names {name[:80]!r}, which is not a property of "
                f"{PREFIX}:{grant.layer.name}",
                "sortBy",
            )
    where = FeatureQuery(
        bbox=resolved.bbox,
        where=resolved.where,
        literal_srid=resolved.srs.epsg,
        ids=resolved.ids,
        properties=tuple(f.name for f in fields),
        sortby=query.sortby,
    )
    return _Plan(query, grant, source, where, fields, geometry, resolved.srs, resolved.yx)


def _geometry_output(key: str, plan: _Plan) -> GeometryOutput:
    if not plan.geometry:
        return GeometryOutput("none")
    if key in ("gml32", "gml311"):
        return gml.geometry_output(plan.layer.name, plan.srs, plan.yx, key == "gml32")
    if key == "geojson":
        return geojson.geometry_output(plan.srs)
    if key == "csv":
        return csv_.geometry_output(plan.srs)
    return files.geometry_output(plan.srs)


def _collection(request, plans: list[_Plan], count: int | None, start: int, output) -> Collection:
    """The parts to stream and the numbers about them (see the module docstring)."""
    limit = count if count is not None else max_features()
    if len(plans) == 1:
        plan = plans[0]
        head = plan.fetch(output(plan), min(limit + 1, LOOKAHEAD), start)
        if len(head) < LOOKAHEAD or len(head) > limit:  # the whole answer, and whether more follow
            has_more = len(head) > limit
            head = head[:limit]
            returned = len(head)
            exact = not has_more and (returned > 0 or start == 0)
            matched = start + returned if exact else plan.count()
            parts = [plan.part(iter(head))]
        else:  # a large answer: count it, and stream what follows the first rows
            matched = plan.count()
            returned = max(0, min(limit, matched - start))
            has_more = matched > start + limit
            rest = plan.features(output(plan), limit - len(head), start + len(head))
            parts = [plan.part(chain(head, rest))]
    else:
        counts = [plan.count() for plan in plans]
        matched = sum(counts)
        returned = max(0, min(limit, matched - start))
        has_more = matched > start + limit
        parts, skip, remaining = [], start, limit
        for plan, size in zip(plans, counts):
            offset = min(skip, size)
            take = min(remaining, size - offset)
            skip, remaining = skip - offset, remaining - take
            features = plan.features(output(plan), take, offset) if take > 0 else iter(())
            parts.append(plan.part(features))
    next_url = _page_url(request, start + limit, limit) if has_more and limit else None
    previous_url = _page_url(request, max(0, start - limit), limit) if start > 0 else None
    return Collection(parts, matched, returned, _now(), next_url, previous_url)


def _hits(params: GetFeatureParams, plans: list[_Plan]) -> HttpResponse:
    key = params.output_format.key
    if key not in ("gml32", "gml311", "geojson"):
        raise InvalidParameterError(
            "resultType=hits answers in GML or GeoJSON; leave outputFormat out", "resultType"
        )
    matched = sum(plan.count() for plan in plans)
    if key == "geojson":
        body = json.dumps(
            {
                "type": "FeatureCollection",
                "features": [],
                "numberMatched": matched,
                "numberReturned": 0,
                "timeStamp": _now(),
            }
        )
        return HttpResponse(body, content_type=geojson.CONTENT_TYPE)
    content_type = gml.CONTENT_TYPE_32 if params.version == "2.0.0" else gml.CONTENT_TYPE_311
    return HttpResponse(gml.hits(matched, params.version, _now()), content_type=content_type)


def _feature_by_id(request, plan: _Plan, params: GetFeatureParams):
    key = params.output_format.key
    if key not in ("gml32", "gml311", "geojson"):
        raise InvalidParameterError(
            "GetFeatureById answers in GML or GeoJSON; use GetFeature with resourceId for files",
            "outputFormat",
        )
    features = plan.fetch(_geometry_output(key, plan), 1, 0)
    if not features:
        raise FeatureNotFoundError(f"no feature {plan.query.resource_ids[0][:80]!r}", "ID")
    audit.note(request.http, items=1)
    part = plan.part(iter(features))
    if key in ("gml32", "gml311"):
        content_type = gml.CONTENT_TYPE_32 if key == "gml32" else gml.CONTENT_TYPE_311
        return HttpResponse(
            gml.feature_document(part, features[0], key == "gml32"), content_type=content_type
        )
    return HttpResponse(
        geojson.feature_document(part, features[0]), content_type=geojson.CONTENT_TYPE
    )


def _require_20(request, operation: str) -> None:
    if request.version != "2.0.0":
        raise OperationNotSupportedError(f"{operation} is a WFS 2.0.0 operation", "request")


def _endpoints(request) -> caps.Endpoints:
    return caps.Endpoints(get=kvp_endpoint(request.http), post=absolute_url(request.http, "/ows"))


def _schema_url(request, plans: list[_Plan]) -> str:
    names = ",".join(dict.fromkeys(f"{PREFIX}:{plan.layer.name}" for plan in plans))
    return absolute_url(
        request.http,
        "/ows",
        {
            "SERVICE": "WFS",
            "VERSION": request.version,
            "REQUEST": "DescribeFeatureType",
            "TYPENAMES": names,
        },
    )


def _page_url(request, start: int, count: int) -> str | None:
    """The same KVP request at another page; POSTed documents get no links."""
    if request.xml is not None or request.http.method != "GET":
        return None
    params = {
        k: v
        for k, v in request.http.GET.items()
        if k.upper() not in ("STARTINDEX", "COUNT", "MAXFEATURES")
    }
    params["STARTINDEX"] = str(start)
    params["COUNT"] = str(count)
    return absolute_url(request.http, "/ows", params)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
