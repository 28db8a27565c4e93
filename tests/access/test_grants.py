import datetime

import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils import timezone

from geoshare.access.models import LayerGrant, Profile, Role, Tier
from geoshare.access.policy import Action, Principal, grant_for, visible_layers
from geoshare.errors import LayerNotFoundError
from layers.features import feature_source
from layers.sources import FeatureQuery
from tests.factories import department, vector_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcels():
    """An internal layer of 6 parcels in two towns, owned by the land bureau."""
    return vector_layer(
        "parcels_t",
        [shapely.Point(120.50 + 0.01 * i, 31.9) for i in range(6)],
        {
            "town": ["杨舍镇", "杨舍镇", "杨舍镇", "塘桥镇", "塘桥镇", "塘桥镇"],
            "owner": [f"业主{i}" for i in range(6)],
            "area": [100.0 * i for i in range(6)],
        },
        tier=Tier.INTERNAL,
        dept=department("zrzy", "自然资源和规划局"),
    )


def member(code: str, role=Role.VIEWER, username=None) -> Principal:
    user = User.objects.create_user(username or f"t_{code}_{role}")
    Profile.objects.create(user=user, department=department(code), role=role)
    return Principal.for_user(User.objects.get(pk=user.pk))


def visible_count(principal, layer) -> int:
    grant = grant_for(principal, layer.name)
    return feature_source(layer).count(FeatureQuery(), grant)


def test_other_department_sees_nothing_without_a_grant(parcels):
    with pytest.raises(LayerNotFoundError):
        grant_for(member("ghj"), "parcels_t")


def test_department_grant_with_row_filter_and_hidden_fields(parcels):
    LayerGrant.objects.create(
        layer=parcels, department=department("ghj"), row_filter="town = '杨舍镇'",
        hidden_fields=["owner"],
    )
    planner = member("ghj")
    grant = grant_for(planner, "parcels_t")
    assert grant.hidden_fields == {"owner"}
    assert visible_count(planner, parcels) == 3
    assert "owner" not in next(feature_source(parcels).features(FeatureQuery(), grant)).properties


def test_owning_department_is_unrestricted(parcels):
    LayerGrant.objects.create(layer=parcels, department=department("ghj"), row_filter="town = '杨舍镇'")
    assert grant_for(member("zrzy"), "parcels_t").is_unrestricted


def test_user_and_department_grants_add_up(parcels):
    LayerGrant.objects.create(layer=parcels, department=department("ghj"), row_filter="town = '杨舍镇'",
                              hidden_fields=["owner", "area"])
    planner = member("ghj")
    LayerGrant.objects.create(layer=parcels, user_id=planner.user_id, row_filter="area >= 500",
                              hidden_fields=["owner"])
    grant = grant_for(planner, "parcels_t")
    # A field cannot show on some rows only: "area", hidden by the grant of the 杨舍镇 rows,
    # stays hidden on all of them.
    assert grant.hidden_fields == {"owner", "area"}
    assert visible_count(planner, parcels) == 4  # 3 in 杨舍镇 + parcel 5


def test_area_limit_is_applied_in_the_layer_crs(parcels):
    area = GEOSGeometry("MULTIPOLYGON(((120.495 31.8, 120.525 31.8, 120.525 32, 120.495 32, 120.495 31.8)))", srid=4490)
    LayerGrant.objects.create(layer=parcels, department=department("ghj"), area_limit=area)
    assert visible_count(member("ghj"), parcels) == 3


def test_expired_grants_give_nothing(parcels):
    LayerGrant.objects.create(layer=parcels, department=department("ghj"),
                              expires=timezone.now() - datetime.timedelta(days=1))
    assert not visible_layers(member("ghj")).filter(name="parcels_t").exists()


