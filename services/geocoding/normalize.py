"""Text normalisation for Chinese addresses.

Each step is a small function of ``str -> str`` that can be tested on its own;
``normalize`` chains them in the order the parser relies on and repeats the
chain until nothing changes, so normalising twice changes nothing.
"""

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "RoadName",
    "canonical_house_number",
    "chinese_to_int",
    "clean",
    "convert_numerals",
    "normalize",
    "normalize_house_numbers",
    "normalize_units",
    "split_road",
    "strip_committee",
]

# Each digit with its plain, capital (壹贰叁, on cheques and contracts) and spoken forms.
_DIGIT_VALUES = {
    char: value
    for value, chars in enumerate(
        ("零〇", "一壹幺", "二贰两", "三叁", "四肆", "五伍", "六陆", "七柒", "八捌", "九玖")
    )
    for char in chars
}
_MULTIPLIERS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_NUMERAL_CHARS = "".join(_DIGIT_VALUES) + "".join(_MULTIPLIERS) + "万"


# Traditional forms of the characters that carry address structure, and ASCII
# upper case; names themselves are left alone.
_FOLD_CHARS = str.maketrans(
    "號樓單棟衖衕區鎮鄉縣門廈園abcdefghijklmnopqrstuvwxyz",
    "号楼单栋弄弄区镇乡县门厦园ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)

_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\ufe58\ufe63]")
# 5#楼 and 12# are written for 5号楼 and 12号; any other # is punctuation.
_NUMBER_SIGN = re.compile(r"(?<=[0-9A-Z零〇一二两三四五六七八九十])#")
_SEPARATORS = re.compile(r"[^\w\s~-]|_")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_UNIT = re.compile(
    rf"(?<=[0-9{_NUMERAL_CHARS}]) (?=号|幢|栋|座|单元|室|房|户|层|楼|组|弄)"
)


def clean(text: str) -> str:
    """Fold full-width forms to ASCII and reduce punctuation to single spaces.

    Full-width digits, letters and punctuation and the ideographic space become
    ASCII (Unicode NFKC); ASCII letters are upper-cased; control characters,
    emoji and other symbols are dropped; punctuation and runs of white space
    become one space. A number sign after a number is 号 (``5#楼`` -> ``5号楼``).
    """
    text = unicodedata.normalize("NFKC", text).translate(_FOLD_CHARS)
    if not text.isascii():
        text = _OTHER_DIGITS.sub(_ascii_digit, text)
        text = _DASHES.sub("-", text)
    if "#" in text:
        text = _NUMBER_SIGN.sub("号", text)
    text = _SEPARATORS.sub(_separator_or_nothing, text)
    if not unicodedata.is_normalized("NFKC", text):
        # Dropping a symbol can join characters that compose (Hangul jamo).
        text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BEFORE_UNIT.sub("", text) if " " in text else text


_OTHER_DIGITS = re.compile(r"(?![0-9])\d")


def _ascii_digit(match: re.Match) -> str:
    return str(unicodedata.decimal(match.group()))


def _separator_or_nothing(match: re.Match) -> str:
    # Punctuation and operators (<, =, +) separate words; emoji, other symbols,
    # control characters and combining marks are noise.
    category = unicodedata.category(match.group())
    return " " if category[0] in "PZ" or category in ("Sm", "Sc", "Sk") else ""


def chinese_to_int(numeral: str) -> int:
    """Value of a Chinese numeral: ``一百二十三`` -> 123, ``十五`` -> 15, ``三零一`` -> 301.

    Positional forms (with 十/百/千/万) follow the spoken rules, including the
    colloquial ``一百一`` = 110; forms made only of digits are read digit by
    digit, as house and room numbers are. Capital numerals (壹贰叁…) count too.
    """
    if not numeral or any(ch not in _NUMERAL_CHARS for ch in numeral):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    if all(ch in _DIGIT_VALUES for ch in numeral):
        return int(_digit_by_digit(numeral))
    total = section = digit = 0
    last_multiplier = 1
    after_zero = False
    for ch in numeral:
        if ch in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[ch]
            after_zero = after_zero or digit == 0
        elif ch == "万":
            total += (section + digit or 1) * 10000
            section = digit = 0
            last_multiplier = 10000
        else:
            last_multiplier = _MULTIPLIERS[ch]
            section += (digit or 1) * last_multiplier
            digit = 0
            after_zero = False
    if digit and not after_zero and last_multiplier >= 100:
        digit *= last_multiplier // 10  # 一百一 = 110, 三千五 = 3500
    return total + section + digit


