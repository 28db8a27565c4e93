"""The rendering core: the right pixels, in every offered CRS, on the terms of the grant."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geoshare.access.policy import Grant
from geoshare.errors import LayerNotFoundError
from geoshare.geo import BBox
from layers.filters import parse_cql2_text
from services.render.formats import FORMATS
from services.render.maps import MapRequest, map_xml, render_map
from services.render.targets import MapLayer, resolve
from tests.town import BUILDING_RGB, LABEL_RGB, SECRET_RGB, TOWN_BOX, pixel, pixels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]
PNG = FORMATS["image/png"]


def near(rgb, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb[:3], expected))


def draw(layers, box=TOWN_BOX, srid=4549, size=256, **kwargs):
    return render_map(MapRequest(tuple(layers), BBox(*box, srid), size, size, PNG, **kwargs))


def test_a_building_is_drawn_in_the_building_colour(town, town_principals):
    png = draw(resolve(town_principals["anonymous"], ["town_buildings"]))
    assert near(pixel(png, 98, 140), BUILDING_RGB)
    assert pixel(png, 10, 10)[:3] == (255, 255, 255)  # nothing there: the white background


@pytest.mark.parametrize("srid", [4490, 4326, 3857, 4549])
def test_the_same_building_in_every_offered_crs(town, town_principals, srid):
    box = BBox(*TOWN_BOX, 4549).transformed(srid)
    png = draw(resolve(town_principals["anonymous"], ["town_buildings"]), box.as_tuple(), srid)
    # the library's centre, (551430, 3527770), projected onto this map
    centre = BBox(551430, 3527770, 551430.001, 3527770.001, 4549).transformed(srid)
    x = int((centre.minx - box.minx) / box.width * 256)
    y = int((box.maxy - centre.miny) / box.height * 256)
    assert near(pixel(png, x, y), BUILDING_RGB)


def test_chinese_labels_render_as_glyphs(town, town_principals):
    png = draw(resolve(town_principals["anonymous"], ["town_roads"]))
    # 人民中路 runs along y = 3527810, image row 124: label pixels lie on and beside it.
    dark = [p for p in pixels(png)[110 * 256:140 * 256] if near(p, LABEL_RGB, 40)]
    assert len(dark) > 30


def test_different_chinese_words_draw_differently(town):
    # Missing glyphs would all be the same box: two names must not look alike.
    from services.render.mapnik_ import LABEL_FONTS

    assert "WenQuanYi Zen Hei Regular" in LABEL_FONTS
    grant = Grant(layer=town.roads)
    roads_style = town.roads.styles.get(is_default=True)
    first = draw([MapLayer(grant, roads_style)])
    grant_other = Grant(layer=town.roads, row_filter=parse_cql2_text("name = '长安中路'"))
    second = draw([MapLayer(grant_other, roads_style)])
    assert first != second


def test_hidden_layer_is_unknown_and_never_drawn(town, town_principals):
    with pytest.raises(LayerNotFoundError) as error:
        resolve(town_principals["anonymous"], ["town_secret"])
    assert error.value.message == LayerNotFoundError("town_secret").message
    png = draw(resolve(town_principals["anonymous"], ["town_map"]))
    assert not any(near(p, SECRET_RGB, 30) for p in pixels(png))


def test_the_owner_department_sees_its_internal_layer(town, town_principals):
    png = draw(resolve(town_principals["officer"], ["town_map"]))
    assert near(pixel(png, 30, 30), SECRET_RGB, 30)


def test_row_filter_applies_to_pixels(town):
    style = town.buildings.styles.get(is_default=True)
    grant = Grant(layer=town.buildings, row_filter=parse_cql2_text("kind = 'sport'"))
    png = draw([MapLayer(grant, style)])
    assert pixel(png, 98, 140)[:3] == (255, 255, 255)  # the library is filtered out
    assert near(pixel(png, 153, 98), BUILDING_RGB)  # the gym is kept


def test_area_limit_clips_vectors_and_masks_rasters(town):
    area = MultiPolygon(Polygon.from_bbox((551200, 3527800, 551800, 3528100)), srid=4549)
    buildings = MapLayer(Grant(layer=town.buildings, area_limit=area),
                         town.buildings.styles.get(is_default=True))
    png = draw([buildings])
    assert pixel(png, 98, 140)[:3] == (255, 255, 255)  # the library lies south of the limit
    ortho = MapLayer(Grant(layer=town.ortho, area_limit=area), town.ortho.styles.get())
    png = draw([ortho], transparent=True)
    assert pixel(png, 128, 60)[3] == 255 and near(pixel(png, 128, 60), (30, 160, 60))
    assert pixel(png, 128, 200)[3] == 0  # south of the limit: masked


def test_hidden_fields_are_empty_in_the_datasource(town):
    style = town.buildings.styles.get(is_default=True)
    xml = map_xml([MapLayer(Grant(layer=town.buildings, hidden_fields=frozenset({"owner_id"})),
                            style)], 4549)
    assert xml.count('"owner_id"') == 1 and 'NULL::text AS "owner_id"' in xml and '"kind"' in xml


def test_a_label_the_grant_hides_is_not_drawn_and_the_rest_is(town):
    style = town.roads.styles.get(is_default=True)  # labels [name]
    png = draw([MapLayer(Grant(layer=town.roads, hidden_fields=frozenset({"name"})), style)])
    band = pixels(png)[110 * 256:140 * 256]
    assert not [p for p in band if near(p, LABEL_RGB, 40)]
    assert [p for p in band if near(p, (0x99, 0x99, 0x99), 8)]  # the road's casing


def test_png8_jpeg_and_transparency(town, town_principals):
    layers = tuple(resolve(town_principals["anonymous"], ["town_buildings"]))
    box = BBox(*TOWN_BOX, 4549)
    png8 = render_map(MapRequest(layers, box, 64, 64, FORMATS["image/png; mode=8bit"]))
    assert png8[:8] == b"\x89PNG\r\n\x1a\n" and png8[25] == 3  # colour type 3: palette
    jpeg = render_map(MapRequest(layers, box, 64, 64, FORMATS["image/jpeg"], transparent=True))
    assert jpeg[:3] == b"\xff\xd8\xff"
    clear = render_map(MapRequest(layers, box, 64, 64, PNG, transparent=True))
    assert pixel(clear, 2, 2)[3] == 0 and clear[25] == 6  # colour type 6: RGBA
    opaque = render_map(MapRequest(layers, box, 64, 64, PNG))
    assert opaque[25] == 2 and pixel(opaque, 2, 2) == (255, 255, 255, 255)  # RGB, no alpha


def test_print_resolution_draws_wider_lines(town, town_principals):
    layers = resolve(town_principals["anonymous"], ["town_roads"])
    normal = sum(1 for p in pixels(draw(layers)) if p[:3] != (255, 255, 255))
    printed = sum(1 for p in pixels(draw(layers, scale_factor=2.0)) if p[:3] != (255, 255, 255))
    assert printed > normal * 1.5


def test_rasters_draw(town, town_principals):
    png = draw(resolve(town_principals["anonymous"], ["town_ortho"]))
    assert near(pixel(png, 128, 128), (30, 160, 60))
