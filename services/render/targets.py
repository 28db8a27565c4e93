"""From names in a request to what gets drawn: layers and groups, grants and styles.

Every map protocol resolves names here, so a layer the policy hides is unknown to all of
them alike, and a group shows each caller only the members the policy shows that caller.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db import connection
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from geoshare.access import policy
from geoshare.errors import GeoshareError, LayerNotFoundError
from geoshare.geo import BBox
from layers.models import LayerGroup, LayerGroupMember, Style
from layers.styles import default_style_body

__all__ = [
    "StyleNotFoundError", "MapLayer", "Target", "resolve", "resolve_targets", "resolve_target",
    "revision_digest", "group_revisions", "published", "default_style",
    "dataset_target", "DEFAULT_STYLE", "DATASET",
]

DEFAULT_STYLE = "default"


class StyleNotFoundError(GeoshareError, LookupError):
    client_fault = True
    http_status = 404

    def __init__(self, layer: str, style: str, known: Sequence[str], locator: str = "STYLES"):
        super().__init__(
            f"{locator} {style[:80]!r} is not a style of {layer!r}; use one of "
            f"{', '.join(known) or DEFAULT_STYLE}",
            locator,
        )


@dataclass(frozen=True)
class MapLayer:
    """One layer drawn in one style on the terms of one grant."""

    grant: policy.Grant
    style: Style

    @property
    def layer(self):
        return self.grant.layer

    @property
    def key(self) -> tuple:
        """Changes whenever what this layer draws could change."""
        layer = self.layer
        return (layer.pk, layer.data_revision, layer.style_revision, layer.modified, self.style.pk,
                self.style.name, self.style.modified, self.grant.cache_key)


@dataclass(frozen=True)
class Target:
    """What one requested name (a layer or a group) draws for one caller in one style."""

    name: str
    title: str
    style: str  # the style's name ('default' for groups): part of cache keys
    layers: tuple[MapLayer, ...]  # bottom first
    revision: str  # digest of the catalog revisions of every member, seen or not
    is_group: bool = False

    @property
    def extent_4490(self) -> BBox | None:
        """The union of the layers' extents in CGCS2000 lon/lat; None when all are empty."""
        boxes = [ml.layer.extent.extent for ml in self.layers if ml.layer.extent]
        if not boxes:
            return None
        return BBox(min(b[0] for b in boxes), min(b[1] for b in boxes),
                    max(b[2] for b in boxes), max(b[3] for b in boxes), 4490)

    def view_key(self, principal) -> str:
        """Names this view of the data for caches of rendered bytes: '<who>-<terms>-<revision>'.

        The principal's cache key; a digest of which members it sees on which terms (grant
        restrictions); the catalog revision. A data or style change, or another view, is
        another key.
        """
        terms = [(ml.layer.pk, ml.grant.cache_key) for ml in self.layers]
        return f"{principal.cache_key}-{_digest(terms, 12)}-{self.revision}"


def revision_digest(entries) -> str:
    """Digest of (layer, style name or None) pairs' data and style revisions.

    The layer's creation time tells apart a layer made again under the same id (a database
    rebuilt), whose revisions start over.
    """
    return _digest([(layer.pk, int(layer.created.timestamp()), layer.data_revision,
                     layer.style_revision, style or "") for layer, style in entries], 12)


def _digest(value, length: int) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:length]


def resolve_targets(principal, names: Sequence[str], styles: Sequence[str] | None = None,
                    locator: str = "LAYERS", style_locator: str = "STYLES") -> list[Target]:
    """The targets for ``names`` with ``styles`` ('' or None: default), in request order.

    LayerNotFoundError for a name that is neither a visible layer nor a group with a
    visible member; StyleNotFoundError for a style the layer does not have. One query for
    layers (one more when groups are named, two when a group changed) whatever the number
    of names; styles come from this process's memory while their layer's style revision
    stands.
    """
    styles = list(styles or [])
    # One policy query decides the plain layers and the named groups' members; only names
    # it did not answer for can be groups (layer and group names never clash).
    grants = policy.grants_for(principal, names, group_members=True)
    unresolved = [n for n in names if n not in grants]
    groups = _group_shapes(unresolved) if unresolved else {}
    layer_styles = _styles_of([g.layer for g in grants.values()])
    targets = []
    for n, name in enumerate(names):
        style_name = (styles[n] if n < len(styles) else "") or ""
        if name in groups:
            targets.append(_group_target(groups[name], style_name, grants, layer_styles, locator,
                                         style_locator))
        elif name in grants:
            layer = grants[name].layer
            style = _pick_style(layer, style_name, layer_styles, style_locator)
            targets.append(Target(name, layer.title, style.name, (MapLayer(grants[name], style),),
                                  revision_digest([(layer, style.name)])))
        else:
            raise LayerNotFoundError(name, locator)
    return targets


