"""Property values as XML Schema text, shared by the GML and CSV encoders."""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable

__all__ = ["xml_text", "lexical", "xml_lexical", "XSD_TYPES"]

# XML 1.0 cannot carry these; stored text may hold them (imported from old DBF files).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Anything in text that needs work: most values have none and pass with one search.
_SPECIAL = re.compile('[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')

# PostgreSQL type of a column -> XML Schema type of its property.
XSD_TYPES = {
    "text": "string",
    "integer": "int",
    "bigint": "long",
    "smallint": "short",
    "double precision": "double",
    "real": "float",
    "numeric": "decimal",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "dateTime",
    "timestamptz": "dateTime",
    "time": "time",
    "bytea": "base64Binary",
}


def xml_text(value: str) -> str:
    """``value`` escaped for XML element content and attribute values in double quotes."""
    if not _SPECIAL.search(value):
        return value
    value = _NOT_XML.sub("", value)
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _double(value) -> str:
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(value)


def _boolean(value) -> str:
    return "true" if value else "false"


def _binary(value) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def _iso(value) -> str:
    return value.isoformat()


_LEXICAL: dict[str, Callable[[object], str]] = {
    "double": _double,
    "float": _double,
    "boolean": _boolean,
    "base64Binary": _binary,
    "date": _iso,
    "dateTime": _iso,
    "time": _iso,
}


def lexical(pg_type: str) -> Callable[[object], str]:
    """The function writing a non-null value of a column of ``pg_type`` as unescaped text."""
    return _LEXICAL.get(XSD_TYPES.get(pg_type, "string"), str)


def _escaped_text(value) -> str:
    return xml_text(str(value))


def xml_lexical(pg_type: str) -> Callable[[object], str]:
    """Like ``lexical``, but the text is ready for XML: only strings can need escaping."""
    if XSD_TYPES.get(pg_type, "string") == "string":
        return _escaped_text
    return lexical(pg_type)
