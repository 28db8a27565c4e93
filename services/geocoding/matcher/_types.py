"""The values the matcher passes between its steps, and the answers it gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from psycopg import sql

from ..address import ParsedAddress
from ..keys import Form
from ..models import Level

__all__ = [
    "ADMIN_SLOTS",
    "HIT_COLUMNS",
    "KIND_FIT",
    "NAME_SLOTS",
    "Bias",
    "Candidate",
    "Found",
    "Hit",
    "Match",
    "Probe",
    "Query",
    "deepest",
]

_MAX_ANCHORS = 8  # names kept per written name before numbers are looked up
# How well an entry of one level answers a name written where another was expected.
KIND_FIT = {
    "road": {Level.ROAD: 1.0, Level.COMPOUND: 0.8, Level.POI: 0.8},
    "compound": {Level.COMPOUND: 1.0, Level.POI: 0.95, Level.ROAD: 0.75},
    "poi": {Level.POI: 1.0, Level.COMPOUND: 0.95, Level.ROAD: 0.75},
    "town": {Level.TOWN: 1.0},
    "community": {Level.COMMUNITY: 1.0},
    "district": {Level.DISTRICT: 1.0},
}
NAME_SLOTS = ("road", "compound", "poi")
ADMIN_SLOTS = ("community", "town", "district")

HIT_COLUMNS = sql.SQL(
    "e.id, e.level, e.layer_id, e.anchor_id, e.name, e.number, e.number_int, e.building, "
    "e.unit, e.room, e.district, e.town, e.community, e.address, ST_X(e.point), "
    "ST_Y(e.point), e.weight"
)


class Hit(NamedTuple):
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


class Found(NamedTuple):
    score: float
    level: int
    interpolated: bool
    entry_id: int
    lon: float
    lat: float
    hit: Hit | None  # None for an interpolated number, which comes ready as ``made``
    anchor_name: str
    made: Candidate | None


@dataclass
class Probe:
    query: int
    slot: str
    text: str
    forms: list[tuple[Form, str]]
    weight: float = 1.0  # below 1 when a more specific name was written beside this one
    guessed: bool = False  # read into the address by the matcher, not written as a name
    anchors: dict[int, tuple[Hit, float]] = field(default_factory=dict)

    def offer(self, hit: Hit, score: float) -> None:
        fit = KIND_FIT[self.slot].get(hit.level)
        if fit is None:
            return
        score *= fit * self.weight
        known = self.anchors.get(hit.id)
        if known is None or known[1] < score:
            self.anchors[hit.id] = (hit, score)

    def best(self) -> list[tuple[Hit, float]]:
        ranked = sorted(self.anchors.values(), key=lambda a: (-a[1], -a[0].weight, a[0].id))
        return ranked[:_MAX_ANCHORS]


@dataclass
class Query:
    text: str
    parsed: ParsedAddress
    probes: list[Probe] = field(default_factory=list)
    # What was found, by entry id (or interpolated number), before it is ranked: answers
    # are made into Candidates only for the few that are returned.
    found: dict[object, Found] = field(default_factory=dict)

    def __post_init__(self):
        self.deepest = deepest(self.parsed)

    @cached_property
    def names_written(self) -> bool:
        """Whether a road, compound or other name was written, not only divisions."""
        return any(p.slot not in ADMIN_SLOTS and not p.guessed for p in self.probes)


def deepest(parsed: ParsedAddress) -> Level:
    for level, part in (
        (Level.ROOM, "room"),
        (Level.UNIT, "unit"),
        (Level.BUILDING, "building"),
        (Level.HOUSE_NUMBER, "number"),
    ):
        if getattr(parsed, part):
            return level
    return Level.PROVINCE
