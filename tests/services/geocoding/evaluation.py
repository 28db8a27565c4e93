"""The labelled evaluation set: queries written from gazetteer entries the way people write.

``generate`` samples entries of every level from the gazetteer in the database and
writes each as an address with variation: levels left out or wrong, one character
mistyped, Chinese or full-width numerals, unit-word synonyms, road aliases and former
names, colloquial compound names, trailing descriptions, punctuation. The label is the
entry's standard address and level. ``evaluate`` geocodes the cases and counts top-1
answers by level.

Two mixes: ``TUNE`` is what the matcher was tuned on; ``HOLDOUT`` uses another seed
and other variations, and is only evaluated, never tuned on.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Case", "HOLDOUT", "Mix", "Report", "TUNE", "evaluate", "generate", "load", "save"]

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Mix:
    """How often each variation is applied (0 to 1), and the seed."""

    name: str
    seed: int
    typo: float = 0.15
    numerals: float = 0.15
    fullwidth: float = 0.05
    synonyms: float = 0.3
    extra_words: float = 0.15
    wrong_district: float = 0.05
    colloquial: float = 0.3
    alias: float = 0.2
    hyphenated: float = 0.2
    no_hao: float = 0.1
    punctuation: float = 0.1
    traditional: float = 0.0
    number_sign: float = 0.0
    ordinal: float = 0.0
    old_town_name: float = 0.0
    town_last: float = 0.0


TUNE = Mix("tune", seed=20_260)
HOLDOUT = Mix(
    "holdout",
    seed=77_017,
    typo=0.2,
    numerals=0.25,
    fullwidth=0.1,
    synonyms=0.4,
    extra_words=0.25,
    wrong_district=0.1,
    colloquial=0.35,
    alias=0.25,
    hyphenated=0.3,
    no_hao=0.15,
    punctuation=0.2,
    traditional=0.1,
    number_sign=0.1,
    ordinal=0.1,
    old_town_name=0.15,
    town_last=0.05,
)

# Shares of each level among the cases (house numbers dominate registers).
_LEVEL_SHARES = {
    "house_number": 0.5,
    "building": 0.1,
    "unit": 0.05,
    "room": 0.1,
    "poi": 0.08,
    "road": 0.05,
    "compound": 0.05,
    "town": 0.03,
    "community": 0.04,
}
_DIGITS = "零一二三四五六七八九"
_WRONG_DISTRICTS = ("昆山市", "常熟市", "太仓市", "吴江区", "江阴市")
_DESCRIPTIONS = ("旁边", "对面", "门口", "附近", "东侧50米", "北边", "往西100米", "斜对面")
_PUNCTUATION = (" ", "，", "、", "-", "  ")
# Characters people type by mistake for others: same sound or a near shape, and some
# frequent characters for plain slips.
_CONFUSABLE = {
    "阳": "杨扬洋",
    "杨": "扬阳",
    "丰": "风峰枫",
    "园": "圆元",
    "花": "华",
    "华": "花化",
    "民": "明名",
    "人": "仁",
    "城": "成诚",
    "港": "巷",
    "东": "冬",
    "新": "心欣",
    "南": "兰",
    "江": "姜",
    "河": "和何",
    "湖": "胡",
    "山": "三",
    "金": "今",
    "沙": "纱",
    "洲": "州",
    "景": "京",
    "苑": "院远",
    "庭": "亭",
    "府": "付",
    "家": "佳加",
    "塘": "唐堂",
    "桥": "乔",
    "锦": "金",
    "凤": "风",
    "凰": "皇",
    "乐": "勒",
    "余": "于",
    "泰": "太",
    "安": "按",
    "长": "常",
    "中": "钟",
    "西": "溪",
    "北": "贝",
    "兴": "星",
    "福": "富",
    "康": "康",
}
_SLIPS = (
    "的是不了在有和大这为上国我以要他时来用们生到作地于出就对成会可主"
    "发年动同工也能过子说产种面而方后多定行学法所"
)
# Typos fall on the name, not on numbers or the words that count them.
_NOT_MISTYPED = set("0123456789零一二三四五六七八九十百千组号幢栋弄巷单元室")
_TRADITIONAL = str.maketrans("号楼栋单门区园国阳东乐长丰华兴湾", "號樓棟單門區園國陽東樂長豐華興灣")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_BUILDING_WORDS = ("幢", "栋", "号楼", "座", "#楼")
_ROOM_WORDS = ("室", "", "房", "号")


@dataclass(frozen=True)
class Case:
    query: str
    address: str
    level: str
    variations: tuple[str, ...] = ()


@dataclass
class Report:
    by_level: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_variation: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list = field(default_factory=list)

    def add(self, case: Case, correct: bool, answer: str) -> None:
        self.by_level[case.level][0] += 1
        self.by_level[case.level][1] += correct
        for variation in case.variations or ("plain",):
            self.by_variation[variation][0] += 1
            self.by_variation[variation][1] += correct
        if not correct:
            self.misses.append((case, answer))

    def accuracy(self, level: str | None = None) -> float:
        if level is None:
            total = sum(n for n, _ in self.by_level.values())
            right = sum(r for _, r in self.by_level.values())
        else:
            total, right = self.by_level.get(level, (0, 0))
        return right / total if total else float("nan")


def save(cases: list[Case], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        for case in cases:
            stream.write(json.dumps(asdict(case), ensure_ascii=False) + "\n")


def load(path: Path) -> list[Case]:
    with open(path, encoding="utf-8") as stream:
        return [
            Case(d["query"], d["address"], d["level"], tuple(d["variations"]))
            for d in map(json.loads, stream)
        ]


def evaluate(cases: list[Case], scope, chunk: int = 500) -> Report:
    """Geocode every case's query; an answer is right if its top candidate is the entry."""
    from services.geocoding.matcher import geocode

    report = Report()
    for start in range(0, len(cases), chunk):
        part = cases[start : start + chunk]
        for case, match in zip(part, geocode([c.query for c in part], scope, limit=1)):
            best = match.best
            correct = (
                best is not None
                and not best.interpolated
                and best.level.api_name == case.level
                and best.address == case.address
            )
            answer = f"{best.level.api_name} {best.address}" if best else "nothing"
            report.add(case, correct, answer)
    return report


