"""Reading OGC answers in tests: exception reports of every flavour, namespaced XML."""

from lxml import etree

NS = {
    "wfs": "http://www.opengis.net/wfs/2.0", "wfs11": "http://www.opengis.net/wfs",
    "gml": "http://www.opengis.net/gml/3.2", "gml311": "http://www.opengis.net/gml",
    "fes": "http://www.opengis.net/fes/2.0", "ogc": "http://www.opengis.net/ogc",
    "ows": "http://www.opengis.net/ows/1.1", "ows10": "http://www.opengis.net/ows",
    "ows20": "http://www.opengis.net/ows/2.0", "geoshare": "urn:geoshare:features",
    "wcs": "http://www.opengis.net/wcs/2.0", "wcs10": "http://www.opengis.net/wcs",
    "gmlcov": "http://www.opengis.net/gmlcov/1.0", "swe": "http://www.opengis.net/swe/2.0",
    "xsd": "http://www.w3.org/2001/XMLSchema", "xlink": "http://www.w3.org/1999/xlink",
}


def xml(response) -> etree._Element:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return etree.fromstring(body)


def exception_report(response) -> tuple[str, str | None, str]:
    """(code, locator, text) of the first exception in any OGC exception report."""
    root = etree.fromstring(response.content)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local == "Exception":
            text = "".join(t.text or "" for t in element if etree.QName(t).localname == "ExceptionText")
            return element.get("exceptionCode"), element.get("locator"), text
        if local == "ServiceException":
            return element.get("code"), element.get("locator"), element.text or ""
    raise AssertionError(f"not an exception report: {response.content[:300]!r}")
