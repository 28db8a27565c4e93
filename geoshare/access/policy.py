"""The one place that decides what a principal may see or do.

Every protocol, the tile cache, the geocoder, the catalog and the web map ask this module;
none keeps a permission of its own. A layer the principal may not see does not exist for it:
``grant_for`` raises ``LayerNotFoundError`` exactly as for a name that was never published.
"""

from __future__ import annotations

import enum
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import MultiPolygon
from django.db.models import Q, QuerySet

from geoshare.access import public_decisions
from geoshare.access.models import Role, Tier
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
    department_code: str = ""  # for the audit trail

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
        profile = _profile_of(user)
        department = profile.department if profile and profile.department_id else None
        return cls(
            user_id=user.pk,
            username=user.get_username(),
            department_id=department.pk if department else None,
            is_superuser=user.is_superuser,
            roles=frozenset([profile.role]) if profile else frozenset(),
            department_code=department.code if department else "",
        )

    @property
    def cache_key(self) -> str:
        """Identifies the view of the data this principal gets, for caches of rendered bytes."""
        if self.is_superuser:
            return "super"
        if self.is_anonymous:
            return "public"
        return f"dept-{self.department_id or 0}"


def _profile_of(user):
    """The user's profile with its department, in one query unless already loaded."""
    from geoshare.access.models import Profile

    cache = user._state.fields_cache
    if "geoshare_profile" not in cache:
        cache["geoshare_profile"] = (
            Profile.objects.select_related("department").filter(user_id=user.pk).first()
        )
    return cache["geoshare_profile"]


@dataclass(frozen=True)
class Grant:
    """The terms on which a principal may use one layer. Engines apply them; protocols pass them on."""

    layer: "Layer"  # noqa: F821 - layers.models.Layer, imported lazily to avoid an app cycle
    action: Action = Action.VIEW
    row_filter: object | None = None  # a pygeofilter AST, applied by the feature engine
    hidden_fields: frozenset[str] = frozenset()
    area_limit: MultiPolygon | None = None  # in the layer's storage CRS
    row_filter_text: str = ""  # the CQL2 the row filter was parsed from, for cache keys

    @property
    def is_unrestricted(self) -> bool:
        return self.row_filter is None and not self.hidden_fields and self.area_limit is None

    @property
    def cache_key(self) -> str:
        """Names the view of the layer this grant gives, for caches of rendered bytes.

        Equal for every principal who sees the layer the same way, so they share cached
        tiles; different whenever the restrictions differ, so no one is served another's.
        """
        if self.is_unrestricted:
            return "full"
        digest = hashlib.sha256()
        digest.update(self.row_filter_text.encode() or repr(self.row_filter).encode())
        digest.update(b"\0" + ",".join(sorted(self.hidden_fields)).encode())
        digest.update(b"\0" + (bytes(self.area_limit.ewkb) if self.area_limit else b""))
        return "r" + digest.hexdigest()[:20]


def max_tier() -> Tier:
    """The deployment ceiling (``GEOSHARE_MAX_TIER``): nothing above it is ever served."""
    return Tier.from_name(settings.GEOSHARE_MAX_TIER)


# Which roles act on their own department's layers without a grant.
_ROLE_ACTIONS = {
    Role.VIEWER: {Action.VIEW, Action.DOWNLOAD},
    Role.EDITOR: {Action.VIEW, Action.DOWNLOAD, Action.EDIT},
    Role.DATA_ADMIN: set(Action),
    Role.PLATFORM_ADMIN: set(Action),
}
_ACTION_RANK = {action: rank for rank, action in enumerate(Action)}


def _is_platform_admin(principal: Principal) -> bool:
    return principal.is_superuser or Role.PLATFORM_ADMIN in principal.roles


def _owns(principal: Principal, action: Action) -> bool:
    return principal.department_id is not None and any(
        action in _ROLE_ACTIONS.get(role, ()) for role in principal.roles
    )


