"""WCS exception codes: WCS 2.0.1 (OGC 09-110r4 Table 20 and the extensions' tables) in one
table; WCS 1.0.0 (OGC 03-065r6) renames a few of them and answers every one with 400."""

from geoshare.errors import (
    InvalidParameterError,
    LayerNotFoundError,
    MissingParameterError,
    UnsupportedCRSError,
)
from layers.coverages import SubsetOutsideError
from services.ows.dispatch import OperationNotSupportedError, VersionNegotiationError

__all__ = [
    "CODES",
    "CODES_100",
    "InvalidAxisLabelError",
    "InvalidSubsettingError",
    "InvalidScaleFactorError",
    "InvalidExtentError",
    "ScalingAxisUndefinedError",
    "NoSuchFieldError",
    "InterpolationNotSupportedError",
    "SubsettingCrsError",
    "OutputCrsError",
    "UnsupportedFormatError",
]


class InvalidAxisLabelError(InvalidParameterError):
    pass


class InvalidSubsettingError(InvalidParameterError):
    pass


class InvalidScaleFactorError(InvalidParameterError):
    pass


class InvalidExtentError(InvalidParameterError):
    pass


class ScalingAxisUndefinedError(InvalidParameterError):
    pass


class NoSuchFieldError(InvalidParameterError):
    pass


class InterpolationNotSupportedError(InvalidParameterError):
    pass


class SubsettingCrsError(UnsupportedCRSError):
    pass


class OutputCrsError(UnsupportedCRSError):
    pass


class UnsupportedFormatError(InvalidParameterError):
    pass


CODES = {
    # A hidden coverage answers exactly as an unknown one.
    LayerNotFoundError: ("NoSuchCoverage", 404),
    InvalidAxisLabelError: ("InvalidAxisLabel", 404),
    InvalidSubsettingError: ("InvalidSubsetting", 404),
    SubsetOutsideError: ("InvalidSubsetting", 404),
    # Scaling (OGC 12-039), range subsetting (12-040) and interpolation (12-049) extensions.
    InvalidScaleFactorError: ("InvalidScaleFactor", 404),
    InvalidExtentError: ("InvalidExtent", 404),
    ScalingAxisUndefinedError: ("ScalingAxisUndefined", 404),
    NoSuchFieldError: ("NoSuchField", 404),
    InterpolationNotSupportedError: ("InterpolationMethodNotSupported", 404),
    # CRS extension (OGC 11-053r1).
    SubsettingCrsError: "SubsettingCrs-NotSupported",
    OutputCrsError: "OutputCrs-NotSupported",
    OperationNotSupportedError: "OperationNotSupported",
    VersionNegotiationError: "VersionNegotiationFailed",
    MissingParameterError: "MissingParameterValue",
    InvalidParameterError: "InvalidParameterValue",
}

# WCS 1.0.0 has no HTTP status rules: 400 for all, under these names.
CODES_100 = {
    "NoSuchCoverage": "CoverageNotDefined",
    "InvalidAxisLabel": "InvalidParameterValue",
    "InvalidSubsetting": "InvalidParameterValue",
    "NoSuchField": "InvalidParameterValue",
    "InterpolationMethodNotSupported": "InvalidParameterValue",
    "SubsettingCrs-NotSupported": "InvalidParameterValue",
    "OutputCrs-NotSupported": "InvalidParameterValue",
    "InvalidScaleFactor": "InvalidParameterValue",
    "InvalidExtent": "InvalidParameterValue",
    "ScalingAxisUndefined": "InvalidParameterValue",
}
FORMAT_CODE_100 = "InvalidFormat"