def generate(mix: Mix, size: int) -> list[Case]:
    """``size`` cases written from the gazetteer now in the database."""
    rng = random.Random(mix.seed)
    world = _World()
    cases, seen = [], set()
    shares = {level: share for level, share in _LEVEL_SHARES.items() if world.entries[level]}
    total = sum(shares.values())
    for level, share in shares.items():
        wanted = round(size * share / total)
        pool = world.entries[level]
        attempts = 0
        made = 0
        while made < wanted and attempts < wanted * 5:
            attempts += 1
            entry = rng.choice(pool)
            case = _Writer(rng, mix, world, entry).case()
            if case is None or case.query in seen:
                continue
            seen.add(case.query)
            cases.append(case)
            made += 1
    rng.shuffle(cases)
    return cases


class _World:
    """What the generator needs to know of the gazetteer: entries, names and ambiguity."""

    def __init__(self):
        from services.geocoding.models import Entry, Level, Name, NameForm

        self.entries: dict[str, list[dict]] = defaultdict(list)
        named = {}
        for entry in (
            Entry.objects.filter(level__in=[l.value for l in Level])
            .values(
                "id",
                "level",
                "anchor_id",
                "name",
                "number",
                "building",
                "unit",
                "room",
                "district",
                "town",
                "community",
                "address",
            )
            .iterator(chunk_size=5000)
        ):
            level = Level(entry["level"])
            entry["level"] = level.api_name
            if level in (Level.ROAD, Level.COMPOUND, Level.POI) or level <= Level.COMMUNITY:
                named[entry["id"]] = entry
            self.entries[entry["level"]].append(entry)
        self.named = named
        self.other_names: dict[int, list[str]] = defaultdict(list)
        self.key_entries: dict[str, set[int]] = defaultdict(set)
        self.towns_of: dict[str, set] = defaultdict(set)
        for entry_id, form, key in Name.objects.values_list("entry_id", "form", "key"):
            self.key_entries[key].add(entry_id)
            if form in (NameForm.ALIAS, NameForm.FORMER) and entry_id in named:
                self.other_names[entry_id].append(key)
        for entry in named.values():
            self.towns_of[entry["name"]].add(entry["town"])
        # Numbers are written one at a time (a range by its members), on a known anchor.
        for level in ("house_number", "building", "unit", "room"):
            self.entries[level] = [
                e for e in self.entries[level] if e["anchor_id"] in named and "~" not in e["number"]
            ]

    def ambiguous_without_town(self, name: str) -> bool:
        return len(self.towns_of.get(name, ())) > 1

    def names_another(self, text: str, slot: str, entry_id: int) -> bool:
        """Whether ``text``, or a form the matcher reduces it to, names some other entry."""
        from services.geocoding.keys import query_forms

        return any(
            self.key_entries.get(key, set()) - {entry_id} for _, key in query_forms(text, slot)
        )


