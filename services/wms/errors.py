"""Engine and parameter errors → WMS exception codes: the one table."""

from geoshare.errors import (
    InvalidParameterError, LayerNotFoundError, LimitExceededError, MissingParameterError,
    UnsupportedCRSError,
)
from services.ows.dispatch import OperationNotSupportedError, VersionNegotiationError
from services.render.formats import InvalidFormatError
from services.render.targets import StyleNotFoundError

__all__ = [
    "CODES", "InvalidSRSError", "InvalidPointError", "LayerNotQueryableError",
    "InvalidDimensionValueError",
]


class InvalidSRSError(UnsupportedCRSError):
    """WMS 1.1.1's name for a CRS that is not offered."""


class InvalidPointError(InvalidParameterError):
    pass


class LayerNotQueryableError(InvalidParameterError):
    pass


class InvalidDimensionValueError(InvalidParameterError):
    pass


CODES = {
    LayerNotFoundError: "LayerNotDefined",
    StyleNotFoundError: "StyleNotDefined",
    InvalidSRSError: "InvalidSRS",
    UnsupportedCRSError: "InvalidCRS",
    InvalidFormatError: "InvalidFormat",
    InvalidPointError: "InvalidPoint",
    LayerNotQueryableError: "LayerNotQueryable",
    InvalidDimensionValueError: "InvalidDimensionValue",
    MissingParameterError: "MissingParameterValue",
    OperationNotSupportedError: "OperationNotSupported",
    VersionNegotiationError: "InvalidParameterValue",
    LimitExceededError: "InvalidParameterValue",
    InvalidParameterError: "InvalidParameterValue",
}
