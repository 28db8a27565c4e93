"""Pinyin keys of place names, for autocomplete (``ysz`` or ``yangshe`` finds 杨舍镇)."""

import re

from pypinyin import lazy_pinyin

__all__ = ["full_pinyin", "initials"]

# Readings that addresses use and pypinyin's general-purpose default does not:
# 幢 counts buildings (zhuàng), not a banner (chuáng).
_PLACE_READINGS = {"幢": "zhuang"}
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_HAN_OR_OTHER = re.compile(rf"([{_HAN}]+)|[^{_HAN}\s]+")


def _syllables(name: str) -> list[tuple[str, bool]]:
    """(syllable, is_han) in order; a run of other characters is one item."""
    syllables = []
    for match in _HAN_OR_OTHER.finditer(name):
        han = match.group(1)
        if han is None:
            syllables.append((match.group().lower(), False))
            continue
        # Read each name on its own: across a whole address pypinyin joins
        # characters of neighbouring names (杨舍镇长安路 -> 镇长, "zhen zhang").
        readings = lazy_pinyin(han, errors=list)  # one item per character, known or not
        for char, reading in zip(han, readings, strict=True):
            syllables.append((_PLACE_READINGS.get(char, reading), True))
    return syllables


def full_pinyin(name: str, separator: str = "") -> str:
    """Toneless pinyin of a name: ``杨舍镇`` -> ``yangshezhen``.

    Letters and digits are kept, lower-cased; white space is dropped.
    """
    return separator.join(syllable for syllable, _ in _syllables(name))


def initials(name: str) -> str:
    """First letter of each syllable: ``杨舍镇`` -> ``ysz``, ``梁丰花园5幢`` -> ``lfhy5z``.

    Letters and digits that are not Chinese characters are kept whole.
    """
    return "".join(syllable[0] if is_han else syllable for syllable, is_han in _syllables(name))
