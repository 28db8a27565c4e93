"""The gazetteer answers each caller only from what the access policy lets it see."""

import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry

from geoshare.access.models import LayerGrant, Profile, Role
from geoshare.access.policy import Action, Principal
from services.geocoding.matcher import geocode
from services.geocoding.reverse import reverse
from services.geocoding.scope import scope_for
from services.geocoding.suggest import suggest
from tests.factories import department
from tests.services.geocoding.city import building_xy

pytestmark = pytest.mark.django_db

ROOM = "梁丰花园3幢2单元201室"


def member(code: str) -> Principal:
    user = User.objects.create_user(f"user_{code}")
    Profile.objects.create(user=user, department=department(code), role=Role.VIEWER)
    return Principal.for_user(User.objects.get(pk=user.pk))


def levels(text: str, principal: Principal) -> list[str]:
    return [c.level.api_name for c in geocode([text], scope_for(principal))[0].candidates]


def test_rooms_of_an_internal_layer_do_not_answer_anonymous_callers(city):
    assert levels(ROOM, Principal.anonymous())[0] == "building"
    assert "room" not in levels(ROOM, Principal.anonymous())
    assert "unit" not in levels(ROOM, Principal.anonymous())  # units come from the rooms layer


def test_the_owning_department_gets_the_room(city):
    assert levels(ROOM, member("t-police"))[0] == "room"


def test_another_department_sees_only_what_its_row_filter_lets_through(city):
    other = member("housing")
    LayerGrant.objects.create(
        layer=city["rooms"], department=department("housing"), row_filter="building = '1'"
    )
    assert levels("梁丰花园1幢1单元101室", other)[0] == "room"
    assert levels(ROOM, other)[0] == "building"  # building 3 is filtered out


def test_an_area_limit_keeps_entries_outside_it_away(city):
    other = member("water")
    x, y = building_xy(1)
    area = shapely.box(x, y - 0.001, x + 0.0003, y + 0.001)  # building 1's rooms only
    LayerGrant.objects.create(
        layer=city["rooms"],
        department=department("water"),
        area_limit=GEOSGeometry(shapely.MultiPolygon([area]).wkt, srid=4490),
    )
    assert levels("梁丰花园1幢1单元101室", other)[0] == "room"
    assert levels("梁丰花园2幢1单元101室", other)[0] == "building"


def test_a_hidden_layer_gives_no_names_no_reverse_and_no_suggestions(city):
    city["pois"].published = False
    city["pois"].save()
    try:
        anonymous = scope_for(Principal.anonymous())
        assert levels("张家港市第一人民医院", Principal.anonymous()) == []
        assert suggest("第一人民", anonymous) == []
        near_hospital = reverse(120.57, 31.875, anonymous, radius_m=50)
        assert near_hospital.nearest is None
    finally:
        city["pois"].published = True
        city["pois"].save()


def test_a_row_filter_with_a_like_pattern_filters_and_does_not_break_the_statements(city):
    other = member("estate")
    LayerGrant.objects.create(
        layer=city["rooms"], department=department("estate"), row_filter="unit LIKE '1%'"
    )
    assert levels("梁丰花园1幢1单元101室", other)[0] == "room"
    assert levels(ROOM, other)[0] == "building"  # unit 2 does not match '1%'
    scope = scope_for(other)
    assert suggest("梁丰花园", scope)
    reverse(*building_xy(1), scope, radius_m=50)


def test_a_grant_hiding_a_column_the_gazetteer_reads_keeps_the_layer_out(city):
    other = member("census")
    LayerGrant.objects.create(
        layer=city["rooms"], department=department("census"), hidden_fields=["room"]
    )
    assert "t_rooms" not in scope_for(other).layer_names.values()
    assert levels(ROOM, other)[0] == "building"


def test_taking_results_away_needs_download_not_view(city):
    viewer = member("audit")
    LayerGrant.objects.create(layer=city["rooms"], department=department("audit"), action="view")
    assert "t_rooms" in scope_for(viewer).layer_names.values()
    assert "t_rooms" not in scope_for(viewer, Action.DOWNLOAD).layer_names.values()


@pytest.mark.django_db(databases=["default", "progress"])
def test_a_road_drawn_in_several_rows_answers_a_row_filter_only_if_it_passes_every_row(city):
    from geoshare.access.models import Tier
    from services.geocoding.build import build_gazetteer
    from services.geocoding.models import FieldMapping, Target
    from tests.factories import vector_layer

    pieces = [shapely.LineString([(120.535, 31.8715), (120.536, 31.8716)]),
              shapely.LineString([(120.536, 31.8716), (120.537, 31.8717)])]
    layer = vector_layer("t_works_roads", pieces, {"name": ["施工便道", "施工便道"], "section": ["A", "B"]},
                         tier=Tier.INTERNAL, dept=department("t-works"), kind="geocoding")
    FieldMapping.objects.create(layer=layer, target=Target.ROAD, name_field="name")
    assert build_gazetteer().status == "done"
    half, whole = member("survey"), member("transport")
    LayerGrant.objects.create(layer=layer, department=department("survey"), row_filter="section = 'A'")
    LayerGrant.objects.create(layer=layer, department=department("transport"),
                              row_filter="section IN ('A', 'B')")
    assert levels("杨舍镇施工便道", member("t-works"))[0] == "road"
    assert levels("杨舍镇施工便道", whole)[0] == "road"
    # Section B's line and names are in the one merged entry: a caller who may not see
    # that row gets nothing of it.
    assert "road" not in levels("杨舍镇施工便道", half)
