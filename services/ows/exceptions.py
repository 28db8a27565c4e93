"""Exception reports in each OGC flavour, from one error and one code table.

A protocol never formats an error itself: it raises a GeoshareError and names, in its
``errors.py``, the exception code each error class maps to.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.http import HttpResponse
from lxml import etree

from geoshare.access.authentication import BASIC_CHALLENGE
from geoshare.errors import GeoshareError

__all__ = ["OwsError", "resolve", "report_response", "FLAVOURS"]

log = logging.getLogger("geoshare.ows")

OWS11 = "http://www.opengis.net/ows/1.1"
OWS10 = "http://www.opengis.net/ows"
OWS20 = "http://www.opengis.net/ows/2.0"
OGC = "http://www.opengis.net/ogc"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class OwsError:
    code: str
    message: str
    locator: str | None
    status: int


def resolve(error: Exception, codes: Mapping[type, str | tuple[str, int]]) -> OwsError:
    """The exception code, message and HTTP status for ``error`` under a protocol's table.

    Walks the error's MRO, so a table entry for InvalidParameterError also covers its
    subclasses unless they have an entry of their own. Errors that are not the client's
    fault are logged with their traceback and answered without detail.
    """
    if isinstance(error, GeoshareError) and error.client_fault:
        for cls in type(error).__mro__:
            if cls in codes:
                entry = codes[cls]
                code, status = entry if isinstance(entry, tuple) else (entry, 400)
                return OwsError(code, error.message, error.locator, status)
        return OwsError("InvalidParameterValue", error.message, error.locator, 400)
    log.error("internal error answering an OGC request", exc_info=error)
    return OwsError("NoApplicableCode", "internal error; the server log has the details", None, 500)


def _wms111(e: OwsError, version: str) -> tuple[bytes, str]:
    root = etree.Element("ServiceExceptionReport", version="1.1.1")
    _exception(root, "ServiceException", e, text_child=None)
    doctype = (
        '<!DOCTYPE ServiceExceptionReport SYSTEM '
        '"http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd">'
    )
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=doctype)
    return body, "application/vnd.ogc.se_xml; charset=UTF-8"


def _ogc_report(schema: str, version: str):
    def render(e: OwsError, _version: str) -> tuple[bytes, str]:
        root = etree.Element(
            f"{{{OGC}}}ServiceExceptionReport", nsmap={None: OGC, "xsi": XSI}, version=version
        )
        root.set(f"{{{XSI}}}schemaLocation", f"{OGC} {schema}")
        _exception(root, f"{{{OGC}}}ServiceException", e, text_child=None)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), "text/xml; charset=UTF-8"

    return render


def _ows(namespace: str, schema: str):
    def render(e: OwsError, version: str) -> tuple[bytes, str]:
        root = etree.Element(
            f"{{{namespace}}}ExceptionReport", nsmap={"ows": namespace, "xsi": XSI},
            version=version,
        )
        root.set(f"{{{XSI}}}schemaLocation", f"{namespace} {schema}")
        root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        _exception(root, f"{{{namespace}}}Exception", e, text_child=f"{{{namespace}}}ExceptionText")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), "application/xml; charset=UTF-8"

    return render


def _exception(parent, tag: str, e: OwsError, text_child: str | None) -> None:
    code_attribute = "exceptionCode" if text_child else "code"
    element = etree.SubElement(parent, tag, {code_attribute: e.code})
    if e.locator:
        element.set("locator", e.locator)
    if text_child:
        etree.SubElement(element, text_child).text = _xml_safe(e.message)
    else:
        element.text = _xml_safe(e.message)


def _xml_safe(text: str) -> str:
    # Messages quote request values; drop what XML 1.0 cannot carry.
    return "".join(
        ch for ch in text
        if ch in "\t\n\r" or (" " <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd")
        or ch >= "\U00010000"
    )


FLAVOURS = {
    "wms111": _wms111,
    "wms130": _ogc_report("http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd", "1.3.0"),
    "wcs100": _ogc_report("http://schemas.opengis.net/wcs/1.0.0/OGC-exception.xsd", "1.2.0"),
    "ows11": _ows(OWS11, "http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd"),
    "ows10": _ows(OWS10, "http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd"),
    "ows20": _ows(OWS20, "http://schemas.opengis.net/ows/2.0/owsExceptionReport.xsd"),
}


def report_response(e: OwsError, flavour: str, version: str) -> HttpResponse:
    body, content_type = FLAVOURS[flavour](e, version)
    response = HttpResponse(body, content_type=content_type, status=e.status)
    if e.status == 401:
        response["WWW-Authenticate"] = BASIC_CHALLENGE
    return response
