"""What the build knows of administrative divisions: names, chains and areas."""

from __future__ import annotations

import shapely

from ..address import ParsedAddress
from ..divisions import AdminLevel
from ..models import Level
from ..normalize import strip_committee
from ..parser import Parser
from ..reference import admin_names, place_prefixes
from ._values import normalized

__all__ = ["Places"]


class Places:
    """Division knowledge for the build: canonical names, chains and polygons."""

    def __init__(self):
        names = admin_names()
        self.parser = Parser(admin_names=names)
        self.by_code = {name.code: name for name in names if name.code}
        self.prefixes = place_prefixes(names)
        self.areas: dict[Level, list[tuple[str, object]]] = {}
        self._trees: dict[Level, shapely.STRtree] = {}
        self._district: str | None = None  # of the towns mapped so far; see district
        self._canonical: dict[tuple, str] = {}
        self._chains: dict[tuple, dict] = {}

    def canonical(self, written: str, level: AdminLevel) -> str:
        if not written:
            return ""
        key = (written, level)
        if key not in self._canonical:
            self._canonical[key] = self._find_canonical(normalized(written), level)
        return self._canonical[key]

    def _find_canonical(self, written: str, level: AdminLevel) -> str:
        for admin in self.parser.divisions(written):
            if admin.level == level:
                return admin.canonical
        return strip_committee(written)

    def forms(self, name: str) -> tuple[str, ...]:
        """The written forms of the division ``name`` (张家港市, 张家港), longest first."""
        found = (
            [
                form
                for admin in self.parser.divisions(name)
                for group in admin.aliases()
                for form in group
            ]
            if name
            else []
        )
        return tuple(sorted(set(found), key=len, reverse=True))

    def chain(self, parts: dict[str, str]) -> dict[str, str]:
        """Province, city and district above the deepest division named in ``parts``."""
        key = tuple(sorted((k, v) for k, v in parts.items() if v))
        if key not in self._chains:
            completed = self.parser.complete_admin(ParsedAddress(**dict(key)))
            self._chains[key] = {f: getattr(completed, f) for f in ("province", "city", "district")}
        return self._chains[key]

    def add_area(self, level: Level, name: str, geometry) -> None:
        self.areas.setdefault(level, []).append((name, geometry))
        self._trees.pop(level, None)
        self._district = None

    @property
    def district(self) -> str:
        """The district of every town mapped, if they share one: where a road crossing
        towns lies. ``""`` when the towns are in several districts or none is mapped."""
        if self._district is None:
            districts = {
                self.chain({"town": name})["district"] for name, _ in self.areas.get(Level.TOWN, ())
            }
            self._district = districts.pop() if len(districts) == 1 else ""
        return self._district

    def _tree(self, level: Level) -> shapely.STRtree:
        tree = self._trees.get(level)
        if tree is None:
            geometries = [geometry for _, geometry in self.areas[level]]
            tree = self._trees[level] = shapely.STRtree(geometries)
        return tree

    def locate(self, x: float, y: float, level: Level) -> str:
        areas = self.areas.get(level)
        if not areas:
            return ""
        hits = self._tree(level).query(shapely.Point(x, y), predicate="intersects")
        return areas[min(hits)][0] if len(hits) else ""

    def locate_many(self, xs: list[float], ys: list[float], level: Level) -> list[str] | None:
        """``locate`` for many points at once; ``None`` when there are no areas of ``level``."""
        areas = self.areas.get(level)
        if not areas:
            return None
        points, found = self._tree(level).query(shapely.points(xs, ys), predicate="intersects")
        names = [""] * len(xs)
        for point, area in sorted(zip(points.tolist(), found.tolist()), reverse=True):
            names[point] = areas[area][0]  # the first area listed wins, as in locate()
        return names
