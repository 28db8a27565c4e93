import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from geoshare.access.policy import Principal
from geoshare.webmap import basemaps
from geoshare.webmap.basemaps import Basemap
from layers.models import Layer, LayerGroup, LayerGroupMember

pytestmark = pytest.mark.django_db


def test_the_setting_names_layers_styles_and_identify():
    assert basemaps.configured("emap=emap!, imagery=emap_imagery,terrain=dem:hillshade") == [
        Basemap("emap", "emap", "default", True),
        Basemap("imagery", "emap_imagery", "default", False),
        Basemap("terrain", "dem", "hillshade", False),
    ]
    assert basemaps.configured("") == []


@pytest.mark.parametrize("text", ["streets=emap", "emap=", "emap", "emap=:x"])
def test_a_malformed_setting_says_what_works(text):
    with pytest.raises(ImproperlyConfigured, match="GEOSHARE_MAP_BASEMAPS"):
        basemaps.configured(text)


@override_settings(GEOSHARE_MAP_BASEMAPS="emap=land_approvals!,imagery=orthophoto,terrain=dem:no_such_style")
def test_only_what_the_visitor_may_see_is_offered_and_an_unknown_style_falls_back():
    assert basemaps.for_principal(Principal.anonymous()) == [
        {"id": "imagery", "layer": "orthophoto", "style": "default", "identify": False},
        {"id": "terrain", "layer": "dem", "style": "default", "identify": False},
    ]
    insider = Principal.for_user(User.objects.get(username="zrzy_viewer"))
    offered = basemaps.for_principal(insider)
    assert [(b["id"], b["layer"], b["identify"]) for b in offered] == [
        ("emap", "land_approvals", True), ("imagery", "orthophoto", False),
        ("terrain", "dem", False)]


@override_settings(GEOSHARE_MAP_BASEMAPS="imagery=orthophoto:no_such_style")
def test_the_page_offers_the_configured_base_maps(client):
    html = client.get("/map/").content.decode()
    assert '"basemaps": [{"id": "imagery", "layer": "orthophoto", "style": "default"' in html


def test_the_demo_groups_are_the_base_maps_of_everyone():
    offered = basemaps.for_principal(Principal.anonymous())
    assert [(b["id"], b["layer"]) for b in offered] == [
        ("emap", "emap"), ("imagery", "emap_imagery"), ("terrain", "terrain")]
    assert offered[0]["identify"] is True


@override_settings(GEOSHARE_MAP_BASEMAPS="emap=secret_map")
def test_a_group_of_hidden_layers_is_no_base_map_for_those_who_cannot_see_them():
    group = LayerGroup.objects.create(name="secret_map", title="内部图")
    LayerGroupMember.objects.create(group=group, layer=Layer.objects.get(name="land_approvals"))
    assert basemaps.for_principal(Principal.anonymous()) == []
    insider = Principal.for_user(User.objects.get(username="zrzy_viewer"))
    assert [b["layer"] for b in basemaps.for_principal(insider)] == ["secret_map"]
