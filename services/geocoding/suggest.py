"""Autocomplete for a search box: names by prefix or pinyin, house numbers by prefix.

``ysz`` and ``yangshe`` find 杨舍镇, ``梁丰`` finds 梁丰花园, ``人民中路8`` finds 人民中路8号,
80号, 81号…; a leading 张家港市 or 杨舍镇 is looked past. Short beginnings are read from
the prefix table in weight order, so the commonest (杨, y) cost no more than the rarest;
longer text is a range scan of whole names, which few match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from psycopg import sql

from .keys import MAX_PREFIX, name_key
from .models import NAMED_LEVELS, Level, NameForm
from .parsers import strip_places
from .scope import Scope, level_list

__all__ = ["MAX_SUGGEST_LENGTH", "Suggestion", "suggest"]

MAX_SUGGEST_LENGTH = 60
_PINYIN = re.compile(r"[a-z][a-z0-9]*")
_NAME_AND_NUMBER = re.compile(r"(.+?)([0-9]+)号?")
_FETCH = 60  # rows looked at before several forms of one entry are folded into one
_ENTRY = sql.SQL("e.id, e.level, e.name, e.address, ST_X(e.point), ST_Y(e.point), e.layer_id")


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
            return _names(cur, [typed], scope, limit, letters=True)
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
        return (found + _names(cur, keys, scope, limit, letters=False))[:limit]


def _names(cur, keys: list[str], scope: Scope, limit: int, letters: bool) -> list[Suggestion]:
    parts = []
    for key in keys:
        if len(key) <= MAX_PREFIX["pinyin" if letters else "name"]:
            parts.append(
                sql.SQL(
                    "(SELECT {entry}, p.weight FROM geocoding_prefix p "
                    "JOIN geocoding_entry e ON e.id = p.entry_id "
                    "WHERE p.prefix = {key} AND {scope} "
                    "ORDER BY p.weight DESC, p.entry_id LIMIT {fetch})"
                ).format(
                    entry=_ENTRY,
                    key=sql.Literal(key),
                    scope=scope.where("e"),
                    fetch=sql.Literal(_FETCH),
                )
            )
        else:
            columns = ("n.initials", "n.pinyin") if letters else ("n.key",)
            match = sql.SQL(" OR ").join(
                sql.SQL("{} LIKE {}").format(sql.SQL(c), sql.Literal(_escape(key) + "%"))
                for c in columns
            )
            parts.append(
                sql.SQL(
                    "(SELECT {entry}, e.weight FROM geocoding_name n "
                    "JOIN geocoding_entry e ON e.id = n.entry_id WHERE ({match}) "
                    "AND n.level IN ({levels}) AND {scope} "
                    "ORDER BY e.weight DESC, e.id LIMIT {fetch})"
                ).format(
                    entry=_ENTRY,
                    match=match,
                    scope=scope.where("e"),
                    fetch=sql.Literal(_FETCH),
                    levels=level_list(NAMED_LEVELS),
                )
            )
    cur.execute(
        sql.SQL("SELECT * FROM ({}) found ORDER BY 8 DESC, 1").format(
            sql.SQL(" UNION ALL ").join(parts)
        )
    )
    suggestions, seen = [], set()
    for entry_id, level, name, address, x, y, layer_id, _ in cur.fetchall():
        if entry_id not in seen:
            seen.add(entry_id)
            suggestions.append(
                Suggestion(entry_id, Level(level), name, address, x, y, scope.layer_names[layer_id])
            )
    return suggestions[:limit]


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
            "WHERE n.key = {name} AND n.form <= {former} AND {anchor_scope} AND {scope} "
            "ORDER BY length(e.number) + length(e.building), e.number_int, e.building LIMIT {limit}"
        ).format(
            house=sql.Literal(int(Level.HOUSE_NUMBER)),
            building=sql.Literal(int(Level.BUILDING)),
            prefix=sql.Literal(digits + "%"),
            name=sql.Literal(name),
            former=sql.Literal(int(NameForm.FORMER)),  # the name, an alias or a former name
            anchor_scope=scope.where("a"),
            scope=scope.where("e"),
            limit=sql.Literal(limit),
        )
    )
    return [
        Suggestion(
            entry_id,
            Level(level),
            f"{anchor}{number}号" if number else f"{anchor}{building}幢",
            address,
            x,
            y,
            scope.layer_names[layer_id],
        )
        for entry_id, level, anchor, number, building, address, x, y, layer_id in cur.fetchall()
    ]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
