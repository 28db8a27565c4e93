"""WFS exception codes (OGC 09-025r2 Table 3, OWS Common): every error class mapped once."""

from geoshare.errors import (
    FeatureNotFoundError,
    InvalidParameterError,
    LayerNotFoundError,
    MissingParameterError,
    NotAuthenticatedError,
)
from layers.edits import EditRefusedError, InvalidFeatureError
from services.ows.dispatch import OperationNotSupportedError, VersionNegotiationError
from services.ows.xml import XmlParseError
from services.wfs.fes import FilterParsingError

__all__ = ["CODES", "OptionNotSupportedError"]


class OptionNotSupportedError(InvalidParameterError):
    """A valid request using an option this server does not implement (joins, for one)."""


CODES = {
    # A hidden type answers exactly as an unknown one: InvalidParameterValue on typeNames.
    LayerNotFoundError: "InvalidParameterValue",
    # GetFeatureById of an id that does not exist (WFS 2.0.2 §7.9.3.6).
    FeatureNotFoundError: ("NotFound", 404),
    # Transaction: who may not edit, and what cannot be stored (WFS 2.0 §15.4).
    NotAuthenticatedError: ("OperationProcessingFailed", 401),
    EditRefusedError: ("OperationProcessingFailed", 403),
    InvalidFeatureError: "InvalidValue",
    OperationNotSupportedError: "OperationNotSupported",
    VersionNegotiationError: "VersionNegotiationFailed",
    OptionNotSupportedError: "OptionNotSupported",
    MissingParameterError: "MissingParameterValue",
    XmlParseError: "OperationParsingFailed",
    FilterParsingError: "OperationParsingFailed",
    InvalidParameterError: "InvalidParameterValue",
}
