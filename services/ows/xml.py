"""Parsing XML that arrives in requests: no DTDs, no entities, no network, bounded size."""

from __future__ import annotations

import defusedxml
import defusedxml.ElementTree
from lxml import etree

from geoshare.errors import InvalidParameterError

__all__ = ["parse_untrusted", "XmlParseError", "MAX_XML_BYTES"]

MAX_XML_BYTES = 4 * 1024 * 1024


class XmlParseError(InvalidParameterError):
    """A request body that is not XML this server will read (malformed, hostile or too big)."""


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False,
    huge_tree=False, remove_comments=True, remove_pis=True,
)


def parse_untrusted(body: bytes, locator: str = "request") -> etree._Element:
    """The root element of an XML request body.

    defusedxml rejects DTDs with entity declarations (billion laughs, external entities)
    before lxml, with entity resolution and network access off, builds the tree.
    """
    if len(body) > MAX_XML_BYTES:
        raise XmlParseError(f"{locator} XML is larger than {MAX_XML_BYTES} bytes", locator)
    try:
        defusedxml.ElementTree.fromstring(body, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise XmlParseError(
            f"{locator} XML with a DTD or entity declarations is refused", locator
        ) from None
    except Exception as e:  # ParseError from the stdlib parser
        raise XmlParseError(f"{locator} is not well-formed XML: {e}", locator) from None
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as e:
        raise XmlParseError(f"{locator} is not well-formed XML: {e}", locator) from None
