"""Which gazetteer entries a caller may get back, decided by ``geoshare.access.policy``.

An entry answers only if the caller may see its source layer; under a restricted
grant, only if its source feature, and every piece merged into it, passes the grant's
row filter and area limit (the feature engine's own restricted table decides) and its
point lies in the area.

``Scope.where`` carries the grant's row filter as SQL text, where a LIKE pattern may
hold a ``%``: the statements that use it are composed whole, values as ``sql.Literal``,
never with ``%s`` placeholders, which would read that ``%`` as one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from psycopg import sql

from geoshare.access import policy
from layers.features import feature_source

from .models import COLUMN_FIELDS

__all__ = ["Scope", "scope_for", "level_list"]


@dataclass(frozen=True)
class _Restricted:
    layer_id: int
    features: sql.Composable  # (SELECT fid, geom … WHERE <grant>) of the source table
    area_ewkb: bytes | None  # the grant's area limit in CGCS2000


@dataclass(frozen=True)
class Scope:
    """The layers a caller sees whole, and those seen through a restricted grant."""

    layer_names: dict[int, str]
    whole: tuple[int, ...]
    restricted: tuple[_Restricted, ...]
    key: str  # equal for callers who see the same entries: for caches

    @property
    def is_empty(self) -> bool:
        return not self.layer_names

    def where(self, alias: str = "e") -> sql.Composable:
        """A boolean SQL expression: the entry ``alias`` may be returned."""
        table = sql.Identifier(alias)
        clauses: list[sql.Composable] = []
        if self.whole:
            clauses.append(
                sql.SQL("{}.layer_id = ANY({})").format(table, sql.Literal(list(self.whole)))
            )
        for restricted in self.restricted:
            clause = sql.SQL(
                "{t}.layer_id = {id} AND {t}.fid IN (SELECT fid FROM {features} r) "
                "AND NOT EXISTS (SELECT 1 FROM unnest({t}.pieces) AS p(fid) "
                "WHERE p.fid NOT IN (SELECT fid FROM {features} r))"
            ).format(t=table, id=sql.Literal(restricted.layer_id), features=restricted.features)
            if restricted.area_ewkb is not None:
                clause += sql.SQL(" AND ST_Intersects({}.point, ST_GeomFromEWKB({}))").format(
                    table, sql.Literal(restricted.area_ewkb)
                )
            clauses.append(sql.SQL("({})").format(clause))
        if not clauses:
            return sql.SQL("FALSE")
        return sql.SQL("({})").format(sql.SQL(" OR ").join(clauses))


def scope_for(principal: policy.Principal, action: policy.Action = policy.Action.VIEW) -> Scope:
    """The scope of ``principal`` over the layers the gazetteer is built from.

    ``action`` is VIEW for answers on screen and DOWNLOAD for answers taken away (batch
    results). A layer whose grant hides a column its entries are made from does not
    answer at all: the hidden value would be in the standard address.
    """
    read = _mapped_columns()
    grants = policy.grants_for(principal, list(read), action).values()
    names, whole, restricted, key_parts = {}, [], [], [action.value]
    for grant in sorted(grants, key=lambda g: g.layer.pk):
        layer = grant.layer
        if read[layer.name] & set(grant.hidden_fields):
            continue
        names[layer.pk] = layer.name
        key_parts.append(f"{layer.pk}:{grant.cache_key}")
        if grant.is_unrestricted:
            whole.append(layer.pk)
            continue
        area = None
        if grant.area_limit is not None:
            area = bytes(grant.area_limit.transform(4490, clone=True).ewkb)
        features = feature_source(layer).restricted_table(grant, columns=[])
        restricted.append(_Restricted(layer.pk, features, area))
    key = hashlib.sha256(",".join(key_parts).encode()).hexdigest()[:24]
    return Scope(names, tuple(whole), tuple(restricted), key)


def _mapped_columns() -> dict[str, set[str]]:
    """The columns the field mappings read, by layer name; one statement (every request asks)."""
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL(
                "SELECT l.name, array_remove(ARRAY[{}], '') FROM geocoding_fieldmapping m "
                "JOIN layers_layer l ON l.id = m.layer_id"
            ).format(sql.SQL(", ").join(sql.Identifier("m", field) for field in COLUMN_FIELDS))
        )
        read = defaultdict(set)
        for name, columns in cur.fetchall():
            read[name].update(columns)
    return read


def level_list(levels) -> sql.Composable:
    """``levels`` as an SQL list of literals (``IN ({})``): the planner matches literal
    values with the conditions of the entry table's partial indexes, not parameters."""
    return sql.SQL(", ").join(sql.Literal(int(level)) for level in levels)
