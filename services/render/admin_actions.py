"""Tile cache actions for the layer and layer group admin pages."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from services.render import seed

__all__ = ["seed_tile_cache", "truncate_tile_cache"]


@admin.action(description=_("Seed the tile cache (public view, levels 0–16, both grids)"))
def seed_tile_cache(modeladmin, request, queryset):
    from services.render.tasks import seed_tiles

    names = list(queryset.values_list("name", flat=True))
    for name in names:
        transaction.on_commit(lambda name=name: seed_tiles.defer(
            name=name, low=seed.DEFAULT_ZOOMS.start, high=seed.DEFAULT_ZOOMS.stop - 1,
        ))
    modeladmin.message_user(
        request, _("Seeding queued for %s; manage.py tilecache seed offers more choices.")
        % ", ".join(names), messages.INFO,
    )


@admin.action(description=_("Truncate the tile cache"))
def truncate_tile_cache(modeladmin, request, queryset):
    removed = sum(seed.truncate(name) for name in queryset.values_list("name", flat=True))
    modeladmin.message_user(request, _("%d cache directories removed.") % removed, messages.INFO)
