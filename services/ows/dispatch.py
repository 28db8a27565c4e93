"""The /ows endpoint: find the service, version and operation of a request and run it.

Each protocol registers an ``OwsService`` from its AppConfig.ready(); this module knows
none of them. Errors raised by operations become that protocol's exception report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from lxml import etree

from geoshare.errors import GeoshareError, InvalidParameterError, MissingParameterError
from services.ows.exceptions import OwsError, report_response, resolve
from services.ows.kvp import Kvp
from services.ows.xml import XmlParseError, parse_untrusted

__all__ = ["OwsService", "OwsRequest", "register", "dispatch", "OperationNotSupportedError",
           "VersionNegotiationError", "ALLOWED_METHODS"]

# OGC KVP requests come by GET (HEAD alike), documents and forms by POST; nothing at /ows
# is a resource to PUT, PATCH or DELETE.
ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


class OperationNotSupportedError(InvalidParameterError):
    pass


class VersionNegotiationError(InvalidParameterError):
    pass


@dataclass
class OwsRequest:
    """One parsed OGC request, handed to an operation."""

    http: HttpRequest
    service: str
    version: str
    operation: str
    kvp: Kvp
    xml: etree._Element | None = None

    @property
    def principal(self):
        return self.http.principal


@dataclass(frozen=True)
class OwsService:
    name: str  # the SERVICE value, e.g. "WMS"
    versions: tuple[str, ...]  # ascending; the last is the default
    operations: Mapping[str, Callable[[OwsRequest], HttpResponse]]
    codes: Mapping[type, str | tuple[str, int]]  # error class -> code (and HTTP status)
    exception_flavour: Callable[[str], str]  # version -> key of exceptions.FLAVOURS
    xml_namespaces: Mapping[str, str] = field(default_factory=dict)  # POST namespace -> version
    # Optional: render an error another way (WMS EXCEPTIONS=INIMAGE); None to fall back.
    render_error: Callable[[OwsRequest, GeoshareError | Exception], HttpResponse | None] | None = None


_services: dict[str, OwsService] = {}
# Errors met before the service is known, in OWS Common's words.
_COMMON_CODES = {
    MissingParameterError: "MissingParameterValue", InvalidParameterError: "InvalidParameterValue",
}
# The service of a request without SERVICE, by its operation. WMS 1.1.1 and 1.3.0 ask for
# SERVICE on GetCapabilities only (1.3.0 Tables 3, 8 and 9), and GeoServer, outside its CITE
# mode, takes it from the endpoint (/geoserver/wms). /ows serves four services, so the
# operation stands in for the endpoint (GetFeatureInfo is WMS's: WMTS KVP requires SERVICE).
# GetCapabilities, which every service has, needs SERVICE.
_OPERATION_SERVICE = {
    "getmap": "WMS", "getfeatureinfo": "WMS", "getlegendgraphic": "WMS",
    "getfeature": "WFS", "describefeaturetype": "WFS", "getpropertyvalue": "WFS",
    "liststoredqueries": "WFS", "describestoredqueries": "WFS", "transaction": "WFS",
    "getcoverage": "WCS", "describecoverage": "WCS", "gettile": "WMTS",
}


def register(service: OwsService) -> None:
    _services[service.name] = service


def registered() -> dict[str, OwsService]:
    return dict(_services)


def dispatch(request: HttpRequest) -> HttpResponse:
    """Answer one request to /ows. Never raises: every failure is an exception report."""
    if request.method not in ALLOWED_METHODS:
        return _method_not_allowed(request.method)
    if request.method == "OPTIONS":
        return _with_allow(HttpResponse(b""))
    service, version = None, None
    try:
        kvp = Kvp.from_request(request)
        try:
            xml = _xml_body(request)
        except XmlParseError:
            # Unreadable XML is still answered in the flavour of the service it was meant for.
            service = _service_sniffed(kvp, request.body)
            raise
        service = _service_for(kvp, xml)
        operation_name = _operation_name(kvp, xml)
        version = _negotiate_version(service, kvp, xml, operation_name)
        operation = _find_operation(service, operation_name)
        ows_request = OwsRequest(request, service.name, version, operation_name, kvp, xml)
        try:
            return operation(ows_request)
        except Exception as error:
            if service.render_error:
                response = service.render_error(ows_request, error)
                if response is not None:
                    return response
            raise
    except Exception as error:  # one place turns every error into the protocol's report
        if service is None:
            return report_response(resolve(error, _COMMON_CODES), "ows11", "1.1.0")
        version = version or service.versions[-1]
        return report_response(
            resolve(error, service.codes), service.exception_flavour(version), version
        )


def _method_not_allowed(method: str) -> HttpResponse:
    error = OwsError(
        "NoApplicableCode",
        f"HTTP method {method[:20]!r} is not used by OGC services; use GET, HEAD or POST",
        None, 405,
    )
    return _with_allow(report_response(error, "ows11", "1.1.0"))


def _with_allow(response: HttpResponse) -> HttpResponse:
    response["Allow"] = ", ".join(ALLOWED_METHODS)
    return response


def _xml_body(request: HttpRequest) -> etree._Element | None:
    if request.method != "POST" or request.content_type == "application/x-www-form-urlencoded":
        return None
    if not request.body.strip():
        return None
    return parse_untrusted(request.body)


def _service_for(kvp: Kvp, xml) -> OwsService:
    name = kvp.get("SERVICE")
    if name is None and xml is not None:
        name = xml.get("service")
        if name is None:
            name = next(
                (s.name for s in _services.values() if etree.QName(xml).namespace in s.xml_namespaces),
                None,
            )
    if name is None:
        request_name = (kvp.get("REQUEST") or "").lower()
        name = _OPERATION_SERVICE.get(request_name)
    if name is None:
        raise MissingParameterError(
            f"SERVICE is required: one of {', '.join(sorted(_services))}", "service"
        )
    for key, service in _services.items():
        if key.lower() == name.lower():
            return service
    raise InvalidParameterError(
        f"SERVICE {name[:80]!r} is not offered here; use one of {', '.join(sorted(_services))}",
        "service",
    )


def _service_sniffed(kvp: Kvp, body: bytes) -> OwsService | None:
    """The service a body that cannot be parsed names, by SERVICE or by a namespace in its head."""
    name = (kvp.get("SERVICE") or "").lower()
    head = body[:4096]
    for service in _services.values():
        if service.name.lower() == name or any(ns.encode() in head for ns in service.xml_namespaces):
            return service
    return None


def _operation_name(kvp: Kvp, xml) -> str:
    if xml is not None:
        return etree.QName(xml).localname
    return kvp.required("REQUEST")


def _find_operation(service: OwsService, name: str):
    for key, operation in service.operations.items():
        if key.lower() == name.lower():
            return operation
    raise OperationNotSupportedError(
        f"REQUEST {name[:80]!r} is not a {service.name} operation; use one of "
        f"{', '.join(service.operations)}",
        "request",
    )


def _negotiate_version(service: OwsService, kvp: Kvp, xml, operation: str) -> str:
    if xml is not None:
        by_namespace = service.xml_namespaces.get(etree.QName(xml).namespace)
        requested = xml.get("version") or by_namespace
        if requested not in service.versions and by_namespace:
            # A document is read by the rules of its namespace: QGIS 3.x sends WFS 1.0.0
            # Transactions, in the namespace WFS 1.1.0 shares.
            requested = by_namespace
    else:
        requested = kvp.get("VERSION") or kvp.get("WMTVER")
    if operation.lower() == "getcapabilities":
        accepted = [v.strip() for v in (kvp.get("ACCEPTVERSIONS") or "").split(",") if v.strip()]
        for candidate in accepted:
            if candidate in service.versions:
                return candidate
        if accepted:
            raise VersionNegotiationError(
                f"AcceptVersions {', '.join(accepted)[:80]!r}: this server speaks "
                f"{', '.join(service.versions)}",
                "AcceptVersions",
            )
        if requested is None or requested in service.versions:
            return requested or service.versions[-1]
        # OGC 06-042 §6.2.4: answer with the highest version below the one asked for.
        lower = [v for v in service.versions if _version_key(v) < _version_key(requested)]
        return lower[-1] if lower else service.versions[0]
    if requested is None:
        return service.versions[-1]
    if requested not in service.versions:
        raise InvalidParameterError(
            f"VERSION {requested[:80]!r} is not supported; use one of {', '.join(service.versions)}",
            "version",
        )
    return requested


def _version_key(version: str) -> tuple:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return (0,)