@dataclass(frozen=True)
class _Member:
    layer_name: str
    style_id: int | None


@dataclass(frozen=True)
class _GroupShape:
    """A group's name, title and members, without the layers' own (changing) rows."""

    pk: int
    modified: object
    name: str
    title: str
    members: tuple[_Member, ...]  # drawing order
    revision: str = ""  # of the group and every member layer, seen or not


_GROUPS: dict[str, _GroupShape] = {}
_GROUP_LOCK = threading.Lock()


def _group_shapes(names: Sequence[str]) -> dict[str, _GroupShape]:
    """The groups among ``names``: one query when this process knows their current shape.

    A group's ``modified`` moves whenever it or one of its members is saved or deleted
    (layers/signals.py), so a shape is read again exactly when it changed.
    """
    versions = _group_versions(names)
    with _GROUP_LOCK:
        stale = [n for n, (pk, modified, _) in versions.items()
                 if (shape := _GROUPS.get(n)) is None or (shape.pk, shape.modified) != (pk, modified)]
    if stale:
        members = LayerGroupMember.objects.select_related("layer").order_by("position", "pk")
        loaded = LayerGroup.objects.filter(name__in=stale).prefetch_related(
            Prefetch("members", queryset=members)
        )
        with _GROUP_LOCK:
            for group in loaded:
                _GROUPS[group.name] = _GroupShape(
                    group.pk, group.modified, group.name, group.title,
                    tuple(_Member(m.layer.name, m.style_id) for m in group.members.all()),
                )
    with _GROUP_LOCK:
        return {
            name: replace(_GROUPS[name], revision=_group_revision(*versions[name]))
            for name in versions if name in _GROUPS
        }


# Asked for every map request or tile naming something the policy did not answer as a
# layer (a group, or a name hidden from the caller): written out, because the ORM's
# compilation of the same query cost five times its execution.
_GROUP_VERSIONS = (
    "SELECT g.name, g.id, g.modified, max(l.modified) FROM layers_layergroup g "
    "LEFT JOIN layers_layergroupmember m ON m.group_id = g.id "
    "LEFT JOIN layers_layer l ON l.id = m.layer_id {where} GROUP BY g.id"
)


def _group_versions(names: Sequence[str] | None = None) -> dict[str, tuple]:
    """name → (pk, modified, latest member modified) of the groups among ``names`` (or all)."""
    where, params = ("WHERE g.name = ANY(%s)", [list(names)]) if names is not None else ("", [])
    with connection.cursor() as cur:
        cur.execute(_GROUP_VERSIONS.format(where=where), params)
        return {name: (pk, modified, latest) for name, pk, modified, latest in cur.fetchall()}


def _group_revision(pk: int, modified, latest_member) -> str:
    # Every save of a member layer's data or style moves its ``modified`` (Layer.bump).
    return _digest([pk, modified.isoformat(), latest_member.isoformat() if latest_member else ""], 12)


def resolve_target(principal, name: str, style: str = "", locator: str = "LAYERS",
                   style_locator: str = "STYLES") -> Target:
    return resolve_targets(principal, [name], [style], locator, style_locator)[0]


def resolve(principal, names: Sequence[str], styles: Sequence[str] | None = None,
            locator: str = "LAYERS", style_locator: str = "STYLES") -> list[MapLayer]:
    """The layers to draw for ``names``, groups expanded, bottom first."""
    return [ml for t in resolve_targets(principal, names, styles, locator, style_locator)
            for ml in t.layers]


def _group_target(group: _GroupShape, style_name, grants, layer_styles, locator,
                  style_locator) -> Target:
    if style_name not in ("", DEFAULT_STYLE):
        raise StyleNotFoundError(group.name, style_name, [DEFAULT_STYLE], style_locator)
    layers = []
    for member in group.members:
        grant = grants.get(member.layer_name)
        if grant is None:
            continue  # hidden from this caller: the group shows the rest
        styles = {s.pk: s for s in layer_styles.get(grant.layer.pk, [])}
        style = styles.get(member.style_id) or _pick_style(grant.layer, "", layer_styles, style_locator)
        layers.append(MapLayer(grant, style))
    if not layers:
        raise LayerNotFoundError(group.name, locator)
    return Target(group.name, group.title, DEFAULT_STYLE, tuple(layers), group.revision,
                  is_group=True)


def group_revisions() -> dict[str, str]:
    """The current revision digest of every group, as targets carry them (for pruning)."""
    return {name: _group_revision(*version) for name, version in _group_versions().items()}