_UNIT_WORDS = "号|幢|栋|座|单元|室|房|户|层|楼|组|队|弄|巷|期"
_NUMERAL_IN_CONTEXT = re.compile(
    rf"[{_NUMERAL_CHARS}]+(?={_UNIT_WORDS})"
    rf"|(?<=号|幢|栋|座|元|室|房|户|层|楼|组|弄|巷|之|-|路|街|道|线)[{_NUMERAL_CHARS}]+(?=$|[\s-])"
)


def _digit_by_digit(numeral: str) -> str:
    return "".join(str(_DIGIT_VALUES[ch]) for ch in numeral)


def _arabic(match: re.Match) -> str:
    numeral = match.group()
    if all(ch in _DIGIT_VALUES for ch in numeral):
        return _digit_by_digit(numeral)  # keeps the leading zero of 〇一室
    return str(chinese_to_int(numeral))


def convert_numerals(text: str) -> str:
    """Chinese numerals that count something become Arabic digits.

    Only numerals next to a unit word convert (``十二幢`` -> ``12幢``,
    ``5幢二单元三零一`` -> ``5幢2单元301``), or ending the text after a road
    (``人民路八十八`` -> ``人民路88``), so names such as 三兴村, 七里庙 or
    第一人民医院 keep their characters.
    """
    return _NUMERAL_IN_CONTEXT.sub(_arabic, text)


_UNIT_WORD = re.compile(
    r"""
      (?P<ordinal>第+(?=[0-9]+(?:第*[0-9]+)*(?:号|幢|栋|座|单元|室|房|户|层|楼|组|期)))
    | (?<=[0-9A-Z])(?:
          (?P<building_before_unit>号?(?:楼栋|楼|栋|幢|座)(?=[0-9]+单元))
        | (?P<building>号(?:楼|栋|幢|座)|栋|座)
      )
    | (?<=[0-9])(?:(?P<floor>楼层|楼)|(?P<room>房间|房|户))
    """,
    re.VERBOSE,
)
_UNIT_REPLACEMENT = {
    "ordinal": "",
    "building_before_unit": "幢",
    "building": "幢",
    "floor": "层",
    "room": "室",
}


def normalize_units(text: str) -> str:
    """One word per unit: building 幢, floor 层, room 室.

    ``5号楼``, ``5栋``, ``5座`` -> ``5幢``; ``3楼`` -> ``3层`` (but ``3楼2单元``
    is building 3); ``301房``/``301户`` -> ``301室``; ``第3幢`` -> ``3幢``.
    """
    return _UNIT_WORD.sub(_unit_replacement, text)


def _unit_replacement(match: re.Match) -> str:
    return _UNIT_REPLACEMENT[match.lastgroup]


_HOUSE_NUMBER_RULES = (
    # 123之1号, 123号之1 -> 123-1号
    (
        re.compile("之"),
        re.compile(r"(?<![0-9~-])([0-9]+)号?之([0-9]+)(?![0-9]|幢|单元|室|层)号?"),
        r"\1-\2号",
    ),
    # 甲12号, 12号甲 -> 12甲号
    (
        re.compile("[甲乙丙丁]"),
        re.compile(r"[甲乙丙丁]([0-9]+)号"),
        lambda m: f"{m.group(1)}{m.group()[0]}号",
    ),
    (
        re.compile("[甲乙丙丁]"),
        re.compile(r"(?<![0-9~-])([0-9]+)号([甲乙丙丁])(?!幢|单元|室|层)"),
        r"\1\2号",
    ),
    # 88号-1 -> 88-1号; a longer number after the dash is a room (88号-301)
    (
        re.compile("-"),
        re.compile(r"(?<![0-9~-])([0-9]+)号-([0-9]{1,2})(?![0-9]|号|幢|单元|室|层)"),
        r"\1-\2号",
    ),
    # 12至16号, 12号至16号, 12~16号 -> 12~16号
    (
        re.compile("[至到~]"),
        re.compile(r"(?<![0-9~-])([0-9]+)号?(?:至|到|~)([0-9]+)号"),
        r"\1~\2号",
    ),
)
_HOUSE_RANGE_WITH_DASH = re.compile(r"(?<![0-9~-])([0-9]+)-([0-9]+)号")


