"""The hashed files of the built bundle (web/dist), read from Vite's manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders

from geoshare.errors import GeoshareError

__all__ = ["Entry", "BundleMissingError", "entry"]

MANIFEST = "webmap/manifest.json"  # build.manifest in web/vite.config.js
ENTRY = "src/main.js"


class BundleMissingError(GeoshareError):
    """web/dist has no manifest: the bundle was never built (./platform setup builds it)."""


@dataclass(frozen=True)
class Entry:
    script: str  # static paths, relative to STATIC_URL
    styles: tuple[str, ...]
    preloads: tuple[str, ...]


_cache: dict[tuple[str, float], Entry] = {}


def entry() -> Entry:
    """The entry script with its CSS and statically imported chunks, re-read after a rebuild."""
    found = finders.find(MANIFEST)
    if not found:
        raise BundleMissingError(f"{MANIFEST} not found: build the web map with ./platform setup")
    path = Path(found)
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        _cache.clear()
        _cache[key] = _read(json.loads(path.read_text()))
    return _cache[key]


def _read(manifest: dict) -> Entry:
    main = manifest[ENTRY]
    styles, preloads, seen = list(main.get("css", [])), [], set()

    def walk(name: str) -> None:  # statically imported chunks load before the app runs
        for imported in manifest[name].get("imports", []):
            if imported not in seen:
                seen.add(imported)
                preloads.append(manifest[imported]["file"])
                styles.extend(manifest[imported].get("css", []))
                walk(imported)

    walk(ENTRY)
    return Entry(main["file"], tuple(dict.fromkeys(styles)), tuple(preloads))
