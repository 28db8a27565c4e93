"""Names → layers: groups show each caller its visible members; view keys separate views."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geoshare.access.policy import Grant
from geoshare.errors import LayerNotFoundError
from layers.models import LayerGroup, LayerGroupMember
from services.render.targets import (
    MapLayer, StyleNotFoundError, Target, published, resolve, resolve_target, resolve_targets,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]


def test_a_group_shows_only_the_members_the_caller_may_see(town, town_principals):
    public = resolve_target(town_principals["anonymous"], "town_map")
    police = resolve_target(town_principals["officer"], "town_map")
    assert [ml.layer.name for ml in public.layers] == ["town_ortho", "town_buildings", "town_roads"]
    assert [ml.layer.name for ml in police.layers] == [
        "town_ortho", "town_buildings", "town_secret", "town_roads"]
    assert public.is_group and public.style == "default"


def test_a_group_of_hidden_layers_does_not_exist(town, town_principals):
    group = LayerGroup.objects.create(name="only_secret", title="x")
    LayerGroupMember.objects.create(group=group, layer=town.secret)
    with pytest.raises(LayerNotFoundError):
        resolve(town_principals["anonymous"], ["only_secret"])
    assert resolve(town_principals["officer"], ["only_secret"])


def test_styles_by_name_default_and_unknown(town, town_principals):
    anonymous = town_principals["anonymous"]
    assert resolve_target(anonymous, "town_roads", "").style == "labelled"
    # the importer's plain style keeps its name; 'default' picks it, not the default one
    assert resolve_target(anonymous, "town_roads", "default").style == "default"
    assert resolve_target(anonymous, "town_roads", "labelled").style == "labelled"
    with pytest.raises(StyleNotFoundError) as error:
        resolve_target(anonymous, "town_roads", "neon")
    assert "labelled" in error.value.message and error.value.locator == "STYLES"
    with pytest.raises(StyleNotFoundError):
        resolve_target(anonymous, "town_map", "labelled")


def test_resolving_many_names_takes_few_queries(town, town_principals, django_assert_max_num_queries):
    names = ["town_buildings", "town_roads", "town_map", "town_ortho"]
    with django_assert_max_num_queries(5):
        targets = resolve_targets(town_principals["officer"], names)
    assert [t.name for t in targets] == names
    # Once styles are in this process's memory, a layer costs the policy's query alone.
    with django_assert_max_num_queries(1):
        resolve_target(town_principals["anonymous"], "town_roads", "labelled")


def test_view_keys_differ_by_principal_restrictions_and_revision(town, town_principals):
    anonymous, officer = town_principals["anonymous"], town_principals["officer"]
    public_view = resolve_target(anonymous, "town_map").view_key(anonymous)
    police_view = resolve_target(officer, "town_map").view_key(officer)
    assert public_view.startswith("public-") and police_view.startswith("dept-")
    # the same principal key with other terms is another view
    target = resolve_target(anonymous, "town_buildings")
    area = MultiPolygon(Polygon.from_bbox((0, 0, 1, 1)), srid=4549)
    restricted = Target(target.name, target.title, target.style,
                        (MapLayer(Grant(layer=town.buildings, area_limit=area), target.layers[0].style),),
                        target.revision)
    assert restricted.view_key(anonymous) != target.view_key(anonymous)
    town.buildings.bump(data=True)
    assert resolve_target(anonymous, "town_buildings").view_key(anonymous) != target.view_key(anonymous)


def test_a_group_tile_costs_few_queries_and_follows_every_change(town, town_principals,
                                                                   django_assert_max_num_queries):
    anonymous = town_principals["anonymous"]
    before = resolve_target(anonymous, "town_map").revision
    with django_assert_max_num_queries(2):  # the group's version, its members' grants
        assert resolve_target(anonymous, "town_map").revision == before
    town.roads.bump(data=True)
    after_data = resolve_target(anonymous, "town_map").revision
    LayerGroupMember.objects.filter(group__name="town_map", layer=town.roads).delete()
    after_member = resolve_target(anonymous, "town_map")
    assert len({before, after_data, after_member.revision}) == 3
    assert "town_roads" not in [ml.layer.name for ml in after_member.layers]


def test_published_lists_visible_layers_and_groups(town, town_principals):
    layers, groups = published(town_principals["anonymous"])
    names = {layer.name for layer in layers}
    assert "town_secret" not in names and {"town_buildings", "town_roads"} <= names
    (group, members), = [(g, m) for g, m in groups if g.name == "town_map"]
    assert [layer.name for layer, _style in members] == ["town_ortho", "town_buildings", "town_roads"]
