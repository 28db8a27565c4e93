"""Image formats the map services offer, as one table."""

from __future__ import annotations

from dataclasses import dataclass

from geoshare.errors import InvalidParameterError

__all__ = ["ImageFormat", "FORMATS", "parse_format", "by_extension", "InvalidFormatError"]


class InvalidFormatError(InvalidParameterError):
    """A FORMAT (or f=) that is not offered."""


@dataclass(frozen=True)
class ImageFormat:
    mime: str
    mapnik: str  # Mapnik's encoder and options for maps drawn per request
    extension: str
    alpha: bool  # can carry transparency
    mapnik_cached: str = ""  # for tiles kept in the cache, if it differs: encoded once, sent often
    own_png: bool = False  # maps drawn per request are encoded by render.png, not Mapnik

    @property
    def cached_encoder(self) -> str:
        return self.mapnik_cached or self.mapnik

    @property
    def media_type(self) -> str:
        """The Content-Type of the encoded image (PNG8 is still image/png)."""
        return self.mime.split(";")[0]


# Fast deflate for maps made per request (render/png.py); cached tiles take zlib level 6.
_PNG = ImageFormat("image/png", "png:z=1", "png", True, "png:z=6", own_png=True)
_PNG8 = ImageFormat("image/png; mode=8bit", "png8:m=h:z=1", "png", True, "png8:m=h:z=6")
_JPEG = ImageFormat("image/jpeg", "jpeg85", "jpg", False)
_WEBP = ImageFormat("image/webp", "webp", "webp", True)

# The order capabilities documents list them in.
FORMATS: dict[str, ImageFormat] = {f.mime: f for f in (_PNG, _PNG8, _JPEG, _WEBP)}
_ALIASES = {
    "png": _PNG, "image/png8": _PNG8, "png8": _PNG8, "image/png;mode=8bit": _PNG8,
    "jpeg": _JPEG, "jpg": _JPEG, "image/jpg": _JPEG, "webp": _WEBP,
}


def parse_format(raw: str | None, locator: str = "FORMAT", default: str | None = None) -> ImageFormat:
    """The ImageFormat named by a MIME type or a short name ('png', 'jpeg', 'png8')."""
    if raw is None or raw.strip() == "":
        if default is None:
            raise InvalidFormatError(f"{locator} is required; use one of {', '.join(FORMATS)}", locator)
        raw = default
    text = raw.strip().lower()
    found = FORMATS.get(text) or _ALIASES.get(text) or _ALIASES.get(text.replace(" ", ""))
    if found is None:
        raise InvalidFormatError(
            f"{locator} {raw[:80]!r} is not offered; use one of {', '.join(FORMATS)}", locator
        )
    return found


def by_extension(extension: str, locator: str = "format") -> ImageFormat:
    """The format of a tile URL's extension ('png', 'jpg', 'jpeg', 'webp')."""
    for image_format in (_PNG, _JPEG, _WEBP):
        if extension.lower() in (image_format.extension, image_format.mime.split("/")[1]):
            return image_format
    raise InvalidFormatError(
        f"{locator} {extension[:20]!r} is not offered; use png, jpg or webp", locator
    )