def _applicable_grants(principal: Principal, action: Action):
    from geoshare.access.grants import active
    from geoshare.access.models import LayerGrant

    grantee = Q(user_id=principal.user_id)
    if principal.department_id is not None:
        grantee |= Q(department_id=principal.department_id)
    return active(LayerGrant.objects.filter(grantee, action__in=_including(action)))


def _including(action: Action) -> list[str]:
    """The grant actions that allow ``action``: each includes the ones before it."""
    return [a.value for a in Action if _ACTION_RANK[a] >= _ACTION_RANK[action]]


def visible_layers(principal: Principal, action: Action = Action.VIEW) -> QuerySet:
    """Layers this principal may use for ``action``, the tier ceiling applied.

    One query; compose it with ``.filter()``/``.select_related()``. Unpublished layers are
    visible to nobody through the services (administrators see them in the admin).
    Tiers open public layers to everyone and e-government layers to every government
    user for viewing and downloading; a department uses its own layers as its members'
    roles allow; grants open layers to other departments and users.
    """
    from layers.models import Layer

    layers = Layer.objects.filter(published=True, tier__lte=max_tier())
    if _is_platform_admin(principal):
        return layers
    readable = action in (Action.VIEW, Action.DOWNLOAD)
    if principal.is_anonymous:
        return layers.filter(tier=Tier.PUBLIC) if readable else layers.none()
    allowed = Q(pk__in=_applicable_grants(principal, action).values("layer_id"))
    if readable:
        allowed |= Q(tier__lte=Tier.EGOV)
    if _owns(principal, action):
        allowed |= Q(department_id=principal.department_id)
    return layers.filter(allowed)


_entries: dict[int, object] = {}


def _catalog_entry(pk: int, modified):
    """The Layer row ``pk`` as of ``modified``, kept per process between requests.

    The decision comes from the query in grants_for (for anonymous callers, as kept until
    the catalog changes); only the catalog data is reused here, and any save of the layer
    (``modified`` is auto_now, ``bump()`` sets it) makes the next request read it again.
    Building the object costs more than the query that decides.
    """
    from layers.models import Layer

    layer = _entries.get(pk)
    if layer is None or layer.modified != modified:
        layer = Layer.objects.select_related("department").get(pk=pk)
        if len(_entries) > 10_000:
            _entries.clear()
        _entries[pk] = layer
    return layer


def grant_for(principal: Principal, layer_name: str, action: Action = Action.VIEW) -> Grant:
    """Terms of access to one layer. Raises ``LayerNotFoundError`` as for an unknown name."""
    grant = grants_for(principal, [layer_name], action).get(layer_name)
    if grant is None:
        raise LayerNotFoundError(layer_name)
    return grant


def grants_for(principal: Principal, layer_names, action: Action = Action.VIEW,
               group_members: bool = False) -> dict[str, Grant]:
    """Terms of access to several layers by name, the same as ``grant_for`` gives one by one.

    Names the principal may not see are left out. One query decides for all of them (two
    when grants restrict some), for maps of many layers (WMS LAYERS=a,b,c; layer groups).
    With ``group_members``, names may also be layer groups': their member layers are
    decided in the same query (the groups themselves are not in the answer).
    """
    from geoshare.access.grants import combine

    names = frozenset(layer_names)
    if principal.is_anonymous and len(names) <= 16:  # maps and tiles; a long list is rare
        decided = public_decisions.decided(
            (names, action, group_members, max_tier()),
            lambda: _decide(principal, names, action, group_members))
    else:
        decided = _decide(principal, names, action, group_members)
    layers = [_catalog_entry(pk, modified) for pk, modified in decided]
    granted = [layer.pk for layer in layers if not _open_to(principal, layer, action)]
    by_layer = _grant_terms(principal, action, granted) if granted else {}
    terms = {}
    for layer in layers:
        if _open_to(principal, layer, action):
            terms[layer.name] = Grant(layer=layer, action=action)
        elif layer.pk in by_layer:
            row_filter, row_filter_text, hidden, area = combine(by_layer[layer.pk], layer.srid)
            terms[layer.name] = Grant(layer, action, row_filter, hidden, area, row_filter_text)
    return terms


