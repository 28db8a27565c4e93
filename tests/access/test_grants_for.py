"""policy.grants_for gives, in two queries, the terms grant_for gives one layer at a time."""

import pytest

from geoshare.access import policy

pytestmark = pytest.mark.django_db


def test_the_same_terms_as_grant_for(town, town_principals, planning_grant, django_assert_max_num_queries):
    names = ["town_buildings", "town_secret", "town_dem", "no_such_layer"]
    for who in ("anonymous", "planner", "officer"):
        principal = town_principals[who]
        policy.grants_for(principal, names)  # catalog rows are read once per process
        with django_assert_max_num_queries(2):
            terms = policy.grants_for(principal, names)
        for name in names:
            try:
                expected = policy.grant_for(principal, name)
            except Exception:
                assert name not in terms
                continue
            got = terms[name]
            assert (got.layer, got.row_filter_text, got.hidden_fields, got.cache_key) == (
                expected.layer, expected.row_filter_text, expected.hidden_fields, expected.cache_key)
    planner = policy.grants_for(town_principals["planner"], ["town_secret"])["town_secret"]
    assert planner.hidden_fields == {"case_no"} and planner.area_limit is not None


def test_group_members_are_decided_with_the_names(town, town_principals, django_assert_max_num_queries):
    from layers.models import LayerGroupMember

    members = list(LayerGroupMember.objects.filter(group__name="town_map")
                   .values_list("layer__name", flat=True))
    for who in ("anonymous", "planner", "officer"):
        principal = town_principals[who]
        policy.grants_for(principal, ["town_map", "town_dem"], group_members=True)  # catalog rows
        with django_assert_max_num_queries(2):
            terms = policy.grants_for(principal, ["town_map", "town_dem"], group_members=True)
        expected = policy.grants_for(principal, [*members, "town_dem"])
        assert {n: g.cache_key for n, g in terms.items()} == {n: g.cache_key for n, g in expected.items()}
        assert "town_map" not in terms
    # without the flag a group's name is only a name
    assert policy.grants_for(town_principals["anonymous"], ["town_map"]) == {}
