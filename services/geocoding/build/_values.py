"""The values of source rows as the gazetteer stores them: names, numbers, parts."""

from __future__ import annotations

import re
from functools import lru_cache

import shapely

from ..divisions import AdminName
from ..keys import Form, name_key
from ..models import Level
from ..normalize import canonical_house_number

__all__ = [
    "PART_WORDS",
    "canonical_part",
    "division_level",
    "house_number",
    "leading_int",
    "merge_lines",
    "normalized",
    "other_names",
    "range_members",
    "village_group",
]

# A range 12-16号 also answers 14号; longer "ranges" are more likely typing errors.
_MAX_RANGE_SPAN = 100
_LIST_SEPARATORS = re.compile(r"[;；,，、|/]+")
_PART = re.compile(r"[0-9A-Z甲乙丙丁][0-9A-Z-]{0,19}")
PART_WORDS = {"building": "幢", "unit": "单元", "room": "室"}
_LEADING_INT = re.compile(r"[0-9]+")

# Registers repeat the same road names, numbers and division names row after row:
# each distinct text is normalised once per process.
normalized = lru_cache(maxsize=200_000)(name_key)
house_number = lru_cache(maxsize=200_000)(canonical_house_number)


@lru_cache(maxsize=100_000)
def canonical_part(value: str, part: str) -> str:
    """A building, unit or room number as the parser writes it; ``""`` if it is none.

    ``5号楼``, ``五栋``, ``5`` -> ``5`` (building); ``二单元`` -> ``2``; ``301室`` -> ``301``.
    """
    word = PART_WORDS[part]
    text = name_key(value)
    if text and not text.endswith(word):
        text = name_key(text + word)
    text = text.removesuffix(word)
    return text if _PART.fullmatch(text) else ""


def division_level(code: str, known: AdminName | None) -> Level | None:
    if known is not None:
        return Level(int(known.level))
    if len(code) == 12:
        return Level.COMMUNITY
    if len(code) == 9:
        return Level.TOWN
    if len(code) == 6:
        return (
            Level.PROVINCE
            if code.endswith("0000")
            else Level.CITY
            if code.endswith("00")
            else Level.DISTRICT
        )
    return None


def other_names(row: dict) -> list[tuple[Form, str]]:
    names = []
    for column, form in (("alias", Form.ALIAS), ("former_name", Form.FORMER)):
        for text in _LIST_SEPARATORS.split(row.get(column, "")):
            text = name_key(text)
            if text:
                names.append((form, text))
    return names


def merge_lines(first, second):
    if first is None or second is None:
        return first if second is None else second
    lines = [
        line for geometry in (first, second) for line in getattr(geometry, "geoms", [geometry])
    ]
    return shapely.line_merge(shapely.MultiLineString(lines))


def village_group(written: str) -> str:
    """``5组``, ``五组``, ``5`` -> ``5组``; ``""`` if it is not one."""
    text = normalized(written)
    if text and not text.endswith("组"):
        text = normalized(text + "组")
    return text if re.fullmatch(r"[0-9]{1,3}组", text) else ""


def range_members(number: str) -> list[str]:
    first, tilde, last = number.partition("~")
    if not (tilde and first.isdigit() and last.isdigit()):
        return []
    low, high = int(first), int(last)
    if high <= low or high - low > _MAX_RANGE_SPAN:
        return []
    step = 2 if (high - low) % 2 == 0 else 1
    return [str(n) for n in range(low, high + 1, step)]


def leading_int(number: str) -> int | None:
    match = _LEADING_INT.match(number)
    return int(match.group()) if match and len(match.group()) <= 9 else None
