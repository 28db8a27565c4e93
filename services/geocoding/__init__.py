"""Chinese address parsing and normalisation for the geocoder.

Pure Python: no Django, no database. ``parse`` reads an address into a
``ParsedAddress``; ``standard_address`` writes one back in canonical form;
``normalize`` and its steps clean raw text; ``initials`` and ``full_pinyin``
give autocomplete keys.
"""

from .address import ParsedAddress
from .divisions import AdminLevel, AdminName
from .errors import AddressTooLongError
from .normalize import RoadName, canonical_house_number, chinese_to_int, normalize, split_road
from .parser import MAX_LENGTH, Parser, default_parser, parse
from .pinyin import full_pinyin, initials
from .standard import standard_address

__all__ = [
    "MAX_LENGTH",
    "AddressTooLongError",
    "AdminLevel",
    "AdminName",
    "ParsedAddress",
    "Parser",
    "RoadName",
    "canonical_house_number",
    "chinese_to_int",
    "default_parser",
    "full_pinyin",
    "initials",
    "normalize",
    "parse",
    "split_road",
    "standard_address",
]