def normalize_house_numbers(text: str) -> str:
    """House numbers in one written form per meaning.

    ``123之1号``/``123号之一`` -> ``123-1号`` (a sub-number), ``甲12号``/``12号甲``
    -> ``12甲号``, ``12至16号``/``12-16号`` -> ``12~16号`` (a range). A dash
    whose second number is larger is a range; otherwise a sub-number.
    """
    for trigger, pattern, replacement in _HOUSE_NUMBER_RULES:
        if trigger.search(text):
            text = pattern.sub(replacement, text)
    if "-" in text:
        text = _HOUSE_RANGE_WITH_DASH.sub(_range_or_sub_number, text)
    return text


def _range_or_sub_number(match: re.Match) -> str:
    first, second = match.groups()
    separator = "~" if int(second) > int(first) else "-"
    return f"{first}{separator}{second}号"


def canonical_house_number(text: str) -> str:
    """A house number as the parser stores it: ``甲12号`` -> ``12甲``, ``123之1号`` -> ``123-1``.

    Returns ``""`` when the text is not a house number.
    """
    number = normalize_house_numbers(convert_numerals(clean(text)))
    if not number.endswith("号"):
        # A numeral converts only next to its unit word: 九十九 -> 九十九号 -> 99号.
        number = normalize_house_numbers(convert_numerals(number + "号"))
    match = _CANONICAL_NUMBER.fullmatch(number)
    return match.group(1) if match else ""


_CANONICAL_NUMBER = re.compile(r"([0-9]+(?:[-~][0-9]+)?[A-Z甲乙丙丁]?)号")


def normalize(text: str) -> str:
    """``clean``, then ``convert_numerals``, ``normalize_units`` and ``normalize_house_numbers``.

    One step can set up work for another (moving 甲 can put a numeral next to
    号), so the chain repeats until nothing changes; real addresses settle in
    one pass. The result is a fixed point: ``normalize(normalize(x)) == normalize(x)``.
    """
    text = clean(text)
    for _ in range(_MAX_PASSES):
        normalized = normalize_house_numbers(normalize_units(convert_numerals(text)))
        if normalized == text:
            break
        text = normalized
    return text


# Every rule uses up what it looks for (a Chinese numeral, 之, 第, a variant unit
# word) or moves 甲 behind its number, so passes run out fast; the bound only
# guards against an interaction between rules not seen yet.
_MAX_PASSES = 8


_COMMITTEE_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村村民委员会", "村"),
    ("村民委员会", "村"),
    ("村村委会", "村"),
    ("村委会", "村"),
    ("街道办事处", "街道"),
    ("街道办", "街道"),
)


def strip_committee(name: str) -> str:
    """The place a committee or office governs: ``中港社区居委会`` -> ``中港社区``.

    ``韩山村委会`` -> ``韩山村``, ``金村村委会`` -> ``金村``, ``农场居委会`` ->
    ``农场社区``, ``金港街道办事处`` -> ``金港街道``.
    """
    for suffix, place in _COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            if place == "村" and base.endswith("村"):
                return base
            return base + place
    return name


@dataclass(frozen=True)
class RoadName:
    """A road name taken apart: ``人民东路`` = base 人民, direction 东, kind 路."""

    base: str
    direction: str
    kind: str

    @property
    def name(self) -> str:
        return f"{self.base}{self.direction}{self.kind}"


_ROAD_KINDS = ("大道", "大街", "公路", "路", "街", "巷", "弄", "道", "线")
_ROAD_NAME = re.compile(rf"(.+?)([东西南北中]?)({'|'.join(_ROAD_KINDS)})(?:([东西南北中])段)?")


def split_road(name: str) -> RoadName | None:
    """Split a road name into base, direction and kind; ``None`` if it is not one.

    ``长安北路`` -> (长安, 北, 路), ``港城大道`` -> (港城, "", 大道),
    ``人民路东段`` -> (人民, 东, 路).
    """
    match = _ROAD_NAME.fullmatch(name)
    if not match:
        return None
    base, direction, kind, section = match.groups()
    if direction and section:
        return None
    return RoadName(base, direction or section or "", kind)
