"""The services a running geoshare offers, as listed on the landing page.

Each protocol package registers itself from its AppConfig.ready(), so the landing page
lists exactly what is installed, and links every layer to each service that serves it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ServiceEntry", "register", "entries"]


@dataclass(frozen=True)
class ServiceEntry:
    key: str
    title: str  # translatable (gettext_lazy)
    url: str  # relative to the site root
    description: str = ""
    layer_links: Callable | None = None  # layer -> [(label, relative url)]


_registry: dict[str, ServiceEntry] = {}


def register(entry: ServiceEntry) -> None:
    _registry[entry.key] = entry


def entries() -> list[ServiceEntry]:
    return list(_registry.values())
