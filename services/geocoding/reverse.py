"""Reverse geocoding: the address nearest a point, and the divisions the point lies in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from psycopg import sql

from .address import ParsedAddress
from .divisions import AdminLevel
from .matcher import HIT_COLUMNS, Candidate, Hit, entry_candidate
from .models import ADDRESS_LEVELS, DIVISION_LEVELS, Level
from .parsers import parser_for
from .scope import Scope, level_list

__all__ = ["Division", "ReverseResult", "reverse"]

# Nearest by the GiST index is nearest in degrees; a few more are re-ranked in metres,
# since a degree of longitude is shorter than one of latitude away from the equator.
_KNN = 8


@dataclass(frozen=True)
class Division:
    level: Level
    name: str
    code: str


@dataclass(frozen=True)
class ReverseResult:
    nearest: Candidate | None
    distance_m: float | None
    divisions: tuple[Division, ...]  # broadest first


def reverse(lon: float, lat: float, scope: Scope, *, radius_m: float = 1000.0) -> ReverseResult:
    """The nearest address within ``radius_m`` of a CGCS2000 point, and its division chain."""
    point = sql.SQL("ST_SetSRID(ST_MakePoint({}, {}), 4490)").format(
        sql.Literal(float(lon)), sql.Literal(float(lat))
    )
    nearest, distance = None, None
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL(
                "SELECT near.*, coalesce(a.name, '') FROM (SELECT {hit}, "
                "ST_Distance(e.point::geography, {p}::geography) AS metres "
                "FROM geocoding_entry e WHERE e.level IN ({levels}) AND {scope} "
                "ORDER BY e.point <-> {p} LIMIT {knn}) near "
                "LEFT JOIN geocoding_entry a ON a.id = near.anchor_id "
                "ORDER BY near.metres, near.level DESC LIMIT 1"
            ).format(
                hit=HIT_COLUMNS,
                p=point,
                levels=level_list(ADDRESS_LEVELS),
                scope=scope.where("e"),
                knn=sql.Literal(_KNN),
            )
        )
        row = cur.fetchone()
        if row is not None and row[-2] <= radius_m:
            *columns, distance, anchor = row
            nearest = entry_candidate(Hit(*columns), anchor, scope)
        cur.execute(
            sql.SQL(
                "SELECT e.level, e.name, e.code FROM geocoding_entry e "
                "WHERE e.level IN ({levels}) AND e.geom IS NOT NULL AND ST_Intersects(e.geom, {p}) "
                "AND {scope} ORDER BY e.level"
            ).format(p=point, levels=level_list(DIVISION_LEVELS), scope=scope.where("e"))
        )
        found = {Level(level): (name, code) for level, name, code in cur.fetchall()}
    if nearest is not None:
        # Outside every mapped area (or without areas), the nearest address still says where.
        for level in (Level.DISTRICT, Level.TOWN, Level.COMMUNITY):
            name = nearest.components.get(level.name.lower())
            if name and level not in found:
                found[level] = (name, "")
    return ReverseResult(nearest, distance, _chain(found, scope))


def _chain(found: dict[Level, tuple[str, str]], scope: Scope) -> tuple[Division, ...]:
    """The divisions found, completed upwards with the ones above them by name."""
    if not found:
        return ()
    parser = parser_for(scope)
    written = {Level(level).name.lower(): name for level, (name, _) in found.items()}
    completed = parser.complete_admin(ParsedAddress(**written))
    chain = []
    for level in DIVISION_LEVELS:
        name = getattr(completed, level.name.lower())
        if not name:
            continue
        code = found.get(level, ("", ""))[1] or next(
            (d.code for d in parser.divisions(name) if d.level == AdminLevel(int(level))), ""
        )
        chain.append(Division(level, name, code))
    return tuple(chain)
