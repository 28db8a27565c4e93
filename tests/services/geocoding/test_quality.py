"""Top-1 accuracy on the labelled tuning set, against the demo city's gazetteer.

The full table (all levels, both splits, the naive peer) is bench/geocoding_quality.py.
"""

import pytest

from geoshare.access.policy import Principal
from services.geocoding.scope import scope_for
from tests.services.geocoding import evaluation

pytestmark = pytest.mark.django_db

GENERATED_AT_SCALE = 0.02  # data/README.md


@pytest.fixture
def tune(demo_scale):
    if demo_scale != GENERATED_AT_SCALE:
        pytest.skip(f"the evaluation set was written from the demo at scale {GENERATED_AT_SCALE}")
    return evaluation.load(evaluation.DATA / "tune.jsonl")


def test_house_numbers_are_found_first_at_least_97_percent_of_the_time(tune):
    houses = [case for case in tune if case.level == "house_number"]
    assert len(houses) >= 1000
    report = evaluation.evaluate(houses, scope_for(Principal(user_id=0, is_superuser=True)))
    misses = "\n".join(f"{c.query} -> {answer}" for c, answer in report.misses[:20])
    assert report.accuracy("house_number") >= 0.97, misses


def test_every_level_is_found_first_most_of_the_time(tune):
    sample = tune[:600]
    report = evaluation.evaluate(sample, scope_for(Principal(user_id=0, is_superuser=True)))
    assert report.accuracy() >= 0.95
    assert set(report.by_level) >= {"house_number", "building", "room", "poi", "road", "town"}
