"""The demo city's gazetteer: field mappings for its geocoding layers, built by load_demo.

``fixtures/README.md`` describes the layers; this module says which of their columns
feed which gazetteer level, as an administrator would in the admin.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Max

from layers.models import JobStatus, Layer

from .build import build_gazetteer
from .models import Division, FieldMapping, GazetteerBuild, Target
from .reference import import_divisions

__all__ = ["DEMO_MAPPINGS", "ensure_demo_gazetteer"]

_ADDRESS_COLUMNS = {
    "town_field": "town",
    "community_field": "community",
    "road_field": "road",
    "number_field": "number",
    "village_group_field": "village_group",
    "compound_field": "compound",
    "building_field": "building",
    "unit_field": "unit",
    "room_field": "room",
}
# (layer, rows are, columns)
DEMO_MAPPINGS = (
    ("towns", Target.DIVISION, {"code_field": "code", "name_field": "name"}),
    (
        "communities",
        Target.DIVISION,
        {
            "code_field": "code",
            "name_field": "name",
            "alias_field": "committee",
            "town_field": "town",
        },
    ),
    (
        "roads",
        Target.ROAD,
        {
            "name_field": "name",
            "alias_field": "alias",
            "former_name_field": "former_name",
            "town_field": "town",
        },
    ),
    (
        "compounds",
        Target.COMPOUND,
        {
            "name_field": "name",
            "town_field": "town",
            "community_field": "community",
        },
    ),
    (
        "pois",
        Target.POI,
        {
            "name_field": "name",
            "category_field": "category",
            "town_field": "town",
            "community_field": "community",
        },
    ),
    ("addresses", Target.ADDRESS, _ADDRESS_COLUMNS),
    ("rooms", Target.ADDRESS, _ADDRESS_COLUMNS),
)


def ensure_demo_gazetteer(write: Callable[[str], object] = print) -> None:
    """Map the demo layers that are loaded, and rebuild if a mapped layer changed since."""
    if not Division.objects.exists():
        write(f"stored {import_divisions()} administrative divisions")
    layers = {
        layer.name: layer for layer in Layer.objects.filter(name__in=[m[0] for m in DEMO_MAPPINGS])
    }
    created = 0
    for name, target, columns in DEMO_MAPPINGS:
        if name in layers:
            _, made = FieldMapping.objects.get_or_create(
                layer=layers[name], target=target, defaults=columns
            )
            created += made
    last = GazetteerBuild.objects.filter(status=JobStatus.DONE).order_by("-id").first()
    changed = Layer.objects.filter(gazetteer_mappings__isnull=False).aggregate(Max("modified"))
    newest = changed["modified__max"]
    if not created and last is not None and (newest is None or newest <= last.finished):
        return
    # Nobody watches this build in the admin: no progress reports on a second connection.
    build = build_gazetteer(watched=False)
    write(f"gazetteer: {build.message}")
