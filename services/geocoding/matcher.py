"""Forward geocoding: addresses to ranked gazetteer entries, many addresses at a time.

Each step runs one SQL statement for the whole batch, so a thousand addresses cost
about as many round trips as one:

1. names written in the addresses (roads, compounds, POIs, divisions) are looked up
   by exact key, then by one-typo variants, then by trigram similarity (pg_trgm);
2. house numbers, buildings, units and rooms are looked up on the names found, by
   exact keys;
3. a house number that is not in the gazetteer is interpolated between its
   neighbours on the same side of the same road.

Every statement carries the caller's ``Scope``: entries the caller may not see take
no part, not even as a name to hang a number on.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

import shapely
from django.db import connection
from psycopg import sql

from .address import ParsedAddress
from .divisions import committee_forms
from .keys import (
    Form,
    form_score,
    name_key,
    query_forms,
    typo_distance,
    typo_likeness,
    variants,
)
from .models import Level
from .parsers import parser_for
from .scope import Scope
from .standard import standard_address

__all__ = ["Bias", "Candidate", "Match", "geocode"]

_MAX_ANCHORS = 8  # names kept per written name before numbers are looked up
_TRIGRAM_LIMIT = 6
# One character replaced scores a little above one added or left out: a tie between
# 暨阳华苑 -> 暨阳花苑 and -> 暨阳苑 goes to the name of the same length.
_TYPO_SCORE = {0: 1.0, 1: 0.86, 2: 0.78}
_LENGTH_CHANGED = 0.99
_HOMOPHONE_BONUS = 0.02
_TRIGRAM_WEIGHT = 0.8  # times the square root of the similarity, which runs low for CJK
# How well an entry of one level answers a name written where another was expected.
_KIND_FIT = {
    "road": {Level.ROAD: 1.0, Level.COMPOUND: 0.8, Level.POI: 0.8},
    "compound": {Level.COMPOUND: 1.0, Level.POI: 0.95, Level.ROAD: 0.75},
    "poi": {Level.POI: 1.0, Level.COMPOUND: 0.95, Level.ROAD: 0.75},
    "town": {Level.TOWN: 1.0},
    "community": {Level.COMMUNITY: 1.0},
    "district": {Level.DISTRICT: 1.0},
}
_NAME_SLOTS = ("road", "compound", "poi")
_COMMITTEE = re.compile("委会|委员会")
_COMMITTEE_TYPO = re.compile(".{0,2}会")  # 民乐村到会: 委会 with a slip
_BESIDE_A_LANE = 0.97
_PART_OF_A_NAME = 0.95
_LAST_RESORT = 0.5
_ADMIN_SLOTS = ("community", "town", "district")
# What an answer shallower than the address asked for is still worth: a unit for a
# room loses a little per level; a road for a house number (or a compound for a
# building) is a different kind of answer; a division alone, when names were
# written, is the last resort.
_PER_MISSING_LEVEL = 0.92
_NAME_INSTEAD = 0.6
_DIVISION_INSTEAD = 0.4
_INTERPOLATED = 0.85
_NEAREST_ONLY = 0.7
# A number this far past the last one known on its side is not guessed at.
_MAX_EXTRAPOLATION = 10
_WRONG_TOWN = 0.85
_UNKNOWN_TOWN = 0.97
_WRONG_COMMUNITY = 0.96
_WRONG_DISTRICT = 0.95

_HIT_COLUMNS = sql.SQL(
    "e.id, e.level, e.layer_id, e.anchor_id, e.name, e.number, e.number_int, e.building, "
    "e.unit, e.room, e.district, e.town, e.community, e.address, ST_X(e.point), "
    "ST_Y(e.point), e.weight"
)


class _Hit(NamedTuple):
    id: int
    level: int
    layer_id: int
    anchor_id: int | None
    name: str
    number: str
    number_int: int | None
    building: str
    unit: str
    room: str
    district: str
    town: str
    community: str
    address: str
    x: float
    y: float
    weight: int


@dataclass(frozen=True)
class Bias:
    """Prefer candidates inside ``bbox`` or near ``near`` (CGCS2000 lon/lat)."""

    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float] | None = None


@dataclass(frozen=True)
class Candidate:
    """One answer: a gazetteer entry, or a point interpolated on a road."""

    entry_id: int
    level: Level
    score: float
    address: str
    lon: float
    lat: float
    layer: str
    interpolated: bool = False
    components: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """The answers to one address, best first."""

    text: str
    parsed: ParsedAddress
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class _Found(NamedTuple):
    score: float
    level: int
    interpolated: bool
    entry_id: int
    lon: float
    lat: float
    hit: _Hit | None  # None for an interpolated number, which comes ready as ``made``
    anchor_name: str
    made: Candidate | None


@dataclass
class _Probe:
    query: int
    slot: str
    text: str
    forms: list[tuple[Form, str]]
    weight: float = 1.0  # below 1 when a more specific name was written beside this one
    guessed: bool = False  # read into the address by the matcher, not written as a name
    anchors: dict[int, tuple[_Hit, float]] = field(default_factory=dict)

    def offer(self, hit: _Hit, score: float) -> None:
        fit = _KIND_FIT[self.slot].get(hit.level)
        if fit is None:
            return
        score *= fit * self.weight
        known = self.anchors.get(hit.id)
        if known is None or known[1] < score:
            self.anchors[hit.id] = (hit, score)

    def best(self) -> list[tuple[_Hit, float]]:
        ranked = sorted(self.anchors.values(), key=lambda a: (-a[1], -a[0].weight, a[0].id))
        return ranked[:_MAX_ANCHORS]


@dataclass
class _Query:
    text: str
    parsed: ParsedAddress
    probes: list[_Probe] = field(default_factory=list)
    # What was found, by entry id (or interpolated number), before it is ranked: answers
    # are made into Candidates only for the few that are returned.
    found: dict[object, _Found] = field(default_factory=dict)

    def __post_init__(self):
        self.deepest = _deepest(self.parsed)

    @cached_property
    def names_written(self) -> bool:
        """Whether a road, compound or other name was written, not only divisions."""
        return any(p.slot not in _ADMIN_SLOTS and not p.guessed for p in self.probes)


def geocode(
    texts: Sequence[str], scope: Scope, *, limit: int = 5, bias: Bias | None = None
) -> list[Match]:
    """Geocode each text; one ``Match`` per text, in order, with at most ``limit`` candidates.

    Texts are expected to be within the parser's length limit (the API checks).
    """
    parser = parser_for(scope)
    queries = [_Query(text, parser.parse(text)) for text in texts]
    if scope.is_empty:
        return [Match(q.text, q.parsed, ()) for q in queries]
    for index, query in enumerate(queries):
        query.probes = _probes(index, query.parsed, query.text)
    probes = [probe for query in queries for probe in query.probes]
    with connection.cursor() as cur:
        _Names(cur, scope).resolve(probes)
        _Numbers(cur, scope, queries).find()
    return [
        Match(q.text, q.parsed, _ranked(q, scope, limit, bias or Bias())) for q in queries
    ]


def _probes(index: int, parsed: ParsedAddress, text: str) -> list[_Probe]:
    """The names written in one address, each with the keys to look it up by."""
    probes = []
    for slot in _NAME_SLOTS:
        name = getattr(parsed, slot)
        if slot == "poi" and not name and not (parsed.road or parsed.compound):
            name = parsed.remainder  # an unplaced name may still be a known one
        if name:
            probes.append(_Probe(index, slot, name, query_forms(name, slot)))
    if parsed.lane:
        # 人民路88弄 is a lane of its own, and what was meant; a named lane (青草巷) may be
        # known alone.
        for probe in probes:
            probe.weight = _BESIDE_A_LANE if probe.slot == "road" else probe.weight
        names = [parsed.road + parsed.lane]
        if not parsed.lane[0].isdigit():
            names.append(parsed.lane)
        probes += [_Probe(index, "road", name, query_forms(name, "road")) for name in names]
    if parsed.poi and parsed.remainder and not parsed.remainder[0].isdigit():
        # 实验小学应急避难场所: a name with two suffixes, cut in two by the parser. The first
        # half alone leaves text unexplained, so it counts a little less.
        for probe in probes:
            probe.weight *= _PART_OF_A_NAME if probe.slot == "poi" else 1
        name = parsed.poi + parsed.remainder.replace(" ", "")
        probes.append(_Probe(index, "poi", name, [(Form.NAME, name_key(name))]))
    if parsed.village_group and parsed.community and not parsed.road:
        # 兆丰村5组12号: the village group is where its houses are numbered. A zone's
        # community may carry the zone's name (张家港市冶金工业园虚拟社区).
        for name in dict.fromkeys((parsed.community, parsed.town + parsed.community)):
            group = f"{name}{parsed.village_group}组"
            probes.append(_Probe(index, "road", group, [(Form.NAME, group)]))
    if parsed.poi and parsed.town and not parsed.compound:
        # 杨舍镇政府: the town is part of the name that is meant.
        name = parsed.town + parsed.poi
        probes.append(_Probe(index, "poi", name, [(Form.NAME, name_key(name))]))
    if parsed.community and not (parsed.road or parsed.compound or parsed.number):
        if _COMMITTEE.search(text) or _COMMITTEE_TYPO.fullmatch(parsed.poi or parsed.remainder):
            # 红联村委会 names the committee's office, not only the village.
            offices = sorted(committee_forms(parsed.community))
            probes.append(_Probe(index, "poi", parsed.community, [(Form.NAME, o) for o in offices]))
        elif parsed.community.endswith("村") and not probes:
            # 国泰新村 said 国泰心村 reads as an unknown village: a last resort, below the
            # village itself if there is one.
            probes.append(_Probe(
                index, "compound", parsed.community, query_forms(parsed.community, "compound"),
                weight=_LAST_RESORT, guessed=True,
            ))
    for slot in _ADMIN_SLOTS:
        name = getattr(parsed, slot)
        if name:
            probes.append(_Probe(index, slot, name, [(Form.NAME, name_key(name))]))
            break  # the deepest division written is the one an admin-level answer names
    return probes


class _Names:
    """Step 1: the entries each written name may stand for."""

    def __init__(self, cur, scope: Scope):
        self.cur = cur
        self.scope = scope

    def resolve(self, probes: list[_Probe]) -> None:
        self._exact(probes)
        unresolved = [p for p in probes if not p.anchors and p.slot in _NAME_SLOTS]
        if unresolved:
            self._typos(unresolved)
        unresolved = [p for p in unresolved if not p.anchors]
        if unresolved:
            self._trigrams(unresolved)

    def _select(self, where: sql.Composable, params: list) -> list[tuple]:
        statement = sql.SQL(
            "SELECT n.key, n.form, {hit} FROM geocoding_name n "
            "JOIN geocoding_entry e ON e.id = n.entry_id WHERE {where} AND {scope}"
        ).format(hit=_HIT_COLUMNS, where=where, scope=self.scope.where("e"))
        self.cur.execute(statement, params)
        return self.cur.fetchall()

    def _exact(self, probes: list[_Probe]) -> None:
        keys = sorted({key for probe in probes for _, key in probe.forms})
        by_key = defaultdict(list)
        for key, form, *hit in self._select(sql.SQL("n.key = ANY(%s)"), [keys]):
            by_key[key].append((Form(form), _Hit(*hit)))
        for probe in probes:
            for query_form, key in probe.forms:
                for stored_form, hit in by_key.get(key, ()):
                    probe.offer(hit, form_score(query_form, stored_form))

    def _typos(self, probes: list[_Probe]) -> None:
        wanted = defaultdict(list)  # variant -> probes
        for probe in probes:
            key = probe.forms[0][1]
            for variant in variants(key):
                wanted[variant].append(probe)
        rows = self._select(
            sql.SQL("n.id IN (SELECT name_id FROM geocoding_variant WHERE variant = ANY(%s))"),
            [sorted(wanted)],
        )
        for key, form, *hit in rows:
            hit = _Hit(*hit)
            for probe in {id(p): p for v in variants(key) for p in wanted.get(v, ())}.values():
                written = probe.forms[0][1]
                distance = typo_distance(written, key)
                if distance is not None:
                    score = form_score(Form.NAME, Form(form)) * _TYPO_SCORE[distance]
                    if len(key) != len(written):
                        score *= _LENGTH_CHANGED
                    score *= 1 + _HOMOPHONE_BONUS * typo_likeness(written, key)
                    probe.offer(hit, score)

    def _trigrams(self, probes: list[_Probe]) -> None:
        keys = [probe.forms[0][1] for probe in probes]
        statement = sql.SQL(
            "SELECT q.i, m.* FROM unnest(%s::text[]) WITH ORDINALITY AS q(key, i) "
            "CROSS JOIN LATERAL (SELECT n.form, similarity(n.key, q.key), {hit} "
            "FROM geocoding_name n JOIN geocoding_entry e ON e.id = n.entry_id "
            "WHERE n.key %% q.key AND {scope} "
            "ORDER BY similarity(n.key, q.key) DESC LIMIT {limit}) m"
        ).format(hit=_HIT_COLUMNS, scope=self.scope.where("e"), limit=sql.Literal(_TRIGRAM_LIMIT))
        self.cur.execute(statement, [keys])
        for i, form, similarity, *hit in self.cur.fetchall():
            probe = probes[i - 1]
            score = form_score(Form.NAME, Form(form)) * math.sqrt(similarity) * _TRIGRAM_WEIGHT
            probe.offer(_Hit(*hit), score)


class _Numbers:
    """Steps 2 and 3: house numbers, buildings, units and rooms on the names found."""

    def __init__(self, cur, scope: Scope, queries: list[_Query]):
        self.cur = cur
        self.scope = scope
        self.queries = queries

    def find(self) -> None:
        houses, parts = [], []  # (query, anchor hit, anchor score, wanted level, keys…)
        for index, query in enumerate(self.queries):
            parsed = query.parsed
            for probe in query.probes:
                number = parsed.number or _number_read_as_building(parsed)
                for hit, score in probe.best():
                    if hit.level == Level.ROAD and number:
                        houses.append((index, hit, score, number))
                    elif hit.level == Level.COMPOUND and parsed.building:
                        for wanted, unit, room in _part_steps(parsed):
                            parts.append((index, hit, score, wanted, parsed.building, unit, room))
                    _add(query, _anchor_found(hit, score, query))
        found = self._lookup(houses, parts)
        missing = [h for n, h in enumerate(houses) if n not in found]
        if missing:
            self._interpolate(missing)

    def _lookup(self, houses: list, parts: list) -> set[int]:
        if not houses and not parts:
            return set()
        statement = sql.SQL(
            "SELECT q.r, {hit} FROM unnest(%s::int[], %s::bigint[], %s::varchar[]) "
            "AS q(r, anchor, number) JOIN geocoding_entry e ON e.anchor_id = q.anchor "
            "AND e.level = {house} AND e.number = q.number WHERE {scope} "
            "UNION ALL "
            "SELECT q.r, {hit} FROM unnest(%s::int[], %s::bigint[], %s::smallint[], "
            "%s::varchar[], %s::varchar[], %s::varchar[]) AS q(r, anchor, level, building, unit, room) "
            "JOIN geocoding_entry e ON e.anchor_id = q.anchor AND e.level = q.level "
            "AND e.building = q.building AND e.room = q.room AND (q.unit = '' OR e.unit = q.unit) "
            "WHERE {scope}"
        ).format(
            hit=_HIT_COLUMNS, house=sql.Literal(int(Level.HOUSE_NUMBER)), scope=self.scope.where("e")
        )
        offset = len(houses)
        params = [
            list(range(offset)), [h[1].id for h in houses], [h[3] for h in houses],
            list(range(offset, offset + len(parts))), [p[1].id for p in parts],
            [int(p[3]) for p in parts], [p[4] for p in parts], [p[5] for p in parts],
            [p[6] for p in parts],
        ]
        self.cur.execute(statement, params)
        found = set()
        for request, *hit in self.cur.fetchall():
            hit = _Hit(*hit)
            if request < offset:
                index, anchor, score, _ = houses[request]
                found.add(request)
                wanted = Level.HOUSE_NUMBER
            else:
                index, anchor, score, wanted, *_ = parts[request - offset]
            query = self.queries[index]
            score *= _completeness(query.deepest, hit.level)
            _add(query, _found(hit, score, anchor.name, query.parsed))
        return found

    def _interpolate(self, houses: list) -> None:
        requests = [
            (n, h) for n, h in enumerate(houses) if _leading_int(h[3]) is not None
        ]
        if not requests:
            return
        neighbour = (
            "LEFT JOIN LATERAL (SELECT e.number_int, e.point FROM geocoding_entry e "
            "WHERE e.anchor_id = q.anchor AND e.level = {house} AND e.number_int {op} q.n "
            "AND e.number_int %% 2 = q.n %% 2 AND {scope} ORDER BY e.number_int {order} LIMIT 1) "
            "{alias} ON true "
        )
        statement = sql.SQL(
            "SELECT q.r, lo.number_int, ST_X(lo.point), ST_Y(lo.point), hi.number_int, "
            "ST_X(hi.point), ST_Y(hi.point), CASE WHEN {road_scope} THEN ST_AsBinary(road.geom) END "
            "FROM unnest(%s::int[], %s::bigint[], %s::int[]) AS q(r, anchor, n) "
            "JOIN geocoding_entry road ON road.id = q.anchor "
            + neighbour.replace("{op}", "<=").replace("{order}", "DESC").replace("{alias}", "lo")
            + neighbour.replace("{op}", ">=").replace("{order}", "ASC").replace("{alias}", "hi")
        ).format(
            house=sql.Literal(int(Level.HOUSE_NUMBER)), scope=self.scope.where("e"),
            road_scope=self.scope.where("road"),
        )
        self.cur.execute(statement, [
            [n for n, _ in requests], [h[1].id for _, h in requests],
            [_leading_int(h[3]) for _, h in requests],
        ])
        by_request = dict(requests)
        for request, lo_n, lo_x, lo_y, hi_n, hi_x, hi_y, road_wkb in self.cur.fetchall():
            index, anchor, score, number = by_request[request]
            point = _between(
                _leading_int(number), (lo_n, lo_x, lo_y), (hi_n, hi_x, hi_y),
                shapely.from_wkb(road_wkb) if road_wkb else None,
            )
            if point is None:
                continue
            (x, y), both = point
            query = self.queries[index]
            score = _consistent(score * (_INTERPOLATED if both else _NEAREST_ONLY), anchor, query.parsed)
            address = anchor.address + standard_address(ParsedAddress(number=number))
            components = {**_admin_components(anchor), "road": anchor.name, "number": number}
            made = Candidate(
                anchor.id, Level.HOUSE_NUMBER, score, address, x, y,
                self.scope.layer_names[anchor.layer_id], True, components,
            )
            found = _Found(score, Level.HOUSE_NUMBER, True, anchor.id, x, y, None, "", made)
            _add(query, found, key=("interpolated", anchor.id, number))


def _number_read_as_building(parsed: ParsedAddress) -> str:
    # 国泰南发75: without a road word, the parser reads a name and a building number; if
    # the name turns out to be a road, the building was its house number.
    if parsed.building and not (parsed.unit or parsed.room) and parsed.building.isdigit():
        return parsed.building
    return ""


def _part_steps(parsed: ParsedAddress) -> list[tuple[Level, str, str]]:
    steps = [(Level.BUILDING, "", "")]
    if parsed.unit:
        steps.append((Level.UNIT, parsed.unit, ""))
    if parsed.room:
        steps.append((Level.ROOM, parsed.unit, parsed.room))
    return steps


def _deepest(parsed: ParsedAddress) -> Level:
    for level, part in ((Level.ROOM, "room"), (Level.UNIT, "unit"), (Level.BUILDING, "building"),
                        (Level.HOUSE_NUMBER, "number")):
        if getattr(parsed, part):
            return level
    return Level.PROVINCE


def _completeness(wanted: Level, found: Level) -> float:
    if found >= wanted:
        return 1.0
    if found <= Level.COMMUNITY:
        return _DIVISION_INSTEAD
    if found in (Level.ROAD, Level.POI, Level.COMPOUND):
        return _NAME_INSTEAD
    return _PER_MISSING_LEVEL ** (wanted - found)


def _anchor_found(hit: _Hit, score: float, query: _Query) -> _Found:
    wanted = query.deepest
    if hit.level <= Level.COMMUNITY and query.names_written:
        wanted = Level.ROAD  # a name was written: the division alone is not what was meant
    return _found(hit, score * _completeness(wanted, hit.level), "", query.parsed)


def _found(hit: _Hit, score: float, anchor_name: str, parsed: ParsedAddress) -> _Found:
    score = _consistent(score, hit, parsed)
    return _Found(score, hit.level, False, hit.id, hit.x, hit.y, hit, anchor_name, None)


def _candidate(found: _Found, score: float, scope: Scope) -> Candidate:
    if found.made is not None:
        return replace(found.made, score=score)
    hit, level = found.hit, Level(found.level)
    components = _admin_components(hit)
    if level in (Level.ROAD, Level.COMPOUND, Level.POI) or level <= Level.COMMUNITY:
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
        hit.id, level, score, hit.address, hit.x, hit.y, scope.layer_names[hit.layer_id],
        False, components,
    )


def _admin_components(hit: _Hit) -> dict:
    return {k: getattr(hit, k) for k in ("district", "town", "community") if getattr(hit, k)}


def _consistent(score: float, hit: _Hit, parsed: ParsedAddress) -> float:
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


def _add(query: _Query, found: _Found, key: object = None) -> None:
    key = found.entry_id if key is None else key
    known = query.found.get(key)
    if known is None or known.score < found.score:
        query.found[key] = found


def _ranked(query: _Query, scope: Scope, limit: int, bias: Bias) -> tuple[Candidate, ...]:
    scored = [
        (round(found.score * _bias_factor(found.lon, found.lat, bias), 4), found)
        for found in query.found.values()
    ]
    scored.sort(key=lambda s: (-s[0], -s[1].level, s[1].interpolated, s[1].entry_id))
    return tuple(_candidate(found, score, scope) for score, found in scored[:limit])


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


def _leading_int(number: str) -> int | None:
    digits = ""
    for ch in number:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits and len(digits) <= 9 else None


def _between(n: int, low, high, road) -> tuple[tuple[float, float], bool] | None:
    """Where number ``n`` stands between its neighbours ``(number, x, y)`` on its side.

    Along the road line when there is one, keeping the neighbours' distance from it;
    otherwise on the straight line between them. With one neighbour, its point.
    """
    low_n, *low_xy = low
    high_n, *high_xy = high
    if low_n is None and high_n is None:
        return None
    if low_n is None or high_n is None or low_n == high_n:
        known_n, known = (low_n, low_xy) if low_n is not None else (high_n, high_xy)
        if abs(n - known_n) > _MAX_EXTRAPOLATION:
            return None
        return tuple(known), low_n == high_n
    t = (n - low_n) / (high_n - low_n)
    line = _line_near(road, low_xy, high_xy)
    if line is None:
        x = low_xy[0] + (high_xy[0] - low_xy[0]) * t
        y = low_xy[1] + (high_xy[1] - low_xy[1]) * t
        return (x, y), True
    a, b = shapely.Point(low_xy), shapely.Point(high_xy)
    fa, fb = line.project(a), line.project(b)
    on_a, on_b = line.interpolate(fa), line.interpolate(fb)
    base = line.interpolate(fa + (fb - fa) * t)
    dx = (a.x - on_a.x) * (1 - t) + (b.x - on_b.x) * t
    dy = (a.y - on_a.y) * (1 - t) + (b.y - on_b.y) * t
    return (base.x + dx, base.y + dy), True


def _line_near(road, a, b):
    """The single line of ``road`` closest to both points, if the road has lines."""
    if road is None or shapely.get_dimensions(road) != 1:
        return None
    lines = list(getattr(road, "geoms", [road]))
    pa, pb = shapely.Point(a), shapely.Point(b)
    return min(lines, key=lambda line: line.distance(pa) + line.distance(pb))
