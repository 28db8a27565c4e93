"""Errors of the geocoding package."""

__all__ = ["AddressTooLongError"]


class AddressTooLongError(ValueError):
    """The address is longer than any real address, so it is refused rather than parsed."""

    def __init__(self, length: int, limit: int):
        self.length = length
        self.limit = limit
        super().__init__(f"address must be at most {limit} characters after cleanup, got {length}")