class _Writer:
    """Writes one entry as a query, choosing variations by the mix."""

    def __init__(self, rng: random.Random, mix: Mix, world: _World, entry: dict):
        self.rng, self.mix, self.world, self.entry = rng, mix, world, entry
        self.variations: list[str] = []

    def chance(self, name: str) -> bool:
        return self.rng.random() < getattr(self.mix, name)

    def note(self, name: str) -> None:
        self.variations.append(name)

    def case(self) -> Case | None:
        entry = self.entry
        level = entry["level"]
        anchor = self.world.named.get(entry["anchor_id"]) if entry["anchor_id"] else None
        if level == "house_number":
            body = self._road(anchor) + self._number(entry["number"], "号")
        elif level in ("building", "unit", "room"):
            body = self._compound(anchor) + self._parts(entry)
        elif level == "road":
            body = self._road(entry)
        elif level == "compound":
            body = self._compound(entry)
        elif level == "poi":
            body = self._misspelt(entry["name"], "poi", entry["id"])
        elif level == "town":
            body = ""
        elif level == "community":
            body = entry["name"]
        else:
            return None
        if body is None:
            return None
        name = (anchor or entry)["name"]
        must_name_town = level in ("town", "community") or self.world.ambiguous_without_town(name)
        query = self._places(entry, must_name_town) + body
        if not query.strip():
            return None
        query = self._decorate(query)
        return Case(query, entry["address"], level, tuple(self.variations))

    # -- parts --------------------------------------------------------------------------

    def _places(self, entry: dict, must_name_town: bool) -> str:
        style = self.rng.choice(("full", "city", "district", "town", "none", "none"))
        if must_name_town and style == "none":
            style = "town"
        town = entry["town"]
        if town and self.chance("old_town_name"):
            renamed = _old_name(town)
            if renamed != town:
                town = renamed
                self.note("old_town_name")
        district = entry["district"] or "张家港市"
        if self.chance("wrong_district") and style in ("full", "city", "district"):
            district = self.rng.choice(_WRONG_DISTRICTS)
            self.note("wrong_district")
        if style != "full":
            self.note("missing_levels")
        parts = {
            "full": ["江苏省", "苏州市", district, town],
            "city": ["苏州市", district, town],
            "district": [
                district.removesuffix("市") if self.rng.random() < 0.3 else district,
                town,
            ],
            "town": [town],
            "none": [],
        }[style]
        separator = self.rng.choice(_PUNCTUATION) if self.chance("punctuation") else ""
        if separator:
            self.note("punctuation")
        return separator.join(p for p in parts if p) + separator if parts else ""

    def _road(self, road: dict | None) -> str | None:
        if road is None:
            return None
        name = road["name"]
        others = self.world.other_names.get(road["id"], [])
        if others and self.chance("alias"):
            alias = self.rng.choice(others)
            if not self.world.names_another(alias, "road", road["id"]):
                name = alias
                self.note("alias")
        return self._misspelt(name, "road", road["id"])

    def _compound(self, compound: dict | None) -> str | None:
        if compound is None:
            return None
        name = compound["name"]
        if self.chance("colloquial"):
            spoken = _colloquial(name, self.rng)
            if (
                spoken
                and spoken != name
                and not self.world.names_another(spoken, "compound", compound["id"])
                and not _reads_as_a_division(spoken)
            ):
                name = spoken
                self.note("colloquial")
        return self._misspelt(name, "compound", compound["id"])

    def _misspelt(self, name: str, slot: str, entry_id: int) -> str:
        if len(name) < 3 or not self.chance("typo"):
            return name
        for _ in range(6):
            position = self.rng.randrange(len(name))
            original = name[position]
            if original in _NOT_MISTYPED:
                continue
            choices = _CONFUSABLE.get(original, "") or _SLIPS
            replacement = self.rng.choice(choices)
            if replacement == original:
                continue
            written = name[:position] + replacement + name[position + 1 :]
            if not self.world.names_another(written, slot, entry_id):
                self.note("typo")
                return written
        return name

    def _number(self, number: str, word: str) -> str:
        digits, rest = _split_digits(number)
        if digits and self.chance("numerals"):
            digits = _positional(int(digits)) if self.rng.random() < 0.6 else _one_by_one(digits)
            self.note("numerals")
        elif digits and self.chance("fullwidth"):
            digits = digits.translate(_FULLWIDTH)
            self.note("fullwidth")
        if rest in "甲乙丙丁" and rest:
            written = self.rng.choice((f"{rest}{digits}{word}", f"{digits}{word}{rest}"))
            return written
        if word == "号" and not rest and self.chance("no_hao"):
            self.note("no_hao")
            return digits
        if word == "号" and not rest and self.chance("number_sign"):
            self.note("number_sign")
            return digits + "#"
        return f"{digits}{rest}{word}"

    def _parts(self, entry: dict) -> str:
        building, unit, room = entry["building"], entry["unit"], entry["room"]
        if room and unit and building.isdigit() and self.chance("hyphenated"):
            self.note("hyphenated")
            return f"{building}-{unit}-{room}"
        word = "幢"
        if self.chance("synonyms"):
            word = self.rng.choice(_BUILDING_WORDS)
            if word != "幢":
                self.note("synonyms")
        text = self._number(building, word)
        if self.chance("ordinal") and building.isdigit():
            text = "第" + text
            self.note("ordinal")
        if unit:
            text += self._number(unit, "单元")
        if room:
            room_word = "室"
            if self.chance("synonyms"):
                room_word = self.rng.choice(_ROOM_WORDS)
                self.note("synonyms")
            digits = room if not self.chance("numerals") else _one_by_one(room)
            text += digits + room_word
        return text

    def _decorate(self, query: str) -> str:
        if self.chance("extra_words"):
            query += self.rng.choice(_DESCRIPTIONS)
            self.note("extra_words")
        if self.chance("traditional"):
            query = query.translate(_TRADITIONAL)
            self.note("traditional")
        return query


