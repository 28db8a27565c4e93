"""Parse a Chinese address into its parts, from province down to room.

The parser reads left to right: first administrative names (known ones from a
gazetteer, unknown ones by their level word), then the rest of the address in
runs of characters split at the words that end a road, compound or place
name, and numbers with their unit word. Known names only help segmentation;
an unknown road or compound still parses from its suffix. No segmenter is
loaded: regular expressions and dictionary look-ups are faster than jieba and
know the local names it does not.
"""

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from ._builder import AddressBuilder
from ._names import NameTable
from ._vocabulary import (
    COMPOUND_VILLAGE_WORDS,
    DESCRIPTION,
    HAN,
    STRONG_SUFFIX,
    SUFFIX_KIND,
    WEAK_SUFFIX,
    Kind,
)
from .address import ParsedAddress
from .divisions import AdminAlias, AdminLevel, AdminName, parent_chain, zhangjiagang_divisions
from .errors import AddressTooLongError
from .normalize import (
    clean,
    convert_numerals,
    normalize,
    normalize_house_numbers,
    normalize_units,
    strip_committee,
)

__all__ = ["MAX_LENGTH", "Parser", "default_parser", "parse"]

# The API refuses longer input with a 400: a real address, even one ending in a
# long organisation name, is far shorter, and refusing bounds the work per request.
MAX_LENGTH = 200

_EMPTY = ParsedAddress()

# NUL, C0 controls other than white space, lone surrogates, private use and the
# replacement character: what bytes decoded with the wrong codec look like.
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ue000-\uf8ff\ufffd]")
_DESCRIPTION_END = frozenset("面过边旁壁近围带口前后内下处角转首头侧米右界")
# Searching only the tail keeps a run of 东侧东侧… from costing time quadratic in length.
_LONGEST_DESCRIPTION = 30
_NAME_RUN = re.compile(
    rf"(?:(?![甲乙丙丁](?:幢|单元))[{HAN}]|[A-Z](?![A-Z]{{0,3}}[0-9]{{0,6}}(?:幢|单元|室|层|区|期)))+"
)
_NUMBERED = re.compile(
    r"""
      (?P<triple>[0-9]+-[0-9]+-[0-9]+)(?![0-9号幢单室层])
    | (?P<number>[0-9]+(?:[-~][0-9]+)?[A-Z甲乙丙丁]?)号
    | (?P<building>[A-Z]?[0-9]+(?:-[0-9]+)?[A-Z]?|[A-Z]|[甲乙丙丁])幢
    | (?P<unit>[0-9]+|[A-Z甲乙丙丁])单元
    | (?P<floor>-?[0-9]+|B[0-9]+)层
    | (?P<room>[A-Z]?[0-9]+(?:-[0-9]+)?[A-Z]?)室
    | (?P<village_group>[0-9]+)(?:村民小组|小组|组|队)
    | (?P<lane>[0-9]+(?:弄|巷))
    | (?P<part>(?:[0-9]+|[A-Z])(?:期|区))
    | (?P<pair>[0-9]+-[0-9]+)(?![0-9])
    | (?P<bare>[0-9]+(?:[A-Z]|[甲乙丙丁](?![幢单室层]))?)(?![0-9])
    """,
    re.VERBOSE,
)
_ODD = re.compile(r"[-~#]+|\S")
_GROUP_NUMBER = re.compile(r"[0-9]+(?:村民小组|小组|组|队)")
_NAME_CHARS = r"[^\W\d_A-Z路街巷弄道号幢楼室层区县省镇乡村园苑城院馆场站所局店厂]"
_LEVEL_WORD = re.compile("[镇乡街社村居]")
_UNKNOWN_TOWN = re.compile(rf"{_NAME_CHARS}{{2,8}}?(?:镇|乡|街道(?:办事处|办)?)")
_UNKNOWN_COMMUNITY = re.compile(
    rf"({_NAME_CHARS}{{2,6}}?)"
    r"(社区(?:居委会|居民委员会)?|村(?:村民委员会|民委员会|村委会|委会)?|居委会|居民委员会)"
)


