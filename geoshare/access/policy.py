"""The one place that decides what a principal may see or do.

Every protocol, the tile cache, the geocoder, the catalog and the web map ask this module;
none keeps a permission of its own. A layer the principal may not see does not exist for it:
``grant_for`` raises ``LayerNotFoundError`` exactly as for a name that was never published.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import MultiPolygon
from django.db.models import Q, QuerySet

from geoshare.access.models import Tier
from geoshare.errors import LayerNotFoundError

__all__ = [
    "Action", "Principal", "Grant", "visible_layers", "grant_for", "grants_for", "max_tier",
]


class Action(enum.Enum):
    VIEW = "view"
    DOWNLOAD = "download"
    EDIT = "edit"
    MANAGE = "manage"


@dataclass(frozen=True)
class Principal:
    """Who is asking. Built once per request by ``PrincipalMiddleware``."""

    user_id: int | None = None
    username: str = ""
    department_id: int | None = None
    is_superuser: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @classmethod
    def anonymous(cls) -> Principal:
        return cls()

    @classmethod
    def for_user(cls, user) -> Principal:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls.anonymous()
        profile = getattr(user, "geoshare_profile", None)
        return cls(
            user_id=user.pk,
            username=user.get_username(),
            department_id=profile.department_id if profile else None,
            is_superuser=user.is_superuser,
            roles=frozenset([profile.role]) if profile else frozenset(),
        )

    @property
    def cache_key(self) -> str:
        """Identifies the view of the data this principal gets, for caches of rendered bytes."""
        if self.is_superuser:
            return "super"
        if self.is_anonymous:
            return "public"
        return f"dept-{self.department_id or 0}"


@dataclass(frozen=True)
class Grant:
    """The terms on which a principal may use one layer. Engines apply them; protocols pass them on."""

    layer: "Layer"  # noqa: F821 - layers.models.Layer, imported lazily to avoid an app cycle
    action: Action = Action.VIEW
    row_filter: object | None = None  # a pygeofilter AST, applied by the feature engine
    hidden_fields: frozenset[str] = frozenset()
    area_limit: MultiPolygon | None = None  # in the layer's storage CRS

    @property
    def is_unrestricted(self) -> bool:
        return self.row_filter is None and not self.hidden_fields and self.area_limit is None


def max_tier() -> Tier:
    """The deployment ceiling (``GEOSHARE_MAX_TIER``): nothing above it is ever served."""
    return Tier.from_name(settings.GEOSHARE_MAX_TIER)


def visible_layers(principal: Principal, action: Action = Action.VIEW) -> QuerySet:
    """Layers this principal may use for ``action``, the tier ceiling applied.

    One query; compose it with ``.filter()``/``.select_related()``. Unpublished layers are
    visible to nobody through the services (administrators see them in the admin).
    """
    from layers.models import Layer

    layers = Layer.objects.filter(published=True, tier__lte=max_tier())
    if principal.is_superuser:
        return layers
    if principal.is_anonymous:
        return layers.filter(tier=Tier.PUBLIC)
    own_department = Q(tier=Tier.INTERNAL, department_id=principal.department_id)
    if principal.department_id is None:
        own_department = Q(pk__in=[])
    return layers.filter(Q(tier__lte=Tier.EGOV) | own_department)


def grant_for(principal: Principal, layer_name: str, action: Action = Action.VIEW) -> Grant:
    """Terms of access to one layer. Raises ``LayerNotFoundError`` as for an unknown name."""
    layer = (
        visible_layers(principal, action)
        .select_related("department")
        .filter(name=layer_name)
        .first()
    )
    if layer is None:
        raise LayerNotFoundError(layer_name)
    return _grant(principal, layer, action)


def grants_for(principal: Principal, layer_names, action: Action = Action.VIEW) -> dict[str, Grant]:
    """Terms of access to several layers in one query, by name; names not visible are absent.

    For maps of many layers (WMS LAYERS=…, layer groups): the same terms as ``grant_for``.
    """
    layers = (
        visible_layers(principal, action)
        .select_related("department")
        .filter(name__in=set(layer_names))
    )
    return {layer.name: _grant(principal, layer, action) for layer in layers}


def _grant(principal: Principal, layer, action: Action) -> Grant:
    return Grant(layer=layer, action=action)
