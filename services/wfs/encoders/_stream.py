"""Text pieces to byte chunks of a useful size for a streaming response."""

from collections.abc import Iterable, Iterator

__all__ = ["chunked", "CHUNK_BYTES"]

CHUNK_BYTES = 64 * 1024


def chunked(pieces: Iterable[str], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """UTF-8 chunks of about ``size`` bytes; the pieces' generator is closed with the stream."""
    buffer, length = [], 0
    try:
        for piece in pieces:
            buffer.append(piece)
            length += len(piece)
            if length >= size:
                yield "".join(buffer).encode("utf-8")
                buffer, length = [], 0
        if buffer:
            yield "".join(buffer).encode("utf-8")
    finally:
        # A client that hangs up closes this generator: release the database cursor now.
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