def _split_digits(number: str) -> tuple[str, str]:
    digits = ""
    for ch in number:
        if not ch.isdigit():
            break
        digits += ch
    return digits, number[len(digits) :]


def _one_by_one(digits: str) -> str:
    return "".join(_DIGITS[int(d)] if d.isdigit() else d for d in digits)


def _positional(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        text = _DIGITS[hundreds] + "百"
        if rest == 0:
            return text
        if rest < 10:
            return text + "零" + _DIGITS[rest]
        return text + (_DIGITS[rest // 10] + "十" + (_DIGITS[rest % 10] if rest % 10 else ""))
    return _one_by_one(str(n))


def _colloquial(name: str, rng: random.Random) -> str | None:
    """梁丰花园 as people say it: 梁丰, 梁丰小区, 梁丰新村; a name without a generic word
    gains one (江南春堤小区)."""
    from services.geocoding.keys import query_forms

    cores = [key for form, key in query_forms(name, "compound")[1:]]
    if cores:
        core = cores[0]
        return rng.choice((core, core + "小区", core + "新村"))
    if len(name) >= 3:
        return name + "小区"
    return None


def _reads_as_a_division(text: str) -> bool:
    # 城西 for 城西苑 is also the short name of 城西社区: a label nobody could get right.
    from services.geocoding import parse

    parsed = parse(text)
    return bool(parsed.town or parsed.community)


def _old_name(town: str) -> str:
    if town.endswith("街道"):
        return town[:-2] + "镇"
    return town
