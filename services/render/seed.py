"""Seeding, truncating and pruning the tile cache (the management command, the admin, jobs)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings

from geoshare.access.policy import Principal
from geoshare.geo import BBox
from layers.models import Layer, LayerGroupMember
from services.render.formats import ImageFormat
from services.render.targets import (
    DATASET, dataset_target, group_revisions, resolve_target, revision_digest,
)
from services.render.tiles import metatiles, render_metatile
from services.tiles import cache
from services.tiles.tms import TileIndex

__all__ = ["SeedReport", "seed", "truncate", "prune", "DEFAULT_ZOOMS"]

DEFAULT_ZOOMS = range(0, 17)


@dataclass
class SeedReport:
    metatiles: int = 0
    skipped: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.metatiles} metatiles rendered, {self.skipped} already cached, "
                f"{self.seconds:.1f} s")


def seed(name: str, image_format: ImageFormat, tms_ids: Sequence[str], zooms: Sequence[int],
         style: str = "", principal: Principal | None = None, bbox_4490: BBox | None = None,
         force: bool = False, progress: Callable[[TileIndex], None] | None = None) -> SeedReport:
    """Render every metatile of layer or group ``name`` (or the dataset map, ``DATASET``) in
    the given grids and levels.

    Tiles are seeded for ``principal``'s view (anonymous: the public view). Metatiles
    whose first tile is cached already are skipped unless ``force``.
    """
    principal = principal or Principal.anonymous()
    started = time.monotonic()
    if name == DATASET:
        target = dataset_target(principal, DATASET)
    else:
        target = resolve_target(principal, name, style, locator="layer", style_locator="style")
    report = SeedReport()
    for tms_id in tms_ids:
        for index in metatiles(target, tms_id, zooms, bbox_4490):
            key = cache.TileKey(target.name, target.style, tms_id, target.view_key(principal),
                                index.z, index.row, index.col, image_format.extension)
            with cache.metatile_lock(key, settings.GEOSHARE_TILE_METATILE):
                if not force and cache.read(key) is not None:
                    report.skipped += 1
                    continue
                render_metatile(target, principal, index, image_format)
            report.metatiles += 1
            if progress:
                progress(index)
    report.seconds = time.monotonic() - started
    return report


def truncate(name: str | None = None, style: str | None = None, tms: str | None = None,
             zooms: range | None = None) -> int:
    """Remove cached tiles: everything, or those of layer/group ``name`` and of every group
    (and the dataset map) that draws that layer. Returns the directories removed."""
    if name is None:
        return cache.truncate(None, style, tms, zooms)
    names = {name}
    if Layer.objects.filter(name=name).exists():
        names |= set(LayerGroupMember.objects.filter(layer__name=name).values_list(
            "group__name", flat=True))
        names.add(DATASET)
    return sum(cache.truncate(n, style if n == name else None, tms, zooms) for n in names)


def prune() -> int:
    """Remove tiles of data or style revisions that are no longer current."""
    current: dict[tuple[str, str], str] = {}
    layers = list(Layer.objects.prefetch_related("styles"))
    for layer in layers:
        for style in layer.styles.all():
            current[(layer.name, style.name)] = revision_digest([(layer, style.name)])
    for name, revision in group_revisions().items():
        current[(name, "default")] = revision
    published = sorted((layer for layer in layers if layer.published), key=lambda la: la.pk)
    current[(DATASET, "default")] = revision_digest([(layer, None) for layer in published])
    return cache.prune(current)
