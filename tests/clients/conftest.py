import pytest
from pytest_django.live_server_helper import LiveServer

from tests.town import *  # noqa: F401,F403  (the styled town the map tests draw)


@pytest.fixture(scope="session")
def _reading_server(django_db_setup):
    server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def live_platform(_reading_server, db):
    """pytest-django's live server, for clients that only read.

    Its ``live_server`` fixture makes every test transactional, and the flush after each
    one would empty the town that is committed once per session (Mapnik reads PostGIS
    through connections of its own). The same server under another name leaves the tests
    in ordinary transactions; the server thread sees the committed town.
    """
    _reading_server._live_server_modified_settings.enable()
    yield _reading_server
    _reading_server._live_server_modified_settings.disable()
