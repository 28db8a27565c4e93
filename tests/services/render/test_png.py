"""Our PNG writer: what Mapnik's would draw, read back by GDAL (libpng checks every CRC)."""

import mapnik
import numpy as np
import pytest
from rasterio.io import MemoryFile

from services.render import png


def _painted(width=37, height=23) -> mapnik.Image:
    """An image as Mapnik renders them (straight alpha), with opaque, translucent and clear pixels."""
    image = mapnik.Image(width, height)
    image.fill(mapnik.Color(200, 100, 50, 128))
    for x in range(width):
        image.set_pixel(x, 3, mapnik.Color(10, 20, 30, 255))
        image.set_pixel(x, 7, mapnik.Color(0, 0, 0, 0))
    return image


def _bands(data: bytes) -> np.ndarray:
    with MemoryFile(data) as memory, memory.open() as dataset:
        assert dataset.driver == "PNG"
        return dataset.read()


def test_rgba_pixels_equal_mapnik_png():
    ours = png.encode(_painted(), alpha=True)
    assert ours[25] == 6  # colour type 6: RGBA
    expected = _bands(_painted().to_string("png"))
    assert np.array_equal(_bands(ours), expected)
    assert tuple(expected[:, 7, 0]) == (0, 0, 0, 0) and expected[3, 0, 0] == 128


def test_premultiplied_pixels_are_written_straight():
    image = _painted()
    image.premultiply()  # (200, 100, 50, 128) is now held as (100, 50, 25, 128)
    assert tuple(_bands(png.encode(image, alpha=True))[:, 0, 0]) == (199, 99, 49, 128)


def test_an_opaque_map_is_rgb():
    image = mapnik.Image(40, 30)
    image.fill(mapnik.Color("#d9cfc3"))
    image.set_pixel(5, 6, mapnik.Color("#3a3a3a"))
    ours = png.encode(image, alpha=False)
    assert ours[25] == 2  # colour type 2: RGB
    bands = _bands(ours)
    assert bands.shape == (3, 30, 40)
    assert tuple(bands[:, 0, 0]) == (0xD9, 0xCF, 0xC3) and tuple(bands[:, 6, 5]) == (0x3A,) * 3


@pytest.mark.parametrize("alpha", [True, False])
def test_a_one_pixel_image(alpha):
    image = mapnik.Image(1, 1)
    image.fill(mapnik.Color(1, 2, 3, 255))
    assert tuple(_bands(png.encode(image, alpha))[:3, 0, 0]) == (1, 2, 3)
