"""The Mapnik wrapper: the only module that imports mapnik.

It loads maps from XML, keeps built maps per process for reuse (a ``mapnik.Map`` holds
parsed styles and open datasources, which cost milliseconds to build), renders and
encodes. A map is used by one thread at a time: ``checkout`` lends it inside a ``with``.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

from geoshare.errors import GeoshareError

# The mapnik wheel points PROJ_LIB and GDAL_DATA at its own data directories on import,
# and its PROJ directory has no proj.db: rasterio, pyproj and GeoDjango in the same process
# then fail to look up EPSG codes. Mapnik's PROJ has its database built in, so the
# variables go back to what they were.
_SAVED_ENV = {name: os.environ.get(name) for name in ("PROJ_LIB", "PROJ_DATA", "GDAL_DATA")}
import mapnik  # noqa: E402

for _name, _value in _SAVED_ENV.items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value

__all__ = [
    "mapnik", "MapnikError", "LABEL_FONTS", "MARKERS_DIR", "load", "checkout", "render", "encode",
    "blank", "clear_pool",
]

MARKERS_DIR = Path(__file__).resolve().parent / "markers"
_FONT_DIRS = ("/usr/share/fonts/truetype/wqy", "/usr/share/fonts/opentype/noto")
for _directory in _FONT_DIRS:
    if os.path.isdir(_directory):
        mapnik.register_fonts(_directory)
# Styles name one face; the fontset adds a fallback so no glyph becomes a tofu box.
LABEL_FONTS = tuple(
    face for face in ("WenQuanYi Zen Hei Regular", "Noto Sans CJK SC Regular")
    if face in set(mapnik.FontEngine.face_names())
)

_POOL_KEYS = 256  # distinct maps (layer/style/CRS/view combinations) kept per process
_POOL_IDLE = 8  # idle copies of one map: about the number of threads rendering it at once


class MapnikError(GeoshareError):
    """Mapnik refused a map: a broken style or an unreadable datasource (a server fault)."""


def load(xml: str, strict: bool = True) -> mapnik.Map:
    """A map built from Mapnik XML; relative file names resolve in the markers directory."""
    m = mapnik.Map(256, 256)
    try:
        mapnik.load_map_from_string(m, xml, strict, str(MARKERS_DIR) + "/")
    except RuntimeError as e:
        raise MapnikError(f"Mapnik could not build the map: {str(e).strip()[:500]}") from e
    return m


class _Pool:
    def __init__(self):
        self._idle: OrderedDict[Hashable, list[mapnik.Map]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: Hashable) -> mapnik.Map | None:
        with self._lock:
            maps = self._idle.get(key)
            if maps:
                self._idle.move_to_end(key)
                return maps.pop()
        return None

    def give(self, key: Hashable, m: mapnik.Map) -> None:
        with self._lock:
            maps = self._idle.setdefault(key, [])
            self._idle.move_to_end(key)
            if len(maps) < _POOL_IDLE:
                maps.append(m)
            while len(self._idle) > _POOL_KEYS:
                self._idle.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._idle.clear()


_pool = _Pool()


def clear_pool() -> None:
    """Forget every built map (tests; a changed database connection)."""
    _pool.clear()


@contextmanager
def checkout(key: Hashable, build_xml: Callable[[], str]) -> Iterator[mapnik.Map]:
    """A map for ``key``, reused from this process's pool or built from ``build_xml()``.

    ``key`` must change whenever the XML would (layers, revisions, styles, CRS, the
    grants' restrictions): a map is never shared between different views of the data.
    """
    m = _pool.take(key)
    if m is None:
        m = load(build_xml())
    try:
        yield m
    finally:
        _pool.give(key, m)


def render(m: mapnik.Map, bbox: tuple[float, float, float, float], width: int, height: int, *,
           background: str | None, scale_factor: float = 1.0, buffer: int = 0,
           variables: dict[str, str] | None = None) -> mapnik.Image:
    """Draw ``bbox`` (x/y in the map's CRS) stretched onto width × height pixels.

    ``variables`` fill ``!@name!`` in datasource SQL, as quoted literals.
    """
    m.resize(width, height)
    # WMS draws the box asked for onto the size asked for, even with non-square pixels.
    m.aspect_fix_mode = mapnik.aspect_fix_mode.RESPECT
    m.background = mapnik.Color(background or "transparent")
    m.buffer_size = buffer
    m.zoom_to_box(mapnik.Box2d(*bbox))
    image = mapnik.Image(width, height)
    try:
        mapnik.render_with_vars(m, image, variables or {}, scale_factor)
    except RuntimeError as e:
        raise MapnikError(f"Mapnik could not render: {str(e).strip()[:500]}") from e
    return image


def encode(image, mapnik_format: str) -> bytes:
    """An image (or a view of one) encoded as ``mapnik_format`` ('png', 'png8:m=h', 'jpeg85')."""
    return image.to_string(mapnik_format)


def blank(width: int, height: int, background: str | None) -> mapnik.Image:
    image = mapnik.Image(width, height)
    if background:
        image.fill(mapnik.Color(background))
    return image