class Parser:
    """An address parser that knows some names.

    ``admin_names`` are divisions (see ``divisions.AdminName``); ``road_names``,
    ``compound_names`` and ``poi_names`` are names as written in the
    gazetteer. All of them are optional: without them, names are recognised
    by their suffixes alone.
    """

    def __init__(
        self,
        admin_names: Iterable[AdminName] = (),
        road_names: Iterable[str] = (),
        compound_names: Iterable[str] = (),
        poi_names: Iterable[str] = (),
        *,
        max_length: int = MAX_LENGTH,
    ):
        self.max_length = max_length
        self._aliases: NameTable[AdminAlias] = NameTable()
        self._by_canonical: dict[str, list[AdminName]] = {}
        admin_names = list(admin_names)
        self._by_code = {admin.code: admin for admin in admin_names if admin.code}
        for admin in admin_names:
            canonical = admin.canonical
            full, short = admin.aliases(self._parent_names(admin))
            for alias in full:
                self._aliases.add(
                    alias, AdminAlias(admin.level, admin.level.field, canonical, False)
                )
            for alias in short:
                self._aliases.add(
                    alias, AdminAlias(admin.level, admin.level.field, canonical, True)
                )
            self._by_canonical.setdefault(canonical, []).append(admin)
        self._aliases.sort_items(key=lambda alias: (alias.short, alias.level))
        self._places: NameTable[Kind] = NameTable()
        for kind, names in (
            (Kind.POI, poi_names),
            (Kind.COMPOUND, compound_names),
            (Kind.ROAD, road_names),
        ):
            for name in names:
                name = normalize(name).replace(" ", "")
                if name:
                    self._places.add(name, kind)

    def parse(self, text: str) -> ParsedAddress:
        """Parse one address. Never raises on a ``str`` except for overlong input.

        Empty, symbol-only and binary-looking input gives an empty
        ``ParsedAddress``. Input longer than ``max_length`` characters after
        ``clean`` raises ``AddressTooLongError``.
        """
        binary = _BINARY.findall(text)
        if binary and ("\x00" in binary or len(binary) * 10 >= len(text)):
            return _EMPTY
        cleaned = clean(text)
        if len(cleaned) > self.max_length:
            raise AddressTooLongError(len(cleaned), self.max_length)
        if not cleaned:
            return _EMPTY
        body, description = _split_description(cleaned)
        body = normalize_house_numbers(normalize_units(convert_numerals(body)))
        builder = AddressBuilder()
        position = self._read_admin(body, builder)
        self._read_body(body, position, builder)
        return builder.build(description)

    def divisions(self, name: str) -> tuple[AdminName, ...]:
        """The known divisions a written or canonical name may stand for.

        ``divisions("中港社区")`` gives the ``AdminName`` whose official name is
        中港社区居委会; several entries mean the name is ambiguous.
        """
        canonicals = {alias.canonical for alias in self._aliases.get(name)} | {name}
        return tuple(
            admin
            for canonical in sorted(canonicals)
            for admin in self._by_canonical.get(canonical, ())
        )

    def complete_admin(self, parsed: ParsedAddress) -> ParsedAddress:
        """Fill the administrative levels above the deepest one written.

        ``杨舍镇人民路88号`` gains 江苏省, 苏州市 and 张家港市. Nothing is filled
        when the deepest name is ambiguous or disagrees with a level that was
        written (a wrong district stays as written for the matcher to judge).
        """
        for level in sorted(AdminLevel, reverse=True):
            written = getattr(parsed, level.field)
            if written:
                break
        else:
            return parsed
        matches = []
        for admin in self._by_canonical.get(written, ()):
            if admin.level != level:
                continue
            chain = {
                parent.level.field: parent.canonical
                for parent in parent_chain(admin, self._by_code)
            }
            if all(getattr(parsed, field) in ("", name) for field, name in chain.items()):
                matches.append(chain)
        if len(matches) != 1:
            return parsed
        missing = {field: name for field, name in matches[0].items() if not getattr(parsed, field)}
        return replace(parsed, **missing)

    def _parent_names(self, admin: AdminName) -> set[str]:
        parent = next(parent_chain(admin, self._by_code), None)
        if parent is None:
            return set()
        full, short = parent.aliases()
        return full | short

    def _read_admin(self, text: str, builder: AddressBuilder) -> int:
        position, deepest = 0, 0
        while True:
            if text.startswith(" ", position):
                position += 1
            found = self._known_admin_at(text, position, deepest, builder.values)
            if found is None and deepest < AdminLevel.COMMUNITY:
                found = self._unknown_admin_at(text, position, deepest)
            if found is None:
                return position
            alias, end = found
            if alias.level > deepest:
                builder.values[alias.field] = alias.canonical
                deepest = alias.level
            elif builder.values.get(alias.field) != alias.canonical:
                # A second district or town (张家港市姑苏区): the first one written
                # stands, the other is kept aside for the matcher.
                builder.leftover.append(text[position:end])
            position = end

    def _known_admin_at(self, text, start, deepest, values):
        """The longest admin name at ``start`` that fits below what was read.

        Failing that, a full name of a level already read, if it is long enough
        not to be the start of another name.
        """
        conflict = None
        for end, aliases in self._aliases.starting_at(text, start):
            for alias in aliases:
                if alias.level > deepest or (
                    alias.level == deepest and values.get(alias.field) == alias.canonical
                ):
                    if alias.short:
                        if self._known_place_at(text, start, longer_than=end - start):
                            return None  # 双山岛环岛路 is a road, not 双山岛 + 环岛路
                        if self._short_form_fits(text, end, alias.level):
                            return alias, end
                    elif not _names_a_street(text, end):
                        return alias, end
                elif conflict is None and not alias.short and end - start >= 3:
                    conflict = alias, end
        if conflict and not _glued_suffix(text, conflict[1]):
            return conflict
        return None

    def _short_form_fits(self, text: str, end: int, level: AdminLevel) -> bool:
        # A name without its level word (杨舍, 中港, 苏州) is often the start of a
        # longer name (中港路, 苏州大学), so it counts only where nothing else fits.
        if end == len(text) or text[end] == " " or _GROUP_NUMBER.match(text, end):
            return True
        if self._full_admin_at(text, end, below=level):
            return True
        if level >= AdminLevel.TOWN and self._known_place_at(text, end):
            return True  # 杨舍梁丰花园: a known compound follows the town's short name
        if level == AdminLevel.COMMUNITY:
            return False
        if level <= AdminLevel.DISTRICT:
            return _starts_a_name(text, end)
        return _starts_a_name(text, end, (Kind.ROAD,))

    def _known_place_at(self, text: str, start: int, longer_than: int = 2) -> bool:
        """Whether a known road, compound or POI longer than ``longer_than`` starts here."""
        found = self._places.starting_at(text, start)
        return bool(found) and found[0][0] - start > longer_than

    def _full_admin_at(self, text: str, start: int, below: int = 0) -> bool:
        """Whether a division below level ``below`` is written in full at ``start``."""
        return any(
            not alias.short and alias.level > below
            for _, aliases in self._aliases.starting_at(text, start)
            for alias in aliases
        )

    def _unknown_admin_at(self, text: str, start: int, deepest: int):
        """A town or village not in the gazetteer, recognised by its level word.

        Without a gazetteer to vouch for it, the name must be followed by the
        end, a separator, a village group, another division, or a road or
        compound (幸福村建设路); 农村商业银行 is not a village.
        """
        if not _LEVEL_WORD.search(text, start, start + 16):
            return None
        for level, pattern in (
            (AdminLevel.TOWN, _UNKNOWN_TOWN),
            (AdminLevel.COMMUNITY, _UNKNOWN_COMMUNITY),
        ):
            if deepest >= level:
                continue
            match = pattern.match(text, start)
            if not match or not _is_unknown_admin(match, level):
                continue
            end = match.end()
            vouched = (
                end == len(text)
                or text[end] == " "
                or _GROUP_NUMBER.match(text, end)
                or self._full_admin_at(text, end, below=level)
                or (level == AdminLevel.TOWN and _UNKNOWN_COMMUNITY.match(text, end))
                or _starts_a_name(text, end, (Kind.ROAD, Kind.COMPOUND))
            )
            if vouched:
                return AdminAlias(level, level.field, strip_committee(match.group()), False), end
        return None

    def _read_body(self, text: str, position: int, builder: AddressBuilder) -> None:
        while position < len(text):
            if text[position] == " ":
                position += 1
                continue
            match = _NUMBERED.match(text, position)
            if match:
                builder.numbered(
                    match.lastgroup,
                    match.group(match.lastgroup),
                    glued=_NAME_RUN.match(text, match.end()) is not None,
                )
                position = match.end()
                continue
            match = _NAME_RUN.match(text, position)
            if match:
                for kind, name in self._split_run(match.group()):
                    builder.name(kind, name, self._aliases.get(name))
                position = match.end()
                continue
            match = _ODD.match(text, position)
            builder.odd(match.group())
            position = match.end()
        builder.flush_pending()

    def _split_run(self, run: str) -> list[tuple[Kind | None, str]]:
        pieces = []
        start = 0
        while start < len(run):
            end, kind = self._place_at(run, start)
            if end is None:
                end, kind = _suffix_end(run, start)
            while end < len(run):
                # A suffix right after a name makes a longer name: 人民路小学, 梁丰花园路.
                glued = _suffix_at(run, end)
                if glued is None:
                    break
                end, kind = end + len(glued), SUFFIX_KIND[glued]
            if len(run) - end == 1:
                end = len(run)  # 金城湾畔: one stray character belongs to the name
            pieces.append((kind, run[start:end]))
            start = end
        return pieces

    def _place_at(self, run: str, start: int) -> tuple[int | None, Kind | None]:
        """The end and kind of the longest known name at ``start``.

        Towns and villages count too (kind ``None``): 塘桥镇韩山村 after a street.
        """
        for end, kinds in self._places.starting_at(run, start):
            return end, kinds[-1]
        for end, aliases in self._aliases.starting_at(run, start):
            if any(not alias.short and alias.level >= AdminLevel.TOWN for alias in aliases):
                return end, None
        return None, None


