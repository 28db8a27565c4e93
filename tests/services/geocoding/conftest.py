import pytest
from django.db import connections

from services.geocoding.build import build_gazetteer
from services.geocoding.models import FieldMapping
from tests.services.geocoding.city import make_city


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """The small city of ``city.py``, alone in the gazetteer for one module.

    Other mappings (the demo city's) are switched off meanwhile and the gazetteer is
    rebuilt without the small city afterwards, so tests of either never see the other.
    """
    with django_db_blocker.unblock():
        others = list(FieldMapping.objects.filter(enabled=True).values_list("pk", flat=True))
        FieldMapping.objects.filter(pk__in=others).update(enabled=False)
        layers = make_city()
        build_gazetteer()
        connections["progress"].close()
    yield layers
    with django_db_blocker.unblock():
        for layer in layers.values():
            layer.delete()
        from geoshare.access.models import Department

        Department.objects.filter(code__in=["t-gis", "t-police"]).delete()
        FieldMapping.objects.filter(pk__in=others).update(enabled=True)
        if others:
            build_gazetteer()
        connections["progress"].close()


@pytest.fixture(autouse=True)
def _close_progress_connection():
    """Builds report progress on a second connection; close it so the test database can go."""
    yield
    connections["progress"].close()
