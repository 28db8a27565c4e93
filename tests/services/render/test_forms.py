"""The admin's style form and tile cache actions, and the tilecache command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from layers.models import Style
from services.render.forms import StyleForm
from services.tiles import cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]

SLD = (b'<StyledLayerDescriptor xmlns="http://www.opengis.net/sld" version="1.0.0"><NamedLayer>'
       b"<UserStyle><Name>Blue Roofs</Name><FeatureTypeStyle><Rule><PolygonSymbolizer><Fill>"
       b'<CssParameter name="fill">#0000ff</CssParameter></Fill></PolygonSymbolizer></Rule>'
       b"</FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_an_uploaded_sld_becomes_the_style_and_is_kept(town):
    form = StyleForm(
        data={"layer": town.buildings.pk, "name": "", "title": "", "is_default": "on", "body": ""},
        files={"sld_file": SimpleUploadedFile("roofs.sld", SLD)},
    )
    assert form.is_valid(), form.errors
    style = form.save()
    assert (style.name, style.title, style.is_default) == ("blue_roofs", "Blue Roofs", True)
    assert 'fill="#0000ff"' in style.body and style.sld.startswith("<StyledLayerDescriptor")
    # the previous default gave way
    assert list(Style.objects.filter(layer=town.buildings, is_default=True)) == [style]


@pytest.mark.parametrize("body, words", [
    ('<Style name="x"><Rule><PolygonSymbolizer fil="#000"/></Rule></Style>', "fil"),
    ('<Style name="x"><Rule><PointSymbolizer file="/etc/passwd"/></Rule></Style>', "not one of"),
    ("<Layer/>", "only <Style>"),
    ("", "Give a Mapnik style"),
])
def test_a_broken_mapnik_style_is_a_form_error(town, body, words):
    form = StyleForm(data={"layer": town.buildings.pk, "name": "broken", "title": "x", "body": body})
    assert not form.is_valid()
    assert words in str(form.errors.as_data())


def test_admin_truncate_action(admin_client, town):
    response = admin_client.get("/wmts/1.0.0/town_roads/labelled/WebMercatorQuad/17/53282/109424.png")
    assert response.status_code == 200 and list(cache.root().rglob("*.png"))
    response = admin_client.post("/admin/layers/layer/", {
        "action": "truncate_tile_cache", "_selected_action": [town.roads.pk],
    })
    assert response.status_code == 302
    assert not list((cache.root() / "town_roads").rglob("*.png"))


def test_tilecache_command_seeds_truncates_and_prunes(town):
    out = io.StringIO()
    call_command("tilecache", "seed", "town_map", "--tms", "WebMercatorQuad", "--zoom", "16-17",
                 stdout=out)
    assert "metatiles rendered" in out.getvalue()
    assert list((cache.root() / "town_map").rglob("*.png"))
    call_command("tilecache", "truncate", "town_map", "--zoom", "17", stdout=out)
    assert not list((cache.root() / "town_map").rglob("17/*/*.png"))
    assert list((cache.root() / "town_map").rglob("16/*/*.png"))
    call_command("tilecache", "prune", stdout=out)
    assert list((cache.root() / "town_map").rglob("16/*/*.png"))  # still current
    with pytest.raises(Exception, match="zoom"):
        call_command("tilecache", "seed", "town_map", "--zoom", "9-x", stdout=out)
    with pytest.raises(Exception, match="no layer"):
        call_command("tilecache", "seed", "town_secret", stdout=out)  # the public view has none
