"""Maps in another CRS than their tables: an affine fit only where it is as good as exact."""

import numpy as np
import pytest

from geoshare.geo import BBox, transformer
from services.render import mapnik_, reproject
from services.render.formats import FORMATS
from services.render.maps import MapRequest, map_xml, render_image
from services.render.targets import resolve
from tests.town import TOWN_BOX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]
TOWN_3857 = BBox(*TOWN_BOX, 4549).transformed(3857)


def affine_of(variables, srid):
    a, b, d, e, xoff, yoff = (float(variables[f"{n}_{srid}"]) for n in ("a", "b", "d", "e", "xoff", "yoff"))
    return lambda x, y: (a * x + b * y + xoff, d * x + e * y + yoff)


def test_a_street_window_is_fitted_within_an_eighth_of_a_pixel():
    pixel = TOWN_3857.width / 256
    fits = reproject.fits({4549}, TOWN_3857, pixel)
    assert set(fits) == {4549}
    variables = fits[4549]
    window = BBox(*(float(variables[f"{n}_4549"]) for n in ("x0", "y0", "x1", "y1")), 4549)
    rng = np.random.default_rng(7)
    x = rng.uniform(window.minx, window.maxx, 500)
    y = rng.uniform(window.miny, window.maxy, 500)
    exact = transformer(4549, 3857).transform(x, y)
    error = np.hypot(*(np.subtract(fit, ex) for fit, ex in zip(affine_of(variables, 4549)(x, y), exact)))
    assert error.max() < pixel * reproject.TOLERANCE_PX


@pytest.mark.parametrize("box", [
    BBox(13_000_000, 3_300_000, 13_900_000, 4_100_000, 3857),  # a province on 256 pixels
    BBox(-180, -90, 180, 90, 4326),  # the world
])
def test_a_window_the_fit_cannot_serve_is_left_to_st_transform(box):
    # The province is too curved for one affine map; the world reaches far out of the
    # CGCS2000 zone. Neither may raise: a world map is a valid request.
    assert reproject.fits({4549}, box, box.width / 1024) == {}


def test_the_map_table_does_not_reproject_layers_in_the_maps_crs():
    assert reproject.fits({3857}, TOWN_3857, 1.0) == {}


def test_a_fitted_map_draws_what_the_exact_transformation_draws(town, town_principals):
    """Buildings wholly inside the window move by the fit, roads reaching out of it are
    transformed exactly: the picture is the one drawn transforming every vertex."""
    layers = tuple(resolve(town_principals["anonymous"], ["town_buildings", "town_roads"]))
    fitted = render_image(MapRequest(layers, TOWN_3857, 256, 256, FORMATS["image/png"], buffer=16))
    exact_map = mapnik_.load(map_xml(layers, 3857))
    exact = mapnik_.render(exact_map, TOWN_3857.as_tuple(), 256, 256, background="#ffffff", buffer=16)
    assert fitted.painted() and exact.painted()
    # Anti-aliased edges may differ in a shade; no pixel differs by a visible step.
    assert fitted.compare(exact, 48) <= 5


def test_maps_read_geometries_in_their_own_crs(town, town_principals):
    layers = resolve(town_principals["anonymous"], ["town_buildings"])
    fitted = map_xml(layers, 3857, frozenset({4549}))
    assert "ST_Affine" in fitted and "!@a_4549!" in fitted
    exact = map_xml(layers, 3857)
    assert "ST_Affine" not in exact and "ST_Transform(geom, 3857)" in exact
    # Mapnik reprojects nothing: it took four times PostGIS's time, once per symbolizer.
    assert 'srs="epsg:4549"' not in fitted + exact


@pytest.mark.parametrize("crs, bbox", [
    ("EPSG:4326", "-90,-180,90,180"),
    ("EPSG:3857", "-20037508,-20037508,20037508,20037508"),
    ("EPSG:4490", "31.0,120.0,32.5,121.5"),  # the county: too wide for one fit at 512 pixels
])
def test_getmap_of_wide_windows_draws(client, town, crs, bbox):
    response = client.get("/ows", {
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "town_buildings,town_roads",
        "STYLES": "", "CRS": crs, "BBOX": bbox, "WIDTH": 512, "HEIGHT": 512, "FORMAT": "image/png",
    })
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
