"""Rebuild the gazetteer from the layers the field mappings name, all at once.

Entries are written to shadow tables and swapped in when complete (``_tables``):
searches keep answering from the previous gazetteer meanwhile, and a failed rebuild
changes nothing. Source rows are streamed from the layer tables and entries written
with COPY, so memory holds only the named entries (roads, compounds, POIs, divisions)
and the numbered ones implied by others.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from collections import Counter
from functools import lru_cache
from collections.abc import Callable
from dataclasses import dataclass, field

import shapely
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from geoshare.errors import GeoshareError
from layers import storage
from layers.models import JobStatus

from . import _tables
from .address import ParsedAddress
from .divisions import AdminLevel, AdminName, parent_chain
from .keys import Form, stored_forms, variants, without_prefix
from .models import DIVISION_LEVELS, FieldMapping, GazetteerBuild, Level, Target
from .normalize import canonical_house_number, normalize, strip_committee
from .parser import Parser
from .pinyin import full_pinyin, initials
from .reference import admin_names, place_prefixes
from .standard import standard_address

__all__ = ["GazetteerBusyError", "build_gazetteer", "canonical_part", "current_revision"]

log = logging.getLogger(__name__)

_FETCH = 20_000
_LOCK_KEY = 0x6765_6F63  # "geoc": one rebuild at a time
_PROGRESS_EVERY_SECONDS = 1.0
# A range 12-16号 also answers 14号; longer "ranges" are more likely typing errors.
_MAX_RANGE_SPAN = 100
_TARGET_ORDER = [Target.DIVISION, Target.ROAD, Target.COMPOUND, Target.POI, Target.ADDRESS]
_LIST_SEPARATORS = re.compile(r"[;；,，、|/]+")
_PART = re.compile(r"[0-9A-Z甲乙丙丁][0-9A-Z-]{0,19}")
_PART_WORDS = {"building": "幢", "unit": "单元", "room": "室"}
_LEADING_INT = re.compile(r"[0-9]+")
_ENTRY_COLUMNS = (
    "id", "mapping_id", "layer_id", "fid", "level", "anchor_id", "name", "category", "code",
    "number", "number_int", "building", "unit", "room", "district", "town", "community",
    "address", "point", "geom", "weight",
)
_NAME_COLUMNS = ("entry_id", "level", "form", "key", "variants", "initials", "pinyin")
_KIND_OF_LEVEL = {Level.ROAD: "road", Level.COMPOUND: "compound", Level.POI: "poi"}
_PLACES = tuple(
    (level, level.field) for level in (AdminLevel.DISTRICT, AdminLevel.TOWN, AdminLevel.COMMUNITY)
)


# Registers repeat the same road names, numbers and division names row after row:
# each distinct text is normalised once per process.
_key = lru_cache(maxsize=200_000)(lambda text: normalize(text).replace(" ", ""))
_house_number = lru_cache(maxsize=200_000)(canonical_house_number)


class GazetteerBusyError(GeoshareError):
    """Another rebuild holds the gazetteer."""


def current_revision() -> int:
    """Identifies the gazetteer's content: the id of the newest finished build (0: none)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(max(id), 0) FROM geocoding_gazetteerbuild WHERE status = %s",
            [JobStatus.DONE],
        )
        return cur.fetchone()[0]


@lru_cache(maxsize=100_000)
def canonical_part(value: str, part: str) -> str:
    """A building, unit or room number as the parser writes it; ``""`` if it is none.

    ``5号楼``, ``五栋``, ``5`` -> ``5`` (building); ``二单元`` -> ``2``; ``301室`` -> ``301``.
    """
    word = _PART_WORDS[part]
    text = normalize(value).replace(" ", "")
    if text and not text.endswith(word):
        text = normalize(text + word).replace(" ", "")
    text = text.removesuffix(word)
    return text if _PART.fullmatch(text) else ""