def _styles_of(layers) -> dict[int, list[Style]]:
    """Each layer's styles, from this process's memory when its style revision is unchanged.

    The layer rows come from the policy's query of this request, so their style_revision
    is current; every style saved or deleted moves it on (layers/signals.py).
    """
    by_layer: dict[int, list[Style]] = {}
    missing = {}
    with _STYLE_LOCK:
        for layer in layers:
            cached = _STYLES.get(_style_key(layer))
            if cached is None:
                missing[layer.pk] = layer
            else:
                by_layer[layer.pk] = cached
    if missing:
        loaded: dict[int, list[Style]] = {pk: [] for pk in missing}
        for style in Style.objects.filter(layer_id__in=list(missing)):
            loaded[style.layer_id].append(style)
        with _STYLE_LOCK:
            for pk, styles in loaded.items():
                _STYLES[_style_key(missing[pk])] = styles
                _STYLES.move_to_end(_style_key(missing[pk]))
            while len(_STYLES) > _STYLES_KEPT:
                _STYLES.popitem(last=False)
        by_layer.update(loaded)
    return by_layer


def _style_key(layer) -> tuple:
    # The modification time too: a revision number can come back after a rollback.
    return (layer.pk, layer.style_revision, layer.modified)


_STYLES: OrderedDict[tuple, list[Style]] = OrderedDict()
_STYLES_KEPT = 2048
_STYLE_LOCK = threading.Lock()


def _pick_style(layer, name: str, layer_styles, locator: str) -> Style:
    styles = layer_styles.get(layer.pk, [])
    if not name:
        found = next((s for s in styles if s.is_default), styles[0] if styles else None)
        return found or _fallback_style(layer)
    found = next((s for s in styles if s.name == name), None)
    if found is None and name == DEFAULT_STYLE:
        return _pick_style(layer, "", layer_styles, locator)
    if found is None:
        raise StyleNotFoundError(layer.name, name, [s.name for s in styles], locator)
    return found


def _fallback_style(layer) -> Style:
    # A layer made outside the importer may have no style yet: draw it plainly meanwhile.
    return Style(layer=layer, name=DEFAULT_STYLE, title=_("Default"),
                 body=default_style_body(layer), is_default=True)


def published(principal) -> tuple[list, list[tuple]]:
    """What capabilities documents list for ``principal``: (layers, [(group, members)]).

    Layers come with department and styles; each group with the (layer, style) pairs the
    policy shows, in drawing order, and groups with none left out. Five queries in all.
    """
    layers = list(
        policy.visible_layers(principal).select_related("department")
        .prefetch_related("styles").order_by("kind", "name")
    )
    by_pk = {layer.pk: layer for layer in layers}
    members = LayerGroupMember.objects.select_related("style").order_by("position", "pk")
    groups = []
    for group in LayerGroup.objects.prefetch_related(Prefetch("members", queryset=members)):
        visible = [
            (by_pk[m.layer_id], m.style or default_style(by_pk[m.layer_id]))
            for m in group.members.all() if m.layer_id in by_pk
        ]
        if visible:
            groups.append((group, visible))
    return layers, groups


def default_style(layer) -> Style:
    """The default style of a layer whose styles are prefetched (or loaded here)."""
    return _pick_style(layer, "", {layer.pk: list(layer.styles.all())}, "STYLES")


DATASET = "_dataset"  # cannot clash with a layer name, which starts with a letter
_GEOMETRY_ORDER = {"MultiPolygon": 1, "Polygon": 1, "MultiLineString": 2, "LineString": 2}


def dataset_target(principal, title: str) -> Target:
    """Every layer ``principal`` may see in its default style: rasters at the bottom, then
    polygons, lines and points. The revision covers every published layer, seen or not."""
    from layers.models import Layer

    names = policy.visible_layers(principal).values_list("name", flat=True)
    grants = policy.grants_for(principal, list(names))
    ordered = sorted(grants.values(), key=lambda g: (
        g.layer.is_vector, _GEOMETRY_ORDER.get(g.layer.geometry_type, 3), g.layer.kind, g.layer.name,
    ))
    if not ordered:
        raise LayerNotFoundError(DATASET, "collections")
    layer_styles = _styles_of([g.layer for g in ordered])
    layers = tuple(MapLayer(g, _pick_style(g.layer, "", layer_styles, "style")) for g in ordered)
    everything = Layer.objects.filter(published=True).only("pk", "created", "data_revision", "style_revision")
    return Target(DATASET, title, DEFAULT_STYLE, layers,
                  revision_digest([(layer, None) for layer in everything.order_by("pk")]),
                  is_group=True)
