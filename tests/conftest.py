"""Test setup shared by the whole suite: the demo city, loaded once per session.

Every test sees the demo departments, users and layers (fixtures/README.md lists them),
including transactional and live-server tests: those end by flushing every table, so they
run with serialized rollback, which puts the demo catalog back for the next test
(tests/snapshot.py).
"""

import io
import os

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from tests import snapshot

DEMO_SCALE = float(os.environ.get("GEOSHARE_TEST_DEMO_SCALE") or 0.02)
pytest_plugins = ["tests.town"]  # the small styled town of the map tests


def pytest_collection_modifyitems(items):
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & set(
            item.fixturenames)
        if transactional and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs),
                            append=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    # Imported rasters and uploads of the test session stay out of the developer's var/.
    data = tmp_path_factory.mktemp("data")
    isolated = override_settings(
        DATA_DIR=data, RASTER_DIR=data / "rasters", UPLOAD_DIR=data / "uploads",
        TILE_CACHE_DIR=tmp_path_factory.mktemp("tiles"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    isolated.enable()
    with django_db_blocker.unblock():
        call_command("load_demo", scale=DEMO_SCALE, stdout=io.StringIO())
        snapshot.take()
    undo = snapshot.restore_copied_tables()
    yield
    undo()
    isolated.disable()


@pytest.fixture(scope="session")
def demo_scale() -> float:
    return DEMO_SCALE
