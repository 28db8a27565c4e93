"""Source rows to gazetteer entries: one handler per kind of mapped layer."""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import shapely
from django.db import connection, transaction
from psycopg import sql

from layers import storage

from ..address import ParsedAddress
from ..divisions import AdminLevel, parent_chain
from ..keys import Form, prefixes, stored_forms, variants, without_prefix
from ..models import DIVISION_LEVELS, FieldMapping, Level, Target
from ..normalize import strip_committee
from ..pinyin import full_pinyin, initials
from ..standard import standard_address
from . import _tables
from ._places import Places
from ._values import (
    PART_WORDS,
    canonical_part,
    division_level,
    house_number,
    leading_int,
    merge_lines,
    normalized,
    other_names,
    range_members,
    village_group,
)

__all__ = ["Builder"]

_FETCH = 20_000
_PROGRESS_EVERY_SECONDS = 1.0
_TARGET_ORDER = [Target.DIVISION, Target.ROAD, Target.COMPOUND, Target.POI, Target.ADDRESS]
_ENTRY_COLUMNS = (
    "id",
    "mapping_id",
    "layer_id",
    "fid",
    "pieces",
    "level",
    "anchor_id",
    "name",
    "category",
    "code",
    "number",
    "number_int",
    "building",
    "unit",
    "room",
    "district",
    "town",
    "community",
    "address",
    "point",
    "geom",
    "weight",
)
_NAME_COLUMNS = ("id", "entry_id", "level", "form", "key", "initials", "pinyin")
_KIND_OF_LEVEL = {Level.ROAD: "road", Level.COMPOUND: "compound", Level.POI: "poi"}
_PLACES = tuple(
    (level, level.field) for level in (AdminLevel.DISTRICT, AdminLevel.TOWN, AdminLevel.COMMUNITY)
)


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
    pieces: list = field(default_factory=list)  # fids of the same layer merged in
    weight: int = 0
    # Implied entries: the sum of their children's coordinates until written.
    implied: bool = False
    sum_x: float = 0.0
    sum_y: float = 0.0
    children: int = 0


