"""Autocomplete for a search box: names by prefix or pinyin initials, house numbers by prefix.

``ysz`` and ``yangshe`` find 杨舍镇, ``梁丰`` finds 梁丰花园, ``人民中路8`` finds 人民中路8号,
80号, 88号…; a leading 张家港市 or 杨舍镇 is looked past. One indexed query per keystroke
(two when the text ends in a number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from psycopg import sql

from .keys import name_key
from .models import NAMED_LEVELS, Level
from .parsers import strip_places
from .scope import Scope

__all__ = ["Suggestion", "suggest", "MAX_SUGGEST_LENGTH"]

MAX_SUGGEST_LENGTH = 60
_PINYIN = re.compile(r"[a-z][a-z0-9]*")
_NAME_AND_NUMBER = re.compile(r"(.+?)([0-9]+)号?")
_FETCH = 60  # rows looked at before duplicates of one entry are folded


@dataclass(frozen=True)
class Suggestion:
    entry_id: int
    level: Level
    text: str  # what the box shows: the name, or name and number
    address: str
    lon: float
    lat: float
    layer: str


def suggest(text: str, scope: Scope, limit: int = 10) -> list[Suggestion]:
    """Completions for ``text`` (already checked to be short), best first."""
    if scope.is_empty:
        return []
    typed = text.strip().lower()
    with connection.cursor() as cur:
        if _PINYIN.fullmatch(typed):
            where = sql.SQL("(n.initials LIKE {0} OR n.pinyin LIKE {0})").format(
                sql.Literal(_escape(typed) + "%")
            )
            return _names(cur, where, scope, limit)
        key = name_key(text)
        if not key:
            return []
        # 杨舍镇人民中路: the name may start after the divisions, or may contain them.
        keys = list(dict.fromkeys((key, strip_places(key, shortest=1))))
        found = []
        for candidate in keys:
            numbered = _NAME_AND_NUMBER.fullmatch(candidate)
            if numbered and len(found) < limit:
                found += _numbers(cur, numbered.group(1), numbered.group(2), scope, limit)
        if len(found) >= limit:
            return found[:limit]
        where = sql.SQL("n.key LIKE ANY({})").format(sql.Literal([_escape(k) + "%" for k in keys]))
        return (found + _names(cur, where, scope, limit))[:limit]


def _names(cur, where: sql.Composable, scope: Scope, limit: int) -> list[Suggestion]:
    cur.execute(
        sql.SQL(
            "SELECT e.id, e.level, e.name, e.address, ST_X(e.point), ST_Y(e.point), e.layer_id "
            "FROM geocoding_name n JOIN geocoding_entry e ON e.id = n.entry_id "
            "WHERE {where} AND n.level IN ({levels}) AND {scope} "
            "ORDER BY e.weight DESC, n.form, length(n.key), e.id LIMIT {fetch}"
        ).format(
            where=where, levels=sql.SQL(", ").join(sql.Literal(int(v)) for v in NAMED_LEVELS),
            scope=scope.where("e"), fetch=sql.Literal(_FETCH),
        )
    )
    suggestions, seen = [], set()
    for entry_id, level, name, address, x, y, layer_id in cur.fetchall():
        if entry_id in seen:
            continue
        seen.add(entry_id)
        suggestions.append(
            Suggestion(entry_id, Level(level), name, address, x, y, scope.layer_names[layer_id])
        )
        if len(suggestions) == limit:
            break
    return suggestions


def _numbers(cur, name: str, digits: str, scope: Scope, limit: int) -> list[Suggestion]:
    """House numbers (or buildings) starting with ``digits`` on the road (compound) ``name``."""
    cur.execute(
        sql.SQL(
            "SELECT e.id, e.level, a.name, e.number, e.building, e.address, ST_X(e.point), "
            "ST_Y(e.point), e.layer_id FROM geocoding_name n "
            "JOIN geocoding_entry a ON a.id = n.entry_id "
            "JOIN geocoding_entry e ON e.anchor_id = a.id AND ("
            "(e.level = {house} AND e.number LIKE {prefix}) OR "
            "(e.level = {building} AND e.building LIKE {prefix})) "
            "WHERE n.key = {name} AND n.form <= 2 AND {anchor_scope} AND {scope} "
            "ORDER BY length(e.number) + length(e.building), e.number_int, e.building LIMIT {limit}"
        ).format(
            house=sql.Literal(int(Level.HOUSE_NUMBER)), building=sql.Literal(int(Level.BUILDING)),
            prefix=sql.Literal(digits + "%"), name=sql.Literal(name),
            anchor_scope=scope.where("a"), scope=scope.where("e"), limit=sql.Literal(limit),
        )
    )
    return [
        Suggestion(
            entry_id, Level(level), f"{anchor}{number}号" if number else f"{anchor}{building}幢",
            address, x, y, scope.layer_names[layer_id],
        )
        for entry_id, level, anchor, number, building, address, x, y, layer_id in cur.fetchall()
    ]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
