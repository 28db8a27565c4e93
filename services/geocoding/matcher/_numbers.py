"""Steps 2 and 3: house numbers, buildings, units and rooms on the names found, and
house numbers interpolated between their neighbours where the gazetteer has none."""

from __future__ import annotations

import shapely
from psycopg import sql

from ..address import ParsedAddress
from ..models import Level
from ..scope import Scope
from ..standard import standard_address
from ..build._values import leading_int  # as the build read entries' number_int
from ._interpolation import between
from ._scoring import (
    INTERPOLATED,
    NEAREST_ONLY,
    admin_components,
    completeness,
    consistent,
    keep,
    scored_anchor,
    scored_hit,
)
from ._types import HIT_COLUMNS, Candidate, Found, Hit, Query

__all__ = ["NumberLookup"]


class NumberLookup:
    """Steps 2 and 3: house numbers, buildings, units and rooms on the names found."""

    def __init__(self, cur, scope: Scope, queries: list[Query]):
        self.cur = cur
        self.scope = scope
        self.queries = queries

    def find(self) -> None:
        houses, parts = [], []  # (query, anchor hit, anchor score, wanted level, keys…)
        for index, query in enumerate(self.queries):
            parsed = query.parsed
            number = parsed.number or _number_read_as_building(parsed)
            steps = _part_steps(parsed) if parsed.building else []
            for probe in query.probes:
                for hit, score in probe.best():
                    if hit.level == Level.ROAD and number:
                        houses.append((index, hit, score, number))
                    elif hit.level == Level.COMPOUND and parsed.building:
                        for wanted, unit, room in steps:
                            parts.append((index, hit, score, wanted, parsed.building, unit, room))
                    keep(query, scored_anchor(hit, score, query))
        found = self._lookup(houses, parts)
        missing = [h for n, h in enumerate(houses) if n not in found]
        if missing:
            self._interpolate(missing)

    def _lookup(self, houses: list, parts: list) -> set[int]:
        if not houses and not parts:
            return set()
        statement = sql.SQL(
            "SELECT q.r, {hit} FROM unnest({0}::int[], {1}::bigint[], {2}::varchar[]) "
            "AS q(r, anchor, number) JOIN geocoding_entry e ON e.anchor_id = q.anchor "
            "AND e.level = {house} AND e.number = q.number WHERE {scope} "
            "UNION ALL "
            "SELECT q.r, {hit} FROM unnest({3}::int[], {4}::bigint[], {5}::smallint[], "
            "{6}::varchar[], {7}::varchar[], {8}::varchar[]) "
            "AS q(r, anchor, level, building, unit, room) "
            "JOIN geocoding_entry e ON e.anchor_id = q.anchor AND e.level = q.level "
            "AND e.building = q.building AND e.room = q.room AND (q.unit = '' OR e.unit = q.unit) "
            "WHERE {scope}"
        )
        offset = len(houses)
        arrays = [
            list(range(offset)),
            [h[1].id for h in houses],
            [h[3] for h in houses],
            list(range(offset, offset + len(parts))),
            [p[1].id for p in parts],
            [int(p[3]) for p in parts],
            [p[4] for p in parts],
            [p[5] for p in parts],
            [p[6] for p in parts],
        ]
        self.cur.execute(statement.format(
            *map(sql.Literal, arrays),
            hit=HIT_COLUMNS, house=sql.Literal(int(Level.HOUSE_NUMBER)), scope=self.scope.where("e"),
        ))
        found = set()
        for request, *hit in self.cur.fetchall():
            hit = Hit(*hit)
            if request < offset:
                index, anchor, score, _ = houses[request]
                found.add(request)
                wanted = Level.HOUSE_NUMBER
            else:
                index, anchor, score, wanted, *_ = parts[request - offset]
            query = self.queries[index]
            score *= completeness(query.deepest, hit.level)
            keep(query, scored_hit(hit, score, anchor.name, query.parsed))
        return found

    def _interpolate(self, houses: list) -> None:
        requests = [(r, h, value) for r, h in enumerate(houses)
                    if (value := leading_int(h[3])) is not None]
        if not requests:
            return
        neighbour = (
            "LEFT JOIN LATERAL (SELECT e.number_int, e.point FROM geocoding_entry e "
            "WHERE e.anchor_id = q.anchor AND e.level = {house} AND e.number_int {op} q.n "
            "AND e.number_int % 2 = q.n % 2 AND {scope} ORDER BY e.number_int {order} LIMIT 1) "
            "{alias} ON true "
        )
        statement = sql.SQL(
            "SELECT q.r, lo.number_int, ST_X(lo.point), ST_Y(lo.point), hi.number_int, "
            "ST_X(hi.point), ST_Y(hi.point), "
            "CASE WHEN {road_scope} THEN ST_AsBinary(road.geom) END "
            "FROM unnest({requests}::int[], {anchors}::bigint[], {numbers}::int[]) AS q(r, anchor, n) "
            "JOIN geocoding_entry road ON road.id = q.anchor "
            + neighbour.replace("{op}", "<=").replace("{order}", "DESC").replace("{alias}", "lo")
            + neighbour.replace("{op}", ">=").replace("{order}", "ASC").replace("{alias}", "hi")
        ).format(
            house=sql.Literal(int(Level.HOUSE_NUMBER)),
            scope=self.scope.where("e"),
            road_scope=self.scope.where("road"),
            requests=sql.Literal([r for r, _, _ in requests]),
            anchors=sql.Literal([h[1].id for _, h, _ in requests]),
            numbers=sql.Literal([value for _, _, value in requests]),
        )
        self.cur.execute(statement)
        by_request = {r: (h, value) for r, h, value in requests}
        for request, lo_n, lo_x, lo_y, hi_n, hi_x, hi_y, road_wkb in self.cur.fetchall():
            (index, anchor, score, number), value = by_request[request]
            point = between(
                value,
                (lo_n, lo_x, lo_y),
                (hi_n, hi_x, hi_y),
                shapely.from_wkb(road_wkb) if road_wkb else None,
            )
            if point is None:
                continue
            (x, y), both = point
            query = self.queries[index]
            score = consistent(
                score * (INTERPOLATED if both else NEAREST_ONLY), anchor, query.parsed
            )
            address = anchor.address + standard_address(ParsedAddress(number=number))
            components = {**admin_components(anchor), "road": anchor.name, "number": number}
            made = Candidate(
                anchor.id,
                Level.HOUSE_NUMBER,
                score,
                address,
                x,
                y,
                self.scope.layer_names[anchor.layer_id],
                True,
                components,
            )
            found = Found(score, Level.HOUSE_NUMBER, True, anchor.id, x, y, None, "", made)
            keep(query, found, key=("interpolated", anchor.id, number))


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