class Builder:
    def __init__(self, report_progress: Callable[[float], None]):
        self.report_progress = report_progress
        self.admin = Places()
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
            Target.DIVISION: self._division,
            Target.ROAD: self._road,
            Target.COMPOUND: self._compound,
            Target.POI: self._poi,
            Target.ADDRESS: self._address,
        }

    # -- orchestration ----------------------------------------------------------------------

    def run(self) -> _Report:
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence('geocoding_entry', 'id'))")
            self.next_id = cur.fetchone()[0]
        mappings = list(
            FieldMapping.objects.filter(enabled=True, layer__storage="vector").select_related(
                "layer"
            )
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
        with (
            transaction.atomic(),
            connection.connection.cursor(name=f"gazetteer_{uuid.uuid4().hex}") as cur,
        ):
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
            entry.district = (
                self.admin.chain({"town": entry.town})["district"] or self.admin.district
            )

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
                poi=without_prefix(entry.name, self.admin.prefixes)
                if entry.level == Level.POI
                else "",
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
        written = normalized(row.get("name", ""))
        known = self.admin.by_code.get(code) if code else None
        if known is None and written:
            found = self.admin.parser.divisions(written)
            known = found[0] if len(found) == 1 else None
        level = division_level(code, known)
        if level is None:
            self._skip(mapping, fid, f"cannot tell the level of division {written or code!r}")
            return
        name = known.canonical if known else strip_committee(written)
        entry = self._new(
            mapping, fid, level, x, y, name=name, code=code or getattr(known, "code", "")
        )
        entry.geom = geometry
        if known is not None:
            for parent in parent_chain(known, self.admin.by_code):
                if parent.level >= AdminLevel.DISTRICT:
                    setattr(entry, parent.level.field, parent.canonical)
            entry.names = [
                (Form.ALIAS, alias) for alias in sorted(known.aliases()[0]) if alias != name
            ]
        if level >= Level.DISTRICT:
            setattr(entry, AdminLevel(int(level)).field, name)
            self._place(entry, row, below=AdminLevel(int(level) - 1))
        if geometry is not None and shapely.get_dimensions(geometry) == 2:
            self.admin.add_area(level, name, geometry)
        entry.weight = 10_000 * (Level.COMMUNITY + 1 - level)
        self.named[entry.id] = entry

    def _named(self, mapping, fid, row, level: Level, x, y, what: str, **values) -> _Entry | None:
        """A new entry of ``level`` named by the row, placed in its divisions; None (the row
        skipped) without a name. A road or compound also names itself as one."""
        name = normalized(row.get("name", ""))
        if not name:
            self._skip(mapping, fid, f"{what} without a name")
            return None
        if level in (Level.ROAD, Level.COMPOUND):
            values[level.name.lower()] = name
        entry = self._new(mapping, fid, level, x, y, name=name, **values)
        self._place(entry, row)
        return entry

    def _road(self, mapping, fid, row, x, y, geometry) -> None:
        road = self._named(mapping, fid, row, Level.ROAD, x, y, "road")
        if road is None:
            return
        existing = self.roads.get((road.town, road.name))
        if existing is not None:
            # Another piece of a road already read: one entry, the lines merged. A piece from
            # another layer adds nothing: its names and line answer only its own callers' policy.
            known = self.named[existing]
            if known.layer_id == road.layer_id:
                known.geom = merge_lines(known.geom, geometry)
                known.names += other_names(row)
                known.pieces.append(fid)
            return
        road.geom = geometry
        road.names = other_names(row)
        self.named[road.id] = road
        self._register(self.roads, road)

    def _compound(self, mapping, fid, row, x, y, geometry) -> None:
        entry = self._named(mapping, fid, row, Level.COMPOUND, x, y, "compound")
        if entry is None:
            return
        entry.geom = geometry
        entry.names = other_names(row)
        self.named[entry.id] = entry
        self._register(self.compounds, entry)

    def _poi(self, mapping, fid, row, x, y, geometry) -> None:
        entry = self._named(mapping, fid, row, Level.POI, x, y, "POI",
                            category=row.get("category", "")[:60])
        if entry is None:
            return
        entry.names = other_names(row)
        entry.road = normalized(row.get("road", ""))
        if entry.road and row.get("number"):
            entry.number = house_number(row["number"])
        self.named[entry.id] = entry

    def _address(self, mapping, fid, row, x, y, geometry) -> None:
        road = normalized(row.get("road", ""))
        compound = normalized(row.get("compound", ""))
        written_number = row.get("number", "")
        number = house_number(written_number) if written_number else ""
        if written_number and not number:
            self._skip(mapping, fid, f"{written_number[:40]!r} is not a house number")
            return
        parts = {part: canonical_part(row.get(part, ""), part) for part in PART_WORDS}
        for part, value in parts.items():
            if row.get(part) and not value:
                self._skip(mapping, fid, f"{row[part][:40]!r} is not a {part} number")
                return
        probe = _Entry(0, 0, 0, None, Level.HOUSE_NUMBER, x, y)
        self._place(probe, row)
        group = village_group(row.get("village_group", ""))
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
                mapping,
                fid,
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
            anchor.district, anchor.town, anchor.community = (
                probe.district,
                probe.town,
                probe.community,
            )
            self.named[anchor.id] = anchor
            self._register(index, anchor)
        anchor.weight += 1
        if anchor.implied:
            _add_child(anchor, probe.x, probe.y)
        return anchor

    def _house(self, mapping, fid, road: _Entry, number: str, probe: _Entry, x, y) -> None:
        for written in (number, *range_members(number)):
            # 14号 inside 12-16号 answers with the address as registered.
            house = self._numbered(mapping, fid, Level.HOUSE_NUMBER, road, x, y, number=number)
            house.district, house.town, house.community = (
                probe.district,
                probe.town,
                probe.community,
            )
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
                self._numbered(
                    mapping,
                    fid,
                    Level.ROOM,
                    compound,
                    x,
                    y,
                    building=building,
                    unit=unit,
                    room=room,
                )
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
            geometry = shapely.to_wkb(
                shapely.set_srid(entry.geom, 4490), hex=True, include_srid=True
            )
        number = entry.number if number_key is None else number_key
        self.pending.append(
            (
                entry.id,
                entry.mapping_id,
                entry.layer_id,
                entry.fid,
                entry.pieces,
                int(entry.level),
                entry.anchor_id,
                entry.name,
                entry.category,
                entry.code,
                number if entry.level == Level.HOUSE_NUMBER else "",
                leading_int(number) if entry.level == Level.HOUSE_NUMBER else None,
                entry.building,
                entry.unit,
                entry.room,
                entry.district,
                entry.town,
                entry.community,
                self._standard_address(entry)[:300],
                f"SRID=4490;POINT({entry.x!r} {entry.y!r})",
                geometry,
                entry.weight,
            )
        )
        if len(self.pending) >= _FETCH:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        self._copy("geocoding_entry", _ENTRY_COLUMNS, self.pending)
        self.pending = []

    def _finish(self) -> None:
        """Write the named and implied entries, now that implied points are known, and names."""
        for entry in [*self.implied.values(), *self.named.values()]:
            if entry.implied and entry.children:
                entry.x, entry.y = entry.sum_x / entry.children, entry.sum_y / entry.children
            self._write(entry)
        self._flush()
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence('geocoding_name', 'id'))")
            next_name = cur.fetchone()[0]
        names = []  # (id, entry, level, form, key, initials, pinyin)
        for entry in self.named.values():
            for row in self._name_rows(entry):
                names.append((next_name, *row))
                next_name += 1
        self._copy("geocoding_name", _NAME_COLUMNS, names)
        self._copy(
            "geocoding_variant",
            ("variant", "name_id"),
            (
                (variant, name[0])
                for name in names
                if name[3] <= Form.SHORT
                for variant in variants(name[4])
            ),
        )
        beginnings = {}
        for _, entry_id, _, form, key, first_letters, letters in names:
            if form <= Form.SHORT:
                beginnings.setdefault(entry_id, set()).update(prefixes(key, first_letters, letters))
        self._copy(
            "geocoding_prefix",
            ("prefix", "entry_id", "weight"),
            (
                (prefix, entry_id, self.named[entry_id].weight)
                for entry_id, found in beginnings.items()
                for prefix in found
            ),
        )
        with connection.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [_tables.shadow("geocoding_name"), next_name],
            )

    def _copy(self, table: str, columns: tuple[str, ...], rows) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(_tables.shadow(table)), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with connection.cursor() as cur, cur.cursor.copy(statement) as copy:
            for row in rows:
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
                    entry.id,
                    int(entry.level),
                    int(stored_form),
                    key[:200],
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