def _starts_a_name(text: str, start: int, kinds: tuple[Kind, ...] = ()) -> bool:
    """Whether a name of at least two characters begins at ``start``.

    With ``kinds``, the name must also end in a suffix of one of those kinds.
    """
    run = _NAME_RUN.match(text, start)
    following = run.group() if run else ""
    if len(following) < 2 or _suffix_at(following, 0) or _suffix_at(following, 1):
        return False
    if not kinds:
        return True
    suffix = STRONG_SUFFIX.search(following)
    return suffix is not None and SUFFIX_KIND[suffix.group()] in kinds


def _is_unknown_admin(match: re.Match, level: AdminLevel) -> bool:
    # 梁丰新村 and 万红三村 are residential compounds, not villages.
    return level != AdminLevel.COMMUNITY or not (
        match.group(2).startswith("村") and match.group(1)[-1] in COMPOUND_VILLAGE_WORDS
    )


def _suffix_at(text: str, position: int) -> str | None:
    match = STRONG_SUFFIX.match(text, position) or WEAK_SUFFIX.match(text, position)
    return match.group() if match else None


def _names_a_street(text: str, position: int) -> bool:
    """Whether a road or compound word follows: 金村路 is a road, not the village 金村."""
    match = STRONG_SUFFIX.match(text, position)
    return match is not None and SUFFIX_KIND[match.group()] in (Kind.ROAD, Kind.COMPOUND)


