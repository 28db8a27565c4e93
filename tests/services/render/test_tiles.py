"""Tiles through the cache: metatiles, invalidation by revision, one view per principal."""

import pytest

from geoshare.access.policy import Principal
from services.render import seed, tiles
from services.render.formats import FORMATS
from services.render.targets import resolve_target
from services.tiles import cache
from services.tiles.tms import TileIndex
from tests.town import SECRET_RGB, pixels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tile_cache_dir")]
PNG = FORMATS["image/png"]
# z17 WebMercatorQuad tile holding the town's centre (120.5443°E, 31.8721°N)
CENTRE = TileIndex("WebMercatorQuad", 17, 53282, 109424)


def cached_files(directory):
    return sorted(p for p in directory.rglob("*.png"))


def test_a_miss_renders_and_stores_the_whole_metatile(town, town_principals, tile_cache_dir):
    principal = town_principals["anonymous"]
    target = resolve_target(principal, "town_map")
    first = tiles.get_tile(target, principal, CENTRE, PNG)
    assert not first.cached and first.data[:4] == b"\x89PNG"
    assert len(cached_files(tile_cache_dir)) == 16  # the 4 × 4 metatile around it
    again = tiles.get_tile(target, principal, CENTRE, PNG)
    assert again.cached and again.data == first.data and again.etag == first.etag
    neighbour = TileIndex(CENTRE.tms, CENTRE.z, CENTRE.row - CENTRE.row % 4, CENTRE.col - CENTRE.col % 4)
    assert tiles.get_tile(target, principal, neighbour, PNG).cached


def test_a_style_change_misses_at_the_next_request(town, town_principals):
    principal = town_principals["anonymous"]
    before = tiles.get_tile(resolve_target(principal, "town_buildings"), principal, CENTRE, PNG)
    town.buildings.bump(style=True)
    after = tiles.get_tile(resolve_target(principal, "town_buildings"), principal, CENTRE, PNG)
    assert not after.cached and after.etag != before.etag


def test_a_restricted_view_is_never_served_from_another_views_tiles(town, town_principals):
    anonymous, officer = town_principals["anonymous"], town_principals["officer"]
    police = tiles.get_tile(resolve_target(officer, "town_map"), officer, CENTRE, PNG)
    assert any(p[:3] == SECRET_RGB for p in pixels(police.data))
    public = tiles.get_tile(resolve_target(anonymous, "town_map"), anonymous, CENTRE, PNG)
    assert not public.cached
    assert not any(p[:3] == SECRET_RGB for p in pixels(public.data))


def test_tiles_outside_every_layer_are_empty_and_not_stored(town, town_principals, tile_cache_dir):
    principal = town_principals["anonymous"]
    far = TileIndex("WebMercatorQuad", 17, 10, 10)
    tile = tiles.get_tile(resolve_target(principal, "town_roads"), principal, far, PNG)
    assert not tile.cached and set(pixels(tile.data)) == {(0, 0, 0, 0)}
    assert cached_files(tile_cache_dir) == []


def test_seed_then_truncate_and_prune(town, tile_cache_dir):
    report = seed.seed("town_roads", PNG, ["CGCS2000Quad", "WebMercatorQuad"], range(15, 18))
    assert report.metatiles >= 6 and report.skipped == 0
    assert seed.seed("town_roads", PNG, ["WebMercatorQuad"], range(15, 18)).metatiles == 0
    assert seed.truncate("town_roads") >= 1
    assert cached_files(cache.root() / "town_roads") == []
    seed.seed("town_roads", PNG, ["WebMercatorQuad"], [17], principal=Principal.anonymous())
    town.roads.bump(data=True)
    assert seed.prune() >= 1
    assert cached_files(cache.root() / "town_roads") == []


def test_a_restricted_grant_gets_tiles_of_its_own(town, town_principals, planning_grant):
    planner, officer = town_principals["planner"], town_principals["officer"]
    police = tiles.get_tile(resolve_target(officer, "town_secret"), officer, CENTRE, PNG)
    planning = tiles.get_tile(resolve_target(planner, "town_secret"), planner, CENTRE, PNG)
    assert not planning.cached and planning.etag != police.etag
    assert resolve_target(planner, "town_secret").layers[0].grant.cache_key.startswith("r")
