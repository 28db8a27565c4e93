import pytest
from django.db import connections

from services.geocoding.build import build_gazetteer
from tests.services.geocoding.city import make_city


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """The small city of ``city.py``, built into the gazetteer once per module."""
    with django_db_blocker.unblock():
        layers = make_city()
        build_gazetteer()
        connections["progress"].close()
    yield layers
    with django_db_blocker.unblock():
        for layer in layers.values():
            layer.delete()
        from geoshare.access.models import Department

        Department.objects.filter(code__in=["gis", "police"]).delete()


@pytest.fixture(autouse=True)
def _close_progress_connection():
    """Builds report progress on a second connection; close it so the test database can go."""
    yield
    connections["progress"].close()
