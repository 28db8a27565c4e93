"""Step 0: the names written in each address, with the keys to look them up by."""

from __future__ import annotations

import re

from ..address import ParsedAddress
from ..divisions import committee_forms
from ..keys import Form, name_key, query_forms
from ._types import ADMIN_SLOTS, NAME_SLOTS, Probe

__all__ = ["read_probes"]

_COMMITTEE = re.compile("委会|委员会")
_COMMITTEE_TYPO = re.compile(".{0,2}会")  # 民乐村到会: 委会 with a slip
_BESIDE_A_LANE = 0.97
_PART_OF_A_NAME = 0.95
_LAST_RESORT = 0.5


def read_probes(index: int, parsed: ParsedAddress, text: str) -> list[Probe]:
    """The names written in one address, each with the keys to look it up by."""
    probes = []
    for slot in NAME_SLOTS:
        name = getattr(parsed, slot)
        if slot == "poi" and not name and not (parsed.road or parsed.compound):
            name = parsed.remainder  # an unplaced name may still be a known one
        if name:
            probes.append(Probe(index, slot, name, query_forms(name, slot)))
    if parsed.lane:
        # 人民路88弄 is a lane of its own, and what was meant; a named lane (青草巷) may be
        # known alone.
        for probe in probes:
            probe.weight = _BESIDE_A_LANE if probe.slot == "road" else probe.weight
        names = [parsed.road + parsed.lane]
        if not parsed.lane[0].isdigit():
            names.append(parsed.lane)
        probes += [Probe(index, "road", name, query_forms(name, "road")) for name in names]
    if parsed.poi and parsed.remainder and not parsed.remainder[0].isdigit():
        # 实验小学应急避难场所: a name with two suffixes, cut in two by the parser. The first
        # half alone leaves text unexplained, so it counts a little less.
        for probe in probes:
            probe.weight *= _PART_OF_A_NAME if probe.slot == "poi" else 1
        name = parsed.poi + parsed.remainder.replace(" ", "")
        probes.append(Probe(index, "poi", name, [(Form.NAME, name_key(name))]))
    if parsed.village_group and parsed.community and not parsed.road:
        # 兆丰村5组12号: the village group is where its houses are numbered. A zone's
        # community may carry the zone's name (张家港市冶金工业园虚拟社区).
        for name in dict.fromkeys((parsed.community, parsed.town + parsed.community)):
            group = f"{name}{parsed.village_group}组"
            probes.append(Probe(index, "road", group, [(Form.NAME, group)]))
    if parsed.poi and parsed.town and not parsed.compound:
        # 杨舍镇政府: the town is part of the name that is meant.
        name = parsed.town + parsed.poi
        probes.append(Probe(index, "poi", name, [(Form.NAME, name_key(name))]))
    if parsed.community and not (parsed.road or parsed.compound or parsed.number):
        if _COMMITTEE.search(text) or _COMMITTEE_TYPO.fullmatch(parsed.poi or parsed.remainder):
            # 红联村委会 names the committee's office, not only the village.
            offices = sorted(committee_forms(parsed.community))
            probes.append(Probe(index, "poi", parsed.community, [(Form.NAME, o) for o in offices]))
        elif parsed.community.endswith("村") and not probes:
            # 国泰新村 said 国泰心村 reads as an unknown village: a last resort, below the
            # village itself if there is one.
            probes.append(
                Probe(
                    index,
                    "compound",
                    parsed.community,
                    query_forms(parsed.community, "compound"),
                    weight=_LAST_RESORT,
                    guessed=True,
                )
            )
    for slot in ADMIN_SLOTS:
        name = getattr(parsed, slot)
        if name:
            probes.append(Probe(index, slot, name, [(Form.NAME, name_key(name))]))
            break  # the deepest division written is the one an admin-level answer names
    return probes