def test_view_grant_does_not_allow_download(parcels):
    LayerGrant.objects.create(layer=parcels, department=department("ghj"), action="view")
    planner = member("ghj")
    assert visible_layers(planner, Action.VIEW).filter(name="parcels_t").exists()
    assert not visible_layers(planner, Action.DOWNLOAD).filter(name="parcels_t").exists()


def test_download_grant_includes_view(parcels):
    LayerGrant.objects.create(layer=parcels, department=department("ghj"), action="download")
    assert visible_layers(member("ghj"), Action.VIEW).filter(name="parcels_t").exists()


def test_roles_decide_editing_own_layers(parcels):
    assert not visible_layers(member("zrzy"), Action.EDIT).filter(name="parcels_t").exists()
    editor = member("zrzy", Role.EDITOR)
    assert visible_layers(editor, Action.EDIT).filter(name="parcels_t").exists()
    assert not visible_layers(editor, Action.MANAGE).filter(name="parcels_t").exists()


def test_anonymous_never_edits():
    assert not visible_layers(Principal.anonymous(), Action.EDIT).exists()


@pytest.mark.parametrize("row_filter, field", [
    ("town = ", "row_filter"),
    ("nosuch = 1", "row_filter"),
    ("town = 'x'; DROP TABLE geodata.parcels_t", "row_filter"),
])
def test_bad_row_filters_are_refused_when_saved(parcels, row_filter, field):
    grant = LayerGrant(layer=parcels, department=department("ghj"), row_filter=row_filter)
    with pytest.raises(ValidationError) as error:
        grant.full_clean()
    assert field in error.value.message_dict


def test_unknown_hidden_fields_are_refused(parcels):
    grant = LayerGrant(layer=parcels, department=department("ghj"), hidden_fields=["id_card"])
    with pytest.raises(ValidationError):
        grant.full_clean()


def test_cache_key_is_shared_by_equal_views_only(parcels):
    LayerGrant.objects.create(layer=parcels, department=department("ghj"), row_filter="town = '杨舍镇'")
    LayerGrant.objects.create(layer=parcels, department=department("jt"), row_filter="town = '杨舍镇'")
    LayerGrant.objects.create(layer=parcels, department=department("sl"), row_filter="town = '塘桥镇'")
    keys = {code: grant_for(member(code), "parcels_t").cache_key for code in ("ghj", "jt", "sl", "zrzy")}
    assert keys["ghj"] == keys["jt"] != keys["sl"]
    assert keys["zrzy"] == "full"


def _terms(row_filter="", hidden=(), area=None):
    from geoshare.access.grants import GrantTerms

    return GrantTerms(row_filter, tuple(hidden), shapely.to_wkb(area) if area is not None else None)


def test_a_filter_only_grant_and_an_area_only_grant_never_add_up_to_everything():
    from geoshare.access.grants import combine

    box = shapely.box(120.5, 31.8, 120.6, 31.9)
    row_filter, text, _, area = combine((_terms("town = '杨舍镇'"), _terms(area=box)), 4490)
    assert text == "(town = '杨舍镇')" and row_filter is not None
    assert area is not None and abs(area.area - box.area) < 1e-9


def test_one_unrestricted_grant_lifts_the_limits_of_the_others():
    from geoshare.access.grants import combine

    box = shapely.box(120.5, 31.8, 120.6, 31.9)
    row_filter, _, hidden, area = combine(
        (_terms("town = '杨舍镇'", ["owner"]), _terms(hidden=["owner"], area=box),
         _terms(hidden=["owner", "id_no"])), 4490)
    # "id_no" shows only on 杨舍镇 rows under the first grant: on the whole layer it stays hidden.
    assert (row_filter, area, hidden) == (None, None, frozenset({"owner", "id_no"}))


def test_a_field_shown_by_one_restricted_grant_stays_hidden_on_the_rows_of_another():
    from geoshare.access.grants import combine

    _, _, hidden, _ = combine((_terms("town = '杨舍镇'"), _terms("area >= 500", ["owner"])), 4490)
    assert hidden == frozenset({"owner"})
