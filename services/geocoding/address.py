"""The parts of a parsed address."""

from dataclasses import dataclass, fields

__all__ = ["ParsedAddress"]


@dataclass(frozen=True)
class ParsedAddress:
    """The parts of an address. A part that was not written is ``""``.

    ``number`` is the house number in canonical form (``"123"``, ``"123-1"``
    for a sub-number, ``"12甲"``, ``"12~16"`` for a range); ``building``,
    ``unit``, ``floor``, ``room`` and ``village_group`` are the bare numbers of
    幢, 单元, 层, 室 and 组; ``lane`` keeps its word (``"88弄"``, ``"青草巷"``).
    ``description`` is a trailing 对面/旁边/东侧100米, not used for matching;
    ``remainder`` is whatever could not be placed.
    """

    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    community: str = ""
    village_group: str = ""
    road: str = ""
    lane: str = ""
    number: str = ""
    compound: str = ""
    building: str = ""
    unit: str = ""
    floor: str = ""
    room: str = ""
    poi: str = ""
    description: str = ""
    remainder: str = ""

    @property
    def is_empty(self) -> bool:
        """True when nothing at all was read, not even a description."""
        return not any(getattr(self, name) for name in _FIELD_NAMES)


_FIELD_NAMES = tuple(field.name for field in fields(ParsedAddress))
