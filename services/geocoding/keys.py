"""Keys under which names are stored and looked up: the forms people write a name in.

Pure Python, shared by the gazetteer build (the forms of each stored name) and the
matcher (the forms of each name in a query). A query form and a stored form that are
equal make a match; how good depends on both forms (``form_score``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from functools import lru_cache

from pypinyin import lazy_pinyin

from ._vocabulary import HAN
from .normalize import normalize, split_road

__all__ = [
    "Form",
    "form_score",
    "MAX_PREFIX",
    "name_key",
    "prefixes",
    "query_forms",
    "stored_forms",
    "typo_distance",
    "typo_likeness",
    "variants",
    "without_prefix",
]


class Form(enum.IntEnum):
    """The written name or a reduced form of it (``models.NameForm`` takes its values)."""

    NAME = 0
    ALIAS = 1
    FORMER = 2
    SHORT = 3  # without a leading place name: 第一人民医院 for 张家港市第一人民医院
    CORE = 4  # without its kind word: 梁丰 for 梁丰花园, 港城 for 港城大道
    BASE = 5  # a road without kind word and direction: 人民 for 人民中路


# How much a match through each form is worth, from the query's side and the stored side.
_WEIGHT = {
    Form.NAME: 1.0,
    Form.ALIAS: 0.98,
    Form.FORMER: 0.96,
    Form.SHORT: 0.97,
    Form.CORE: 0.88,
    Form.BASE: 0.8,
}
_REDUCED = (Form.CORE, Form.BASE)

# Words that say "residential compound" without naming one; 梁丰花园, 梁丰小区 and
# 梁丰新村 are all ways to say 梁丰. Longest first so that 花园小区 goes in one step.
_COMPOUND_WORDS = sorted(
    (
        "小区 花园 新村 家园 公寓 山庄 名苑 花苑 雅苑 华庭 华府 嘉园 佳园 新城 别墅 住宅区 "
        "宿舍 生活区 苑 园 城 庭 府 居 湾 邸"
    ).split(),
    key=len,
    reverse=True,
)
_HAS_HAN = re.compile(f"[{HAN}]")
_MIN_TYPO_LENGTH = 3  # two names of two characters one typo apart are just two names


# Autocomplete keeps name beginnings this long; longer typed text is rare enough to be
# looked up by a range scan of whole names.
MAX_PREFIX = {"name": 6, "initials": 6, "pinyin": 12}


def prefixes(key: str, initials: str = "", pinyin: str = "") -> set[str]:
    """The beginnings of a name, its initials and its pinyin that autocomplete answers to."""
    found = set()
    for text, longest in (
        (key, MAX_PREFIX["name"]),
        (initials, MAX_PREFIX["initials"]),
        (pinyin, MAX_PREFIX["pinyin"]),
    ):
        found.update(text[:n] for n in range(1, min(len(text), longest) + 1))
    return found


def name_key(text: str) -> str:
    """The normalised form of a name: full width folded, numerals converted, no spaces."""
    return normalize(text).replace(" ", "")


def stored_forms(
    name: str, level_kind: str, prefixes: Iterable[str] = (), form: Form = Form.NAME
) -> list[tuple[Form, str]]:
    """The keys a stored name answers to, with their forms, the name's own key first.

    ``level_kind`` is "road", "compound", "poi" or "division". ``prefixes`` are place
    names that may lead a compound or POI name and that people leave out.
    """
    key = name_key(name)
    if not key:
        return []
    forms = [(form, key)]
    if level_kind == "road":
        forms += _road_reductions(key)
    elif level_kind in ("compound", "poi"):
        short = without_prefix(key, prefixes)
        if short != key:
            forms.append((Form.SHORT, short))
        if level_kind == "compound":
            forms += [(Form.CORE, core) for core in _compound_cores(short)[:1]]
    return _unique(forms)


def query_forms(name: str, slot: str) -> list[tuple[Form, str]]:
    """The keys a name written in a query is looked up by.

    A query's compound may carry one generic word too many (梁丰花园小区) or a different
    one (梁丰小区): every reduction is tried, stored names match the reduced forms.
    """
    key = name_key(name)
    if not key:
        return []
    forms = [(Form.NAME, key)]
    if slot == "road":
        forms += _road_reductions(key)
    elif slot in ("compound", "poi"):
        forms += [(Form.CORE, core) for core in _compound_cores(key)]
    return _unique(forms)


def form_score(query_form: Form, stored_form: Form) -> float:
    """Worth of a match between a query key and a stored key of these forms."""
    return _FORM_SCORES[query_form, stored_form]


def _form_score(query_form: Form, stored_form: Form) -> float:
    score = min(_WEIGHT[query_form], _WEIGHT[stored_form])
    if query_form in _REDUCED and stored_form in _REDUCED:
        score *= 0.97  # both sides reduced: only the distinctive part agreed
    return score


# Looked up once per name found, so computed ahead; plain ints key it as well as Forms.
_FORM_SCORES = {(q, s): _form_score(q, s) for q in Form for s in Form}


def variants(key: str) -> list[str]:
    """The key and each form of it with one character left out (none for short keys)."""
    if len(key) < _MIN_TYPO_LENGTH:
        return [key]
    return [key, *dict.fromkeys(key[:i] + key[i + 1 :] for i in range(len(key)))]


def typo_likeness(written: str, stored: str) -> float:
    """How much a one-character replacement looks like a pinyin input slip, 0 to 1.

    Pinyin input methods put a homophone in place of the character meant (人明路 for
    人民路): the same syllable is 1, the same initial or final 0.5, anything else 0.
    """
    if len(written) != len(stored):
        return 0.0
    pairs = [(a, b) for a, b in zip(written, stored) if a != b]
    if len(pairs) != 1:
        return 0.0
    a, b = (_syllable(ch) for ch in pairs[0])
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return 0.5 if a[0] == b[0] or a[-2:] == b[-2:] else 0.0


@lru_cache(maxsize=20_000)
def _syllable(ch: str) -> str:
    reading = lazy_pinyin(ch, errors="ignore")
    return reading[0] if reading else ""


def typo_distance(written: str, stored: str) -> int | None:
    """1 for one character replaced, added or left out; 2 for two neighbours swapped.

    ``None`` for anything further apart, or when either is too short to tell a
    typo from another name.
    """
    if written == stored:
        return 0
    if min(len(written), len(stored)) < _MIN_TYPO_LENGTH - 1 or len(stored) < _MIN_TYPO_LENGTH:
        return None
    if len(written) == len(stored):
        differ = [i for i, (a, b) in enumerate(zip(written, stored)) if a != b]
        if len(differ) == 1:
            return 1
        if (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and written[differ[0]] == stored[differ[1]]
            and written[differ[1]] == stored[differ[0]]
        ):
            return 2
        return None
    shorter, longer = sorted((written, stored), key=len)
    if len(longer) - len(shorter) != 1:
        return None
    for i in range(len(longer)):
        if longer[:i] + longer[i + 1 :] == shorter:
            return 1
    return None


def _road_reductions(key: str) -> list[tuple[Form, str]]:
    road = split_road(key)
    if road is None:
        return []
    forms = []
    core = road.base + road.direction
    if len(core) >= 2 and _HAS_HAN.search(core):
        forms.append((Form.CORE, core))
    if road.direction and len(road.base) >= 2:
        forms.append((Form.BASE, road.base))
    return forms


def _compound_cores(key: str) -> list[str]:
    cores = []
    while True:
        for word in _COMPOUND_WORDS:
            if key.endswith(word) and len(key) - len(word) >= 2:
                key = key[: -len(word)]
                cores.append(key)
                break
        else:
            return cores


def without_prefix(key: str, prefixes: Iterable[str], shortest: int = 2) -> str:
    """``key`` without the leading ``prefixes`` (longest first), if ``shortest`` characters
    or more of a name are left."""
    stripped = True
    while stripped:
        stripped = False
        for prefix in prefixes:
            rest = key[len(prefix) :]
            if key.startswith(prefix) and len(rest) >= shortest and rest not in _COMPOUND_WORDS:
                key, stripped = rest, True
                break
    return key


def _unique(forms: list[tuple[Form, str]]) -> list[tuple[Form, str]]:
    seen: dict[str, Form] = {}
    for form, key in forms:
        seen.setdefault(key, form)
    return [(form, key) for key, form in seen.items()]
