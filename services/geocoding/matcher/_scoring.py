"""How much each answer is worth, and the ranking of a query's answers."""

from __future__ import annotations

import math
from dataclasses import replace

from ..address import ParsedAddress
from ..models import NAMED_LEVELS, Level
from ..scope import Scope
from ._types import Bias, Candidate, Found, Hit, Query

__all__ = [
    "INTERPOLATED",
    "NEAREST_ONLY",
    "admin_components",
    "candidate_of",
    "completeness",
    "consistent",
    "keep",
    "ranked",
    "scored_anchor",
    "scored_hit",
]

# What an answer shallower than the address asked for is still worth: a unit for a
# room loses a little per level; a road for a house number (or a compound for a
# building) is a different kind of answer; a division alone, when names were
# written, is the last resort.
_PER_MISSING_LEVEL = 0.92
_NAME_INSTEAD = 0.6
_DIVISION_INSTEAD = 0.4
INTERPOLATED = 0.85
NEAREST_ONLY = 0.7
_WRONG_TOWN = 0.85
_UNKNOWN_TOWN = 0.97
_WRONG_COMMUNITY = 0.96
_WRONG_DISTRICT = 0.95


def completeness(wanted: Level, found: Level) -> float:
    if found >= wanted:
        return 1.0
    if found <= Level.COMMUNITY:
        return _DIVISION_INSTEAD
    if found in (Level.ROAD, Level.POI, Level.COMPOUND):
        return _NAME_INSTEAD
    return _PER_MISSING_LEVEL ** (wanted - found)


def scored_anchor(hit: Hit, score: float, query: Query) -> Found:
    wanted = query.deepest
    if hit.level <= Level.COMMUNITY and query.names_written:
        wanted = Level.ROAD  # a name was written: the division alone is not what was meant
    return scored_hit(hit, score * completeness(wanted, hit.level), "", query.parsed)


def scored_hit(hit: Hit, score: float, anchor_name: str, parsed: ParsedAddress) -> Found:
    score = consistent(score, hit, parsed)
    return Found(score, hit.level, False, hit.id, hit.x, hit.y, hit, anchor_name, None)


def candidate_of(found: Found, score: float, scope: Scope) -> Candidate:
    if found.made is not None:
        return replace(found.made, score=score)
    hit, level = found.hit, Level(found.level)
    components = admin_components(hit)
    if level in NAMED_LEVELS:
        components["name"] = hit.name
    if level == Level.HOUSE_NUMBER:
        components.update(road=found.anchor_name, number=hit.number)
    elif level >= Level.BUILDING:
        components.update(compound=found.anchor_name, building=hit.building)
        if hit.unit:
            components["unit"] = hit.unit
        if hit.room:
            components["room"] = hit.room
    return Candidate(
        hit.id,
        level,
        score,
        hit.address,
        hit.x,
        hit.y,
        scope.layer_names[hit.layer_id],
        False,
        components,
    )


def admin_components(hit: Hit) -> dict:
    return {k: getattr(hit, k) for k in ("district", "town", "community") if getattr(hit, k)}


def consistent(score: float, hit: Hit, parsed: ParsedAddress) -> float:
    """Lower the score of an entry in another town, community or district than written."""
    if parsed.town and hit.level != Level.TOWN:
        if not hit.town:
            score *= _UNKNOWN_TOWN
        elif hit.town != parsed.town:
            score *= _WRONG_TOWN
    if parsed.community and hit.community and hit.community != parsed.community:
        if hit.level != Level.COMMUNITY:
            score *= _WRONG_COMMUNITY
    if parsed.district and hit.district and hit.district != parsed.district:
        score *= _WRONG_DISTRICT
    return score


def keep(query: Query, found: Found, key: object = None) -> None:
    key = found.entry_id if key is None else key
    known = query.found.get(key)
    if known is None or known.score < found.score:
        query.found[key] = found


def ranked(query: Query, scope: Scope, limit: int, bias: Bias) -> tuple[Candidate, ...]:
    scored = [
        (round(found.score * _bias_factor(found.lon, found.lat, bias), 4), found)
        for found in query.found.values()
    ]
    scored.sort(key=lambda s: (-s[0], -s[1].level, s[1].interpolated, s[1].entry_id))
    return tuple(candidate_of(found, score, scope) for score, found in scored[:limit])


def _bias_factor(lon: float, lat: float, bias: Bias) -> float:
    factor = 1.0
    if bias.bbox is not None:
        minx, miny, maxx, maxy = bias.bbox
        if not (minx <= lon <= maxx and miny <= lat <= maxy):
            factor *= 0.9
    if bias.near is not None:
        km = _km(bias.near, (lon, lat))
        factor *= 1 - 0.1 * min(1.0, km / 20)
    return factor


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    # An equirectangular distance is plenty to rank by within a city.
    mean_lat = math.radians((a[1] + b[1]) / 2)
    dx = math.radians(b[0] - a[0]) * math.cos(mean_lat)
    dy = math.radians(b[1] - a[1])
    return 6371.0 * math.hypot(dx, dy)