def build_gazetteer(build: GazetteerBuild | None = None) -> GazetteerBuild:
    """Rebuild every entry from the enabled mappings; returns the finished build record.

    The new gazetteer is written and indexed in shadow tables and swapped in at once,
    together with the build's new revision. Raises ``GazetteerBusyError`` if another
    rebuild is running; any failure leaves the gazetteer as it was and is recorded on
    ``build`` before it propagates.
    """
    build = build or GazetteerBuild.objects.create()
    builds = GazetteerBuild.objects.filter(pk=build.pk)
    builds.update(status=JobStatus.RUNNING, started=timezone.now(), progress=0, message="")
    # On a second connection, so that a caller's transaction does not hide the progress.
    progress = GazetteerBuild.objects.using("progress").filter(pk=build.pk)
    try:
        with _exclusive():
            _tables.create_shadows()
            try:
                started = time.monotonic()
                report = _Builder(lambda share: progress.update(progress=round(99 * share, 1))).run()
                written = time.monotonic()
                _tables.index_shadows()
                log.info(
                    "gazetteer rows written in %.1f s, indexed in %.1f s",
                    written - started, time.monotonic() - written,
                )
                with transaction.atomic():
                    _tables.swap()
                    builds.update(
                        status=JobStatus.DONE, progress=100, finished=timezone.now(),
                        counts=report.counts, skipped=report.skipped, message=report.summary(),
                    )
            except BaseException:
                _tables.drop_shadows()
                raise
    except Exception as e:
        message = e.message if isinstance(e, GeoshareError) else f"rebuild failed: {e}"
        builds.update(status=JobStatus.FAILED, finished=timezone.now(), message=message[:2000])
        raise
    build.refresh_from_db()
    return build


