"""Property: for any grant, every feature protocol shows the same principal the same data."""

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoshare.access import tokens
from geoshare.access.models import Department, LayerGrant
from layers.models import Layer
from tests.contract.protocols import FEATURES, PROTOCOLS, Caller

pytestmark = pytest.mark.django_db

FIELDS = ["approval_no", "project", "approved", "area_ha", "planned_use", "authority", "town"]
CONDITIONS = st.sampled_from([
    "town = '杨舍镇'", "town <> '塘桥镇'", "area_ha > 3", "area_ha <= 2.5",
    "planned_use IN ('0601 工业用地', '0505 商务金融用地')", "planned_use LIKE '07%'",
    "approval_no LIKE '%2024%'", "area_ha BETWEEN 2 AND 4",
])


# Parts of the layer's extent, as (west, south, east, north) fractions of it.
AREAS = st.one_of(st.none(), st.sampled_from([
    (0, 0, 0.5, 1), (0.5, 0, 1, 1), (0, 0, 1, 0.5), (0.25, 0.25, 0.75, 0.75),
]))


@st.composite
def grants(draw):
    conditions = draw(st.lists(CONDITIONS, max_size=3, unique=True))
    joiner = draw(st.sampled_from([" AND ", " OR "]))
    return {
        "row_filter": joiner.join(f"({c})" for c in conditions),
        "hidden_fields": draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)),
        "area_limit": draw(AREAS),
    }


def _area(layer, fractions):
    """The part of the layer's extent the fractions name, as a grant's area limit."""
    if fractions is None:
        return None
    west, south, east, north = layer.extent.extent
    width, height = east - west, north - south
    box = (west + fractions[0] * width, south + fractions[1] * height,
           west + fractions[2] * width, south + fractions[3] * height)
    return MultiPolygon(Polygon.from_bbox(box), srid=4490)


@pytest.fixture
def grantee(client):
    secret, _ = tokens.issue(User.objects.get(username="jy_viewer"), "agree")
    return Caller(client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"})


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terms=grants(), own_terms=st.one_of(st.none(), grants()))
def test_feature_protocols_agree_for_any_grants(grantee, terms, own_terms):
    """The department's grant, and maybe one of the user's own: their terms combined."""
    layer = Layer.objects.get(name="land_approvals")
    LayerGrant.objects.filter(layer=layer).delete()
    LayerGrant.objects.create(layer=layer, department=Department.objects.get(code="jy"),
                              **{**terms, "area_limit": _area(layer, terms["area_limit"])})
    held = [terms]
    if own_terms is not None:
        LayerGrant.objects.create(layer=layer, user=User.objects.get(username="jy_viewer"),
                                  **{**own_terms, "area_limit": _area(layer, own_terms["area_limit"])})
        held.append(own_terms)
    # An attribute shows only if a grant covering every row shown shows it.
    whole = [t for t in held if not t["row_filter"] and t["area_limit"] is None]
    sets = [set(t["hidden_fields"]) for t in whole or held]
    hidden = set.intersection(*sets) if whole else set.union(*sets)
    answers = {name: PROTOCOLS[name].features(grantee, layer) for name in FEATURES}
    statuses = {name: status for name, (status, _) in answers.items()}
    assert set(statuses.values()) == {200}, statuses
    ids = {name: set(features) for name, (_, features) in answers.items()}
    reference = ids["wfs"]
    for name, found in ids.items():
        # Tiles are clipped to the tile grid, so a sliver may not reach any tile at that zoom.
        assert found == reference if name != "tiles" else found <= reference, name
    for name, (_, features) in answers.items():
        for properties in features.values():
            assert not hidden & set(properties), name
