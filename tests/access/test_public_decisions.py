"""Anonymous decisions are reused until the catalog changes, whichever process changes it."""

import time

import pytest
import shapely
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from geoshare.access.models import Tier
from geoshare.access.policy import Principal, grant_for, grants_for
from geoshare.errors import LayerNotFoundError
from layers.models import Layer
from tests.factories import vector_layer

# Notifications travel only when transactions commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

ANONYMOUS = Principal.anonymous()


@pytest.fixture
def layer():
    layer = vector_layer("t_public", [shapely.Point(120.5, 31.9)], {"a": [1]}, tier=Tier.PUBLIC)
    yield layer
    layer.delete()  # its table too, which the flush at the end of the test would leave


def queries_to_decide(name: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        grant_for(ANONYMOUS, name)
    return len(queries)


def another_process(statement: str, *params) -> None:
    """Run a statement on a connection of its own, as another worker or psql would."""
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        other.execute(statement, params)
    finally:
        other.close()


def eventually(condition, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def hidden(name: str) -> bool:
    try:
        grant_for(ANONYMOUS, name)
    except LayerNotFoundError:
        return True
    return False


def test_a_decision_for_the_public_is_reused(layer):
    assert queries_to_decide(layer.name) >= 1
    assert queries_to_decide(layer.name) == 0


def test_a_change_in_this_process_is_seen_at_once(layer):
    grant_for(ANONYMOUS, layer.name)
    Layer.objects.filter(pk=layer.pk).update(tier=Tier.INTERNAL)
    assert hidden(layer.name)


def test_a_change_made_elsewhere_reaches_this_process(layer):
    grant_for(ANONYMOUS, layer.name)
    another_process("UPDATE layers_layer SET published = false WHERE id = %s", layer.pk)
    assert eventually(lambda: hidden(layer.name))
    another_process("UPDATE layers_layer SET published = true WHERE id = %s", layer.pk)
    assert eventually(lambda: not hidden(layer.name))


def test_a_new_connection_forgets_what_the_old_one_kept(layer):
    grant_for(ANONYMOUS, layer.name)
    connection.close()  # notifications sent now would be lost with it
    another_process("UPDATE layers_layer SET tier = %s WHERE id = %s", int(Tier.EGOV), layer.pk)
    assert hidden(layer.name)


def test_long_lists_of_names_are_not_kept(layer):
    names = [layer.name, *(f"t_missing_{i}" for i in range(100))]
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert list(grants_for(ANONYMOUS, names)) == [layer.name]
        assert len(queries) >= 1


def test_signed_in_callers_are_decided_afresh_each_time(layer, django_user_model):
    user = Principal.for_user(django_user_model.objects.create_user("t_reader"))
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            grant_for(user, layer.name)
        assert len(queries) >= 1


def test_nothing_is_reused_inside_a_transaction(layer):
    from django.db import transaction

    grant_for(ANONYMOUS, layer.name)  # the catalog entry is read; only the decision is left
    with transaction.atomic():
        assert queries_to_decide(layer.name) == 1
        assert queries_to_decide(layer.name) == 1


def test_reuse_can_be_turned_off(layer):
    with override_settings(GEOSHARE_REUSE_PUBLIC_DECISIONS=False):
        grant_for(ANONYMOUS, layer.name)
        assert queries_to_decide(layer.name) == 1
        assert queries_to_decide(layer.name) == 1