@contextlib.contextmanager
def _exclusive():
    """One rebuild at a time, across processes and machines."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        if not cur.fetchone()[0]:
            raise GazetteerBusyError("another gazetteer rebuild is running; try again later")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


@dataclass
class _Report:
    counts: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    skipped_total: int = 0

    def summary(self) -> str:
        total = sum(self.counts.values())
        text = f"{total} entries: " + ", ".join(f"{n} {level}" for level, n in self.counts.items())
        if self.skipped_total:
            text += f"; {self.skipped_total} rows skipped (see the first ones in 'rows skipped')"
        return text


@dataclass(slots=True)
class _Entry:
    id: int
    mapping_id: int
    layer_id: int
    fid: int | None
    level: Level
    x: float
    y: float
    anchor_id: int | None = None
    name: str = ""
    category: str = ""
    code: str = ""
    number: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    district: str = ""
    town: str = ""
    community: str = ""
    road: str = ""  # for the standard address only
    compound: str = ""
    geom: object = None  # shapely geometry (named entries) or hex EWKB
    names: list = field(default_factory=list)  # (form, text) besides the name
    weight: int = 0
    # Implied entries: the sum of their children's coordinates until written.
    implied: bool = False
    sum_x: float = 0.0
    sum_y: float = 0.0
    children: int = 0


class _Admin:
    """Division knowledge for the build: canonical names, chains and polygons."""

    def __init__(self):
        names = admin_names()
        self.parser = Parser(admin_names=names)
        self.by_code = {name.code: name for name in names if name.code}
        self.prefixes = place_prefixes(names)
        self.areas: dict[Level, list[tuple[str, object]]] = {}
        self._trees: dict[Level, shapely.STRtree] = {}
        self._canonical: dict[tuple, str] = {}
        self._chains: dict[tuple, dict] = {}

    def canonical(self, written: str, level: AdminLevel) -> str:
        if not written:
            return ""
        key = (written, level)
        if key not in self._canonical:
            self._canonical[key] = self._find_canonical(_key(written), level)
        return self._canonical[key]

    def _find_canonical(self, written: str, level: AdminLevel) -> str:
        for admin in self.parser.divisions(written):
            if admin.level == level:
                return admin.canonical
        return strip_committee(written)

    def forms(self, name: str) -> tuple[str, ...]:
        """The written forms of the division ``name`` (张家港市, 张家港), longest first."""
        found = [form for admin in self.parser.divisions(name) for group in admin.aliases()
                 for form in group] if name else []
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

    @property
    def district(self) -> str:
        """The district of every town mapped, if they share one: where a road crossing
        towns lies. ``""`` when the towns are in several districts or none is mapped."""
        districts = {self.chain({"town": name})["district"] for name, _ in self.areas.get(Level.TOWN, ())}
        return districts.pop() if len(districts) == 1 else ""

    def locate(self, x: float, y: float, level: Level) -> str:
        areas = self.areas.get(level)
        if not areas:
            return ""
        tree = self._trees.get(level)
        if tree is None:
            tree = self._trees[level] = shapely.STRtree([geometry for _, geometry in areas])
        hits = tree.query(shapely.Point(x, y), predicate="intersects")
        return areas[min(hits)][0] if len(hits) else ""

    def locate_many(self, xs: list[float], ys: list[float], level: Level) -> list[str] | None:
        """``locate`` for many points at once; ``None`` when there are no areas of ``level``."""
        areas = self.areas.get(level)
        if not areas:
            return None
        self.locate(xs[0], ys[0], level)  # builds the tree
        points, found = self._trees[level].query(shapely.points(xs, ys), predicate="intersects")
        names = [""] * len(xs)
        for point, area in sorted(zip(points.tolist(), found.tolist()), reverse=True):
            names[point] = areas[area][0]  # the first area listed wins, as in locate()
        return names


class _Builder:
    def __init__(self, report_progress: Callable[[float], None]):
        self.report_progress = report_progress
        self.admin = _Admin()
        self.named: dict[int, _Entry] = {}  # divisions, roads, compounds, POIs
        self.implied: dict[int, _Entry] = {}  # buildings and units known from their rooms
        self.roads: dict[tuple[str, str], int] = {}
        self.compounds: dict[tuple[str, str], int] = {}
        self.parts: dict[tuple[int, str, str], int] = {}  # (compound, building, unit) -> id
        self.counts: Counter = Counter()
        self.report = _Report()
        self.rows_done = 0
        self.rows_total = 1
        self.last_report = 0.0
        self.pending: list[tuple] = []
        self.prefixes: dict[tuple, str] = {}
        self.handlers = {
            Target.DIVISION: self._division, Target.ROAD: self._road,
            Target.COMPOUND: self._compound, Target.POI: self._poi, Target.ADDRESS: self._address,
        }

    # -- orchestration ----------------------------------------------------------------------

    def run(self) -> _Report:
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence('geocoding_entry', 'id'))")
            self.next_id = cur.fetchone()[0]
        mappings = list(
            FieldMapping.objects.filter(enabled=True, layer__storage="vector").select_related("layer")
        )
        mappings.sort(key=lambda m: (_TARGET_ORDER.index(m.target), _depth(m), m.layer.name))
        self.rows_total = max(1, sum(m.layer.feature_count or 0 for m in mappings))
        for mapping in mappings:
            self._read(mapping)
        self._finish()
        with connection.cursor() as cur:
            # Entry ids keep growing from one gazetteer to the next.
            cur.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [_tables.shadow("geocoding_entry"), self.next_id],
            )
        self.report.counts = {Level(level).api_name: n for level, n in sorted(self.counts.items())}
        return self.report

    def _read(self, mapping: FieldMapping) -> None:
        layer = mapping.layer
        columns = mapping.columns
        missing = [c for c in columns.values() if c not in layer.field_names]
        if missing or not storage.table_exists(layer.table_name):
            self._skip(mapping, None, f"columns {missing} are not in layer {layer.name}")
            return
        keep_geometry = mapping.target in (Target.DIVISION, Target.ROAD, Target.COMPOUND)
        roles = list(columns)
        statement = sql.SQL(
            "SELECT fid, {values}, ST_X(p), ST_Y(p), {geometry} FROM ("
            "SELECT fid, {columns}, geom, ST_Transform(CASE WHEN ST_Dimension(geom) = 1 "
            "THEN ST_ClosestPoint(geom, ST_Centroid(geom)) ELSE ST_PointOnSurface(geom) END, "
            "4490) AS p FROM {table} WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom)) s"
        ).format(
            values=sql.SQL(", ").join(
                sql.SQL("coalesce({}::text, '')").format(sql.Identifier(columns[r])) for r in roles
            ),
            columns=sql.SQL(", ").join(sql.Identifier(columns[r]) for r in roles),
            geometry=sql.SQL("ST_AsBinary(ST_Transform(geom, 4490))" if keep_geometry else "NULL"),
            table=storage.table(layer.table_name),
        )
        handle = self.handlers[mapping.target]
        # A server-side cursor (inside a transaction) streams the layer with bounded memory.
        with transaction.atomic(), connection.connection.cursor(
            name=f"gazetteer_{uuid.uuid4().hex}"
        ) as cur:
            cur.execute(statement)
            while rows := cur.fetchmany(_FETCH):
                located = self._locate(mapping, rows)
                for n, (fid, *values, x, y, wkb) in enumerate(rows):
                    row = dict(zip(roles, (v.strip() for v in values)))
                    for field_name, names in located.items():
                        row.setdefault(field_name, names[n])
                    geometry = shapely.from_wkb(wkb) if wkb is not None else None
                    handle(mapping, fid, row, x, y, geometry)
                self.rows_done += len(rows)
                self._flush()
                self._progress()

    def _locate(self, mapping: FieldMapping, rows: list) -> dict[str, list[str]]:
        """Divisions of a batch's rows by where they lie, for the levels no column gives."""
        if mapping.target == Target.DIVISION:
            return {}  # its areas are still being read; rows are placed one by one
        xs = [row[-3] for row in rows]
        ys = [row[-2] for row in rows]
        located = {}
        for level in (AdminLevel.DISTRICT, AdminLevel.TOWN, AdminLevel.COMMUNITY):
            if not getattr(mapping, f"{level.field}_field"):
                names = self.admin.locate_many(xs, ys, Level(int(level)))
                if names is not None:
                    located[level.field] = names
        return located

    def _progress(self) -> None:
        now = time.monotonic()
        if now - self.last_report >= _PROGRESS_EVERY_SECONDS:
            self.last_report = now
            self.report_progress(min(0.99, self.rows_done / self.rows_total))

    def _skip(self, mapping: FieldMapping, fid, reason: str) -> None:
        self.report.skipped_total += 1
        if len(self.report.skipped) < 100:
            self.report.skipped.append({"layer": mapping.layer.name, "fid": fid, "reason": reason})

    def _new(self, mapping, fid, level, x, y, **values) -> _Entry:
        entry = _Entry(self.next_id, mapping.pk, mapping.layer_id, fid, level, x, y, **values)
        self.next_id += 1
        return entry

    # -- divisions above an entry -----------------------------------------------------------

    def _place(self, entry: _Entry, row: dict, below: AdminLevel = AdminLevel.COMMUNITY) -> None:
        """Fill district, town and community (down to ``below``) from columns or the areas.

        Rows of most layers arrive with the areas they lie in already looked up
        (``_locate``); division rows are placed one by one.
        """
        for level, field_name in _PLACES:
            if level > below or getattr(entry, field_name):
                continue
            value = self.admin.canonical(row.get(field_name, ""), level)
            if not value and field_name not in row:
                value = self.admin.locate(entry.x, entry.y, Level(int(level)))
            setattr(entry, field_name, value)
        if not entry.district:
            entry.district = self.admin.chain({"town": entry.town})["district"] or self.admin.district

    def _standard_address(self, entry: _Entry) -> str:
        if entry.level in DIVISION_LEVELS:
            level = AdminLevel(int(entry.level))
            written = {
                field: getattr(entry, field)
                for field in ("district", "town", "community")
                if AdminLevel[field.upper()] <= level and getattr(entry, field)
            }
            written[level.field] = entry.name
            parts = {**self.admin.chain(written), **written}
            if "town" in parts:
                parts["town"] = self._written_town(parts["town"], parts["district"])
            return standard_address(ParsedAddress(**parts))
        is_village_address = not (entry.road or entry.compound or entry.level == Level.POI)
        community = entry.community if is_village_address else ""
        return self._prefix(entry.district, entry.town, community) + standard_address(
            ParsedAddress(
                road=entry.road,
                number=entry.number if entry.road else "",
                compound=entry.compound,
                building=entry.building,
                unit=entry.unit,
                room=entry.room,
                poi=without_prefix(entry.name, self.admin.prefixes) if entry.level == Level.POI else "",
            )
        )

    def _prefix(self, district: str, town: str, community: str) -> str:
        """The standard address of the divisions down to ``community``, cached."""
        key = (district, town, community)
        if key not in self.prefixes:
            chain = self.admin.chain({"district": district or self.admin.district, "town": town})
            written_town = self._written_town(town, chain["district"])
            parts = ParsedAddress(**chain, town=written_town, community=community)
            self.prefixes[key] = standard_address(parts)
        return self.prefixes[key]

    def _written_town(self, town: str, district: str) -> str:
        # 张家港经济技术开发区 is written 经济技术开发区 after 张家港市.
        return without_prefix(town, self.admin.forms(district))

    # -- one handler per target -------------------------------------------------------------

    def _division(self, mapping, fid, row, x, y, geometry) -> None:
        code = re.sub(r"\D", "", row.get("code", ""))
        written = _key(row.get("name", ""))
        known = self.admin.by_code.get(code) if code else None
        if known is None and written:
            found = self.admin.parser.divisions(written)
            known = found[0] if len(found) == 1 else None
        level = _division_level(code, known)
        if level is None:
            self._skip(mapping, fid, f"cannot tell the level of division {written or code!r}")
            return
        name = known.canonical if known else strip_committee(written)
        entry = self._new(mapping, fid, level, x, y, name=name, code=code or getattr(known, "code", ""))
        entry.geom = geometry
        if known is not None:
            for parent in parent_chain(known, self.admin.by_code):
                if parent.level >= AdminLevel.DISTRICT:
                    setattr(entry, parent.level.field, parent.canonical)
            entry.names = [(Form.ALIAS, alias) for alias in sorted(known.aliases()[0]) if alias != name]
        if level >= Level.DISTRICT:
            setattr(entry, AdminLevel(int(level)).field, name)
            self._place(entry, row, below=AdminLevel(int(level) - 1))
        if geometry is not None and shapely.get_dimensions(geometry) == 2:
            self.admin.add_area(level, name, geometry)
        entry.weight = 10_000 * (Level.COMMUNITY + 1 - level)
        self.named[entry.id] = entry

    def _road(self, mapping, fid, row, x, y, geometry) -> None:
        name = _key(row.get("name", ""))
        if not name:
            self._skip(mapping, fid, "road without a name")
            return
        road = self._new(mapping, fid, Level.ROAD, x, y, name=name, road=name)
        self._place(road, row)
        existing = self.roads.get((road.town, name))
        if existing is not None:
            # Another piece of a road already read: one entry, the lines merged.
            known = self.named[existing]
            known.geom = _merge_lines(known.geom, geometry)
            known.names += _other_names(row)
            return
        road.geom = geometry
        road.names = _other_names(row)
        self.named[road.id] = road
        self._register(self.roads, road)

    def _compound(self, mapping, fid, row, x, y, geometry) -> None:
        name = _key(row.get("name", ""))
        if not name:
            self._skip(mapping, fid, "compound without a name")
            return
        entry = self._new(mapping, fid, Level.COMPOUND, x, y, name=name, compound=name)
        self._place(entry, row)
        entry.geom = geometry
        entry.names = _other_names(row)
        self.named[entry.id] = entry
        self._register(self.compounds, entry)

    def _poi(self, mapping, fid, row, x, y, geometry) -> None:
        name = _key(row.get("name", ""))
        if not name:
            self._skip(mapping, fid, "POI without a name")
            return
        entry = self._new(mapping, fid, Level.POI, x, y, name=name, category=row.get("category", "")[:60])
        self._place(entry, row)
        entry.names = _other_names(row)
        entry.road = _key(row.get("road", ""))
        if entry.road and row.get("number"):
            entry.number = canonical_house_number(row["number"])
        self.named[entry.id] = entry

    def _address(self, mapping, fid, row, x, y, geometry) -> None:
        road = _key(row.get("road", ""))
        compound = _key(row.get("compound", ""))
        written_number = row.get("number", "")
        number = _house_number(written_number) if written_number else ""
        if written_number and not number:
            self._skip(mapping, fid, f"{written_number[:40]!r} is not a house number")
            return
        parts = {part: canonical_part(row.get(part, ""), part) for part in _PART_WORDS}
        for part, value in parts.items():
            if row.get(part) and not value:
                self._skip(mapping, fid, f"{row[part][:40]!r} is not a {part} number")
                return
        probe = _Entry(0, 0, 0, None, Level.HOUSE_NUMBER, x, y)
        self._place(probe, row)
        group = _village_group(row.get("village_group", ""))
        if not road and group and probe.community:
            # 兆丰村5组12号: a village group numbers its houses as a road does.
            road = probe.community + group
        if compound and parts["building"]:
            anchor = self._anchor(self.compounds, Level.COMPOUND, compound, probe, mapping, fid)
            self._compound_part(mapping, fid, anchor, parts, x, y)
        elif road and number:
            anchor = self._anchor(self.roads, Level.ROAD, road, probe, mapping, fid)
            self._house(mapping, fid, anchor, number, probe, x, y)
        else:
            self._skip(
                mapping, fid,
                "a row needs road (or village group) and house number, or compound and building",
            )

    # -- numbered entries -------------------------------------------------------------------

    def _anchor(self, index, level, name, probe: _Entry, mapping, fid) -> _Entry:
        """The road or compound named ``name`` near ``probe``; implied if none was mapped.

        An implied one takes the first row that names it as its source, so that it is
        visible to exactly those who see that row.
        """
        key = next((k for k in ((probe.town, name), ("", name)) if k in index), None)
        if key is not None:
            anchor = self.named[index[key]]
        else:
            anchor = self._new(mapping, fid, level, probe.x, probe.y, name=name, implied=True)
            if level == Level.ROAD:
                anchor.road = name
            else:
                anchor.compound = name
            anchor.district, anchor.town, anchor.community = probe.district, probe.town, probe.community
            self.named[anchor.id] = anchor
            self._register(index, anchor)
        anchor.weight += 1
        if anchor.implied:
            _add_child(anchor, probe.x, probe.y)
        return anchor

    def _house(self, mapping, fid, road: _Entry, number: str, probe: _Entry, x, y) -> None:
        for written in (number, *_range_members(number)):
            house = self._numbered(mapping, fid, Level.HOUSE_NUMBER, road, x, y, number=written)
            house.district, house.town, house.community = probe.district, probe.town, probe.community
            # 14号 inside 12-16号 answers with the address as registered.
            house.number = number
            self._write(house, number_key=written)

    def _compound_part(self, mapping, fid, compound: _Entry, parts: dict, x, y) -> None:
        building, unit, room = parts["building"], parts["unit"], parts["room"]
        steps = [(Level.BUILDING, building, "")]
        if unit:
            steps.append((Level.UNIT, building, unit))
        for step, b, u in steps:
            key = (compound.id, b, u)
            known = self.parts.get(key)
            if not room and u == unit:  # this row is the building or unit itself
                entry = self._numbered(mapping, fid, step, compound, x, y, building=b, unit=u)
                if known is None:
                    self.parts[key] = entry.id
                elif known in self.implied:
                    entry.id = self.implied.pop(known).id  # its rooms implied it already
                self._write(entry)
                return
            if known is None:
                parent = self._numbered(mapping, fid, step, compound, x, y, building=b, unit=u)
                parent.implied = True
                self.implied[parent.id] = parent
                self.parts[key] = known = parent.id
            if known in self.implied:
                _add_child(self.implied[known], x, y)
        if room:
            self._write(
                self._numbered(mapping, fid, Level.ROOM, compound, x, y, building=building, unit=unit, room=room)
            )

    def _numbered(self, mapping, fid, level, anchor: _Entry, x, y, **values) -> _Entry:
        entry = self._new(mapping, fid, level, x, y, anchor_id=anchor.id, **values)
        entry.road, entry.compound = anchor.road, anchor.compound
        entry.district, entry.town, entry.community = anchor.district, anchor.town, anchor.community
        return entry

    def _register(self, index: dict, entry: _Entry) -> None:
        for name in (entry.name, *(text for _, text in entry.names)):
            index.setdefault((entry.town, name), entry.id)
            index.setdefault(("", name), entry.id)

    # -- writing --------------------------------------------------------------------------

    def _write(self, entry: _Entry, number_key: str | None = None) -> None:
        self.counts[entry.level] += 1
        geometry = None
        if entry.geom is not None:
            geometry = shapely.to_wkb(shapely.set_srid(entry.geom, 4490), hex=True, include_srid=True)
        number = entry.number if number_key is None else number_key
        self.pending.append((
            entry.id, entry.mapping_id, entry.layer_id, entry.fid, int(entry.level), entry.anchor_id,
            entry.name, entry.category, entry.code, number if entry.level == Level.HOUSE_NUMBER else "",
            _leading_int(number) if entry.level == Level.HOUSE_NUMBER else None,
            entry.building, entry.unit, entry.room, entry.district, entry.town, entry.community,
            self._standard_address(entry)[:300], f"SRID=4490;POINT({entry.x!r} {entry.y!r})",
            geometry, entry.weight,
        ))
        if len(self.pending) >= _FETCH:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(_tables.shadow("geocoding_entry")),
            sql.SQL(", ").join(map(sql.Identifier, _ENTRY_COLUMNS)),
        )
        with connection.cursor() as cur, cur.cursor.copy(statement) as copy:
            for row in self.pending:
                copy.write_row(row)
        self.pending = []

    def _finish(self) -> None:
        """Write the named and implied entries, now that implied points are known, and names."""
        for entry in [*self.implied.values(), *self.named.values()]:
            if entry.implied and entry.children:
                entry.x, entry.y = entry.sum_x / entry.children, entry.sum_y / entry.children
            self._write(entry)
        self._flush()
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(_tables.shadow("geocoding_name")),
            sql.SQL(", ").join(map(sql.Identifier, _NAME_COLUMNS)),
        )
        with connection.cursor() as cur, cur.cursor.copy(statement) as copy:
            for entry in self.named.values():
                for row in self._name_rows(entry):
                    copy.write_row(row)

    def _name_rows(self, entry: _Entry):
        kind = _KIND_OF_LEVEL.get(entry.level, "division")
        seen = set()
        for form, text in [(Form.NAME, entry.name), *entry.names]:
            for stored_form, key in stored_forms(text, kind, self.admin.prefixes, form):
                if key in seen:
                    continue
                seen.add(key)
                full = stored_form in (Form.NAME, Form.ALIAS, Form.FORMER)
                yield (
                    entry.id, int(entry.level), int(stored_form), key[:200],
                    variants(key) if stored_form <= Form.SHORT else [],
                    initials(key)[:200] if full else "",
                    full_pinyin(key)[:400] if full else "",
                )