def _decide(principal: Principal, layer_names, action: Action, group_members: bool = False) -> tuple[tuple, ...]:
    """(pk, modified) of the named layers ``visible_layers`` would give, in one statement.

    The same rule as visible_layers, written as SQL: the ORM takes longer to build that
    queryset than PostgreSQL takes to answer it, and every map tile and feature request
    passes here. tests/access/test_policy.py checks the two agree for every principal,
    layer and action.
    """
    from django.db import connection

    readable = action in (Action.VIEW, Action.DOWNLOAD)
    clauses, params = [], {"ceiling": int(max_tier()), "names": list(layer_names)}
    if _is_platform_admin(principal):
        clauses.append("TRUE")
    elif principal.is_anonymous:
        clauses.append("l.tier = %(public)s" if readable else "FALSE")
        params["public"] = int(Tier.PUBLIC)
    else:
        if readable:
            clauses.append("l.tier <= %(egov)s")
            params["egov"] = int(Tier.EGOV)
        if _owns(principal, action):
            clauses.append("l.department_id = %(department)s")
        clauses.append(
            "l.id IN (SELECT g.layer_id FROM access_layergrant g "
            "WHERE (g.user_id = %(user)s OR g.department_id = %(department)s) "
            "AND g.action = ANY(%(actions)s) AND (g.expires IS NULL OR g.expires > now()))"
        )
        params.update(
            user=principal.user_id, department=principal.department_id,
            actions=_including(action),
        )
    named = "l.name = ANY(%(names)s)"
    if group_members:
        named = (f"({named} OR l.id IN (SELECT m.layer_id FROM layers_layergroupmember m "
                 "JOIN layers_layergroup g ON g.id = m.group_id WHERE g.name = ANY(%(names)s)))")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT l.id, l.modified FROM layers_layer l WHERE l.published "
            f"AND l.tier <= %(ceiling)s AND {named} AND (" + " OR ".join(clauses) + ")",
            params,
        )
        return tuple(cur.fetchall())


def _grant_terms(principal: Principal, action: Action, layer_ids: list[int]) -> dict[int, tuple]:
    """The active grants of ``principal`` for ``action`` on the layers, as GrantTerms."""
    from django.db import connection

    from geoshare.access.grants import GrantTerms

    with connection.cursor() as cur:
        cur.execute(
            "SELECT layer_id, row_filter, hidden_fields, ST_AsBinary(area_limit) "
            "FROM access_layergrant WHERE layer_id = ANY(%(layers)s) "
            "AND (user_id = %(user)s OR department_id = %(department)s) "
            "AND action = ANY(%(actions)s) AND (expires IS NULL OR expires > now()) ORDER BY id",
            {"layers": layer_ids, "user": principal.user_id, "department": principal.department_id,
             "actions": _including(action)},
        )
        by_layer = defaultdict(list)
        for layer_id, row_filter, hidden, area in cur.fetchall():
            by_layer[layer_id].append(
                GrantTerms(row_filter, tuple(hidden), bytes(area) if area is not None else None)
            )
    return {layer_id: tuple(terms) for layer_id, terms in by_layer.items()}


def _open_to(principal: Principal, layer, action: Action) -> bool:
    """Whether tiers, ownership or administration open the layer to the principal fully."""
    readable = action in (Action.VIEW, Action.DOWNLOAD)
    return (
        _is_platform_admin(principal)
        or (readable and (layer.tier == Tier.PUBLIC or (layer.tier == Tier.EGOV and not principal.is_anonymous)))
        or (layer.department_id == principal.department_id and _owns(principal, action))
    )
