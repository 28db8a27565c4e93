"""The parser a scope's callers get: it knows the divisions and the names they may see.

Known names help the parser cut an address where no suffix does (a compound called
江南春堤). It knows only the names the caller could get back, so the parts it returns
say nothing about hidden entries. Parsers are cached per gazetteer revision and scope.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from functools import lru_cache

from django.db import connection
from psycopg import sql

from .build import current_revision
from .keys import without_prefix
from .models import Level, NameForm
from .parser import Parser
from .reference import admin_names, place_prefixes
from .scope import Scope

__all__ = ["parser_for", "strip_places"]

_CACHE_SIZE = 8  # scopes that differ: anonymous, government, a few departments
_cache: OrderedDict[tuple, Parser] = OrderedDict()
_lock = threading.Lock()
_KINDS = {Level.ROAD: "road_names", Level.COMPOUND: "compound_names", Level.POI: "poi_names"}
_REVISION_MAX_AGE = 1.0  # seconds
_last_read = [0, -_REVISION_MAX_AGE]  # revision, when


def parser_for(scope: Scope) -> Parser:
    """A parser knowing the divisions and the names of the entries ``scope`` shows."""
    key = (_revision(), scope.key)
    with _lock:
        parser = _cache.get(key)
        if parser is not None:
            _cache.move_to_end(key)
            return parser
    parser = _build(scope)
    with _lock:
        _cache[key] = parser
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return parser


def _build(scope: Scope) -> Parser:
    names = {kind: [] for kind in _KINDS.values()}
    if not scope.is_empty:
        statement = sql.SQL(
            "SELECT DISTINCT n.level, n.key FROM geocoding_name n "
            "JOIN geocoding_entry e ON e.id = n.entry_id "
            "WHERE n.level = ANY({}) AND n.form = ANY({}) AND {}"
        ).format(
            sql.Literal([int(level) for level in _KINDS]),
            sql.Literal([int(NameForm.NAME), int(NameForm.ALIAS), int(NameForm.FORMER)]),
            scope.where("e"),
        )
        with connection.cursor() as cur:
            cur.execute(statement)
            for level, key in cur.fetchall():
                names[_KINDS[Level(level)]].append(key)
    return Parser(admin_names=admin_names(), **names)


def strip_places(key: str, shortest: int = 2) -> str:
    """A name key without the divisions written before it: 杨舍镇人民中路 -> 人民中路.

    At least ``shortest`` characters are left, or nothing is stripped.
    """
    return without_prefix(key, _place_prefixes(_revision()), shortest)


def _revision() -> int:
    # Read at most once a second per process, to save a query per request: for a second
    # after a rebuild, an address may be cut by the previous gazetteer's names; the
    # entries it is matched against are always the current ones.
    now = time.monotonic()
    if now - _last_read[1] > _REVISION_MAX_AGE:
        _last_read[:] = [current_revision(), now]
    return _last_read[0]


@lru_cache(maxsize=2)
def _place_prefixes(revision: int) -> tuple[str, ...]:
    return place_prefixes(admin_names())