def _glued_suffix(text: str, position: int) -> bool:
    return STRONG_SUFFIX.match(text, position) is not None


def _suffix_end(run: str, start: int) -> tuple[int, Kind | None]:
    strong = STRONG_SUFFIX.search(run, start + 1) or STRONG_SUFFIX.match(run, start)
    if strong:
        # A bare suffix (政府 after 杨舍镇) is a name of its own kind.
        return strong.end(), SUFFIX_KIND[strong.group()]
    # Weak suffixes also occur inside names (金城花苑): only the last one ends the name.
    weak = list(WEAK_SUFFIX.finditer(run, start + 1))
    if weak:
        return weak[-1].end(), SUFFIX_KIND[weak[-1].group()]
    return len(run), None


def _split_description(text: str) -> tuple[str, str]:
    if text[-1] not in _DESCRIPTION_END:
        return text, ""
    match = DESCRIPTION.search(text, max(0, len(text) - _LONGEST_DESCRIPTION))
    if not match:
        return text, ""
    return text[: match.start()].rstrip(), match.group().strip()


@cache
def default_parser() -> Parser:
    """The parser for Zhangjiagang, built on first use and then shared.

    It knows every province, city and district of China and Zhangjiagang's
    towns, communities and villages.
    """
    return Parser(admin_names=zhangjiagang_divisions())


def parse(text: str) -> ParsedAddress:
    """Parse with ``default_parser()``; see ``Parser.parse``."""
    return default_parser().parse(text)
