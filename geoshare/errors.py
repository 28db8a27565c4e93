"""The one family of errors raised by geoshare's engines.

Engines raise these without knowing which protocol asked; each protocol maps them to its
own exception codes in one table (``services/*/errors.py``) and ``client_fault`` decides
between a 4xx answer and a 500 with the traceback kept in the log.
"""

__all__ = [
    "GeoshareError",
    "InvalidParameterError",
    "MissingParameterError",
    "UnsupportedCRSError",
    "UnknownPropertyError",
    "LayerNotFoundError",
    "FeatureNotFoundError",
    "LimitExceededError",
    "ImportFailedError",
    "NotAuthenticatedError",
    "first_line",
]


def first_line(error: Exception, limit: int | None = None) -> str:
    """The first line of a library's error message (at most ``limit`` characters), for a
    one-line answer; the error's class name when it says nothing."""
    text = str(error).strip()
    return text.splitlines()[0][:limit] if text else type(error).__name__


class GeoshareError(Exception):
    """Root of geoshare's errors. ``locator`` names the offending parameter, if any."""

    client_fault = False
    http_status = 500

    def __init__(self, message: str, locator: str | None = None):
        super().__init__(message)
        self.message = message
        self.locator = locator

    def __str__(self) -> str:
        return self.message


class InvalidParameterError(GeoshareError, ValueError):
    client_fault = True
    http_status = 400


class MissingParameterError(InvalidParameterError):
    pass


class UnsupportedCRSError(InvalidParameterError):
    pass


class UnknownPropertyError(InvalidParameterError):
    pass


class LimitExceededError(InvalidParameterError):
    pass


class LayerNotFoundError(GeoshareError, LookupError):
    """A layer that does not exist, or that the caller may not see: the two are one answer."""

    client_fault = True
    http_status = 404

    def __init__(self, name: str, locator: str | None = None):
        super().__init__(f"no layer named {_cut(name)!r}", locator)
        self.name = name


class FeatureNotFoundError(GeoshareError, LookupError):
    client_fault = True
    http_status = 404


class NotAuthenticatedError(GeoshareError, PermissionError):
    client_fault = True
    http_status = 401


class ImportFailedError(GeoshareError):
    """An import that could not finish; the message is one line a data administrator reads."""

    client_fault = True
    http_status = 400


def _cut(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
