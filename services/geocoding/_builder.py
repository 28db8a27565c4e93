"""Placing the pieces the parser finds into the fields of a ``ParsedAddress``.

Where a piece goes depends on what came before it: a bare ``301`` after a
building is a room, after a road a house number; ``88号`` after a compound is
a building. ``AddressBuilder`` keeps that context.
"""

import re
from collections.abc import Iterable

from ._vocabulary import COMPOUND_VILLAGE_WORDS, HAN, Kind
from .address import ParsedAddress
from .divisions import AdminAlias, AdminLevel
from .normalize import strip_committee

__all__ = ["AddressBuilder"]

_HAS_HAN = re.compile(f"[{HAN}]")
_LANE_WORDS = ("巷", "弄", "胡同")
# 梁丰花园东区, 东湖苑二区: a part of the compound just named.
_COMPOUND_PART = re.compile(r"[东西南北中新老]{1,2}[区苑院]|[一二三四五六七八九十]+[区期]")
# Numbered pieces that follow a compound's name rather than a road's.
_AFTER_COMPOUND = ("building", "unit", "room", "triple", "pair", "part", "bare")


class AddressBuilder:
    """Collects parts as the parser finds them, using what came last as context."""

    def __init__(self):
        self.values: dict[str, str] = {}
        self.leftover: list[str] = []
        self.last = ""
        self.pending = ""
        self.prefix = ""

    def aside(self, text: str) -> None:
        """Keep text that has no place; what follows it loses its context."""
        self.leftover.append(text)
        self.last = ""

    def put(self, field: str, value: str) -> None:
        if self.values.get(field):
            self.aside(value)
        else:
            self.values[field] = value
            self.last = field

    def numbered(self, group: str, text: str, glued: bool) -> None:
        """Place a number read with its unit word; ``group`` names the unit.

        ``glued`` says a name follows without a space (21世纪花园).
        """
        has = self.values.get
        if self.pending:
            self._resolve_pending(group)
        if group == "triple":
            building, unit, room = text.split("-")
            if has("building"):
                self.aside(text)
            else:
                self.put("building", building)
                self.put("unit", unit)
                self.put("room", room)
        elif group == "number":
            if self.last == "compound" and not has("building"):
                self.put("building", text)
            elif self.last in ("building", "unit", "floor") and not has("room"):
                self.put("room", text)
            else:
                self.put("number", text)
        elif group == "pair":
            first, second = text.split("-")
            if self.last in ("compound", "building") and not has("room"):
                self.put("unit" if self.last == "building" else "building", first)
                self.put("room", second)
            elif not has("number"):
                separator = "~" if int(second) > int(first) else "-"
                self.put("number", f"{first}{separator}{second}")
            else:
                self.aside(text)
        elif group == "part":
            if self.last == "compound":
                self.values["compound"] += text
            else:
                self.aside(text)
        elif group == "bare":
            self._bare(text, glued)
        else:
            self.put(group, text)

    def _bare(self, text: str, glued: bool) -> None:
        has = self.values.get
        if self.last in ("road", "lane", "village_group") and not has("number"):
            self.put("number", text)
        elif self.last == "compound" and not has("building"):
            self.put("building", text)
        elif self.last in ("building", "unit", "floor", "number") and not has("room"):
            self.put("room", text)
        elif glued:
            self.prefix = text  # 21世纪花园: the number starts the name
        else:
            self.aside(text)

    def name(self, kind: Kind | None, text: str, admin: Iterable[AdminAlias] = ()) -> None:
        """Place a name of the ``kind`` its suffix says (``None``: no suffix).

        ``admin`` are the divisions the name is a written form of, if any.
        """
        text, self.prefix = self.prefix + text, ""
        if self.pending:
            self._resolve_pending(None)
        # A town or village written after the street (人民路88号 杨舍镇).
        admin = [
            alias
            for alias in admin
            if not alias.short
            and alias.level >= AdminLevel.TOWN
            and not self.values.get(alias.field)
        ]
        if admin:
            self.put(admin[0].field, admin[0].canonical)
        elif self.last == "compound" and _COMPOUND_PART.fullmatch(text):
            self.values["compound"] += text
        elif kind is None:
            self.pending = text
        elif kind is Kind.ROAD:
            is_lane = text.endswith(_LANE_WORDS) and self.values.get("road")
            self.put("lane" if is_lane else "road", text)
        elif kind is Kind.COMMUNITY:
            is_village = not (
                self.values.get("community")
                or self.values.get("road")
                or text[-2:-1] in COMPOUND_VILLAGE_WORDS
            )
            if is_village:
                self.put("community", strip_committee(text))
            else:
                self.put("compound", text)
        else:
            self.put(kind.value, text)

    def odd(self, text: str) -> None:
        if self.pending:
            self._resolve_pending(None)
        if text[0] not in "-~#":
            self.aside(text)

    def _resolve_pending(self, next_group: str | None) -> None:
        text, self.pending = self.pending, ""
        if not _HAS_HAN.search(text):
            self.aside(text)  # Latin letters alone (SQL, markup) name nothing here
        elif next_group in _AFTER_COMPOUND:
            self.put("compound", text)
        elif next_group == "number" and not self.values.get("road"):
            self.put("road", text)
        elif next_group == "village_group" and not self.values.get("community"):
            self.put("community", text)
        else:
            self.put("poi", text)

    def flush_pending(self) -> None:
        if self.pending:
            self._resolve_pending(None)
        if self.prefix:
            self.aside(self.prefix)

    def build(self, description: str) -> ParsedAddress:
        return ParsedAddress(
            **self.values, description=description, remainder=" ".join(self.leftover)
        )
