"""Engine and parameter errors → WMTS (OWS 1.1) exception codes: the one table."""

from geoshare.errors import InvalidParameterError, LayerNotFoundError, MissingParameterError
from services.ows.dispatch import OperationNotSupportedError
from services.render.targets import StyleNotFoundError

__all__ = ["CODES", "TileOutOfRangeError"]


class TileOutOfRangeError(InvalidParameterError):
    """TileMatrix, TileRow or TileCol outside the tile matrix set."""


CODES = {
    TileOutOfRangeError: "TileOutOfRange",
    LayerNotFoundError: "InvalidParameterValue",
    StyleNotFoundError: "InvalidParameterValue",
    MissingParameterError: "MissingParameterValue",
    OperationNotSupportedError: "OperationNotSupported",
    InvalidParameterError: "InvalidParameterValue",
}
