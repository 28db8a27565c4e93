"""Legend graphics: a row per rule, in the rule's own colours, at the size capabilities give."""

import pytest

from services.render.formats import FORMATS
from services.render.legend import legend_rows, legend_size, render_legend
from services.render.mapnik_ import mapnik
from services.render.targets import resolve_target
from tests.town import BUILDING_RGB, pixels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]
PNG = FORMATS["image/png"]


def entries(target):
    return [(ml.layer, ml.style) for ml in target.layers]


def test_a_layer_legend_shows_its_colour(town, town_principals):
    target = resolve_target(town_principals["anonymous"], "town_buildings")
    rows = legend_rows(entries(target))
    assert [r.label for r in rows] == ["town_buildings"]  # one unnamed rule: the layer title
    png = render_legend(rows, PNG)
    image = mapnik.Image.from_buffer(png)
    assert (image.width(), image.height()) == legend_size(rows)
    assert any(p[:3] == BUILDING_RGB for p in pixels(png))


def test_group_legend_heads_each_visible_member(town, town_principals):
    public = resolve_target(town_principals["anonymous"], "town_map")
    labels = [r.label for r in legend_rows(entries(public), grouped=True)]
    assert "town_secret" not in labels
    assert labels[:2] == ["town_ortho", "town_ortho"]  # heading, then the raster's row


def test_raster_colour_stops_become_rows(town):
    from layers.models import Style

    style = Style(layer=town.dem, name="x", title="x", body=(
        '<Style name="x"><Rule><RasterSymbolizer><RasterColorizer default-mode="linear">'
        '<stop value="0" color="#0000ff" label="低"/><stop value="100" color="#ff0000" label="高"/>'
        "</RasterColorizer></RasterSymbolizer></Rule></Style>"))
    rows = legend_rows([(town.dem, style)])
    assert [r.label for r in rows] == ["低", "高"]
    colours = {p[:3] for p in pixels(render_legend(rows, PNG))}
    assert (0, 0, 255) in colours and (255, 0, 0) in colours


def test_scale_keeps_the_rules_drawn_at_that_scale(town):
    from layers.models import Style

    style = Style(layer=town.roads, name="x", title="x", body=(
        '<Style name="x"><Rule name="near"><MaxScaleDenominator>10000</MaxScaleDenominator>'
        '<LineSymbolizer stroke="#000"/></Rule><Rule name="far"><MinScaleDenominator>10000'
        '</MinScaleDenominator><LineSymbolizer stroke="#333"/></Rule></Style>'))
    assert [r.label for r in legend_rows([(town.roads, style)], scale=5000)] == ["near"]
    assert [r.label for r in legend_rows([(town.roads, style)], scale=50000)] == ["far"]