def _add_child(parent: _Entry, x: float, y: float) -> None:
    parent.sum_x += x
    parent.sum_y += y
    parent.children += 1


def _depth(mapping: FieldMapping) -> int:
    # House numbers before buildings before rooms, so parents come before children.
    return sum(bool(getattr(mapping, f)) for f in ("building_field", "unit_field", "room_field"))


def _division_level(code: str, known: AdminName | None) -> Level | None:
    if known is not None:
        return Level(int(known.level))
    if len(code) == 12:
        return Level.COMMUNITY
    if len(code) == 9:
        return Level.TOWN
    if len(code) == 6:
        return Level.PROVINCE if code.endswith("0000") else Level.CITY if code.endswith("00") else Level.DISTRICT
    return None


def _other_names(row: dict) -> list[tuple[Form, str]]:
    names = []
    for column, form in (("alias", Form.ALIAS), ("former_name", Form.FORMER)):
        for text in _LIST_SEPARATORS.split(row.get(column, "")):
            text = normalize(text).replace(" ", "")
            if text:
                names.append((form, text))
    return names


def _merge_lines(first, second):
    if first is None or second is None:
        return first if second is None else second
    lines = [line for geometry in (first, second) for line in getattr(geometry, "geoms", [geometry])]
    return shapely.line_merge(shapely.MultiLineString(lines))


def _village_group(written: str) -> str:
    """``5组``, ``五组``, ``5`` -> ``5组``; ``""`` if it is not one."""
    text = _key(written)
    if text and not text.endswith("组"):
        text = _key(text + "组")
    return text if re.fullmatch(r"[0-9]{1,3}组", text) else ""


def _range_members(number: str) -> list[str]:
    first, tilde, last = number.partition("~")
    if not (tilde and first.isdigit() and last.isdigit()):
        return []
    low, high = int(first), int(last)
    if high <= low or high - low > _MAX_RANGE_SPAN:
        return []
    step = 2 if (high - low) % 2 == 0 else 1
    return [str(n) for n in range(low, high + 1, step)]


def _leading_int(number: str) -> int | None:
    match = _LEADING_INT.match(number)
    return int(match.group()) if match and len(match.group()) <= 9 else None
