import pytest
import shapely
from django.contrib.auth.models import User
from django.test import override_settings

from geoshare.access.models import Profile, Role, Tier
from geoshare.access.policy import Principal, grant_for, visible_layers
from geoshare.errors import LayerNotFoundError
from tests.factories import department, vector_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def layers():
    own, other = department("own", "本局"), department("other", "他局")
    point = [shapely.Point(120.5, 31.9)]
    return {
        "pub": vector_layer("t_pub", point, {"a": [1]}, tier=Tier.PUBLIC, dept=own),
        "gov": vector_layer("t_gov", point, {"a": [1]}, tier=Tier.EGOV, dept=other),
        "own": vector_layer("t_own", point, {"a": [1]}, tier=Tier.INTERNAL, dept=own),
        "other": vector_layer("t_other", point, {"a": [1]}, tier=Tier.INTERNAL, dept=other),
    }


def user_of(dept_code: str | None, superuser: bool = False) -> Principal:
    user = User.objects.create_user(f"u_{dept_code}_{superuser}", is_superuser=superuser)
    if dept_code:
        Profile.objects.create(user=user, department=department(dept_code), role=Role.VIEWER)
    return Principal.for_user(User.objects.get(pk=user.pk))


def names(principal) -> set[str]:
    return set(visible_layers(principal).filter(name__startswith="t_").values_list("name", flat=True))


def test_anonymous_sees_public_only(layers):
    assert names(Principal.anonymous()) == {"t_pub"}


def test_government_user_sees_egov_and_own_internal(layers):
    assert names(user_of("own")) == {"t_pub", "t_gov", "t_own"}


def test_user_without_department_sees_no_internal(layers):
    assert names(user_of(None)) == {"t_pub", "t_gov"}


def test_superuser_sees_all(layers):
    assert names(user_of(None, superuser=True)) == {"t_pub", "t_gov", "t_own", "t_other"}


@pytest.mark.parametrize("ceiling, expected", [
    ("public", {"t_pub"}),
    ("egov", {"t_pub", "t_gov"}),
])
def test_deployment_ceiling_caps_everyone(layers, ceiling, expected):
    with override_settings(GEOSHARE_MAX_TIER=ceiling):
        assert names(user_of(None, superuser=True)) == expected
        assert names(user_of("own")) == expected


def test_unpublished_layers_are_invisible_to_everyone(layers):
    layers["pub"].published = False
    layers["pub"].save()
    assert "t_pub" not in names(user_of(None, superuser=True))


def test_hidden_layer_is_not_found_exactly_like_a_missing_one(layers):
    with pytest.raises(LayerNotFoundError) as hidden:
        grant_for(Principal.anonymous(), "t_other")
    with pytest.raises(LayerNotFoundError) as missing:
        grant_for(Principal.anonymous(), "no_such_layer_x")
    assert str(hidden.value).replace("t_other", "X") == str(missing.value).replace("no_such_layer_x", "X")


def test_grant_for_a_visible_layer_is_unrestricted(layers):
    grant = grant_for(user_of("own"), "t_own")
    assert grant.layer == layers["own"] and grant.is_unrestricted


def test_visible_layers_is_one_query(layers, django_assert_num_queries):
    principal = user_of("own")
    with django_assert_num_queries(1):
        list(visible_layers(principal).select_related("department"))


def test_inactive_user_is_anonymous():
    user = User.objects.create_user("gone", is_active=False)
    assert Principal.for_user(user).is_anonymous


def test_point_decisions_agree_with_the_listing_for_every_principal_and_action():
    """grants_for decides with hand-written SQL; visible_layers with the ORM: one rule."""
    import datetime

    from django.utils import timezone

    from geoshare.access.models import Department, LayerGrant
    from geoshare.access.policy import Action, grants_for
    from layers.models import Layer

    approvals, rooms = Layer.objects.get(name="land_approvals"), Layer.objects.get(name="rooms")
    LayerGrant.objects.create(layer=approvals, department=Department.objects.get(code="jy"),
                              action="download", row_filter="area_ha > 1")
    LayerGrant.objects.create(layer=rooms, user=User.objects.get(username="jy_editor"), action="edit")
    LayerGrant.objects.create(layer=rooms, department=Department.objects.get(code="jy"),
                              expires=timezone.now() - datetime.timedelta(days=1))
    everything = list(Layer.objects.values_list("name", flat=True))
    principals = [Principal.anonymous()] + [Principal.for_user(u) for u in User.objects.all()]
    Layer.objects.filter(name="schools").update(published=False)
    for ceiling in ("public", "egov", "internal"):
        with override_settings(GEOSHARE_MAX_TIER=ceiling):
            for principal in principals:
                for action in Action:
                    listed = set(visible_layers(principal, action).values_list("name", flat=True))
                    decided = set(grants_for(principal, everything, action))
                    assert decided == listed, (ceiling, principal, action)
