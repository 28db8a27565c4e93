"""The standard written form of a parsed address."""

from .address import ParsedAddress

__all__ = ["standard_address"]

# (field, word written after its value), in the order of a standard address.
_ORDER = (
    ("province", ""),
    ("city", ""),
    ("district", ""),
    ("town", ""),
    ("community", ""),
    ("village_group", "组"),
    ("road", ""),
    ("lane", ""),
    ("number", "号"),
    ("compound", ""),
    ("building", "幢"),
    ("unit", "单元"),
    ("floor", "层"),
    ("room", "室"),
    ("poi", ""),
)


def standard_address(parsed: ParsedAddress) -> str:
    """Format the parts in canonical order with canonical unit words.

    ``江苏省苏州市张家港市杨舍镇人民路88号``,
    ``…杨舍镇梁丰花园5幢2单元301室``. Description and remainder are left out;
    a range of house numbers is written ``12-16号``. Levels that were not
    written are not invented: use ``Parser.complete_admin`` first for a full
    form.
    """
    parts = []
    for field, word in _ORDER:
        value = getattr(parsed, field)
        if value:
            if field == "number":
                value = _written_range(value)
            parts.append(value + word)
    return "".join(parts)


def _written_range(number: str) -> str:
    first, tilde, last = number.partition("~")
    # 12-16号 reads as a range only when the second number is larger.
    if tilde and first.isdigit() and last.isdigit() and int(last) > int(first):
        return f"{first}-{last}"
    return number
