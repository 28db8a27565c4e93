"""Administrative divisions as reference data: loaded into the database, read by the parser.

The ``Division`` table holds GB/T 2260 codes and names (``manage.py import_divisions``).
Until it is filled, the divisions bundled with the parser (all of China down to
districts, Zhangjiagang down to villages) stand in.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .divisions import AdminLevel, AdminName, zhangjiagang_divisions
from .models import Division

__all__ = ["admin_names", "import_divisions", "place_prefixes"]


def admin_names() -> tuple[AdminName, ...]:
    """The divisions the parser and the build know: the table's, or the bundled ones."""
    rows = Division.objects.values_list("name", "level", "code", "parent_id")
    names = tuple(
        AdminName(name, AdminLevel(level), code, parent or "") for name, level, code, parent in rows
    )
    return names or zhangjiagang_divisions()


def place_prefixes(names: Iterable[AdminName]) -> tuple[str, ...]:
    """Every written form of a town or anything above it, longest first.

    These are what people put before a name (张家港市第一人民医院) or leave out.
    """
    forms = {
        form
        for name in names
        if name.level <= AdminLevel.TOWN
        for group in name.aliases()
        for form in group
    }
    return tuple(sorted(forms, key=len, reverse=True))


@transaction.atomic
def import_divisions(names: Iterable[AdminName] | None = None, replace: bool = False) -> int:
    """Store divisions (default: the bundled ones); returns how many were written.

    A code already stored gets the new name and parent. With ``replace``, codes not
    in ``names`` are removed.
    """
    names = list(zhangjiagang_divisions() if names is None else names)
    known = {name.code for name in names}
    if replace:
        Division.objects.exclude(code__in=known).delete()
    rows = [
        Division(
            code=name.code,
            name=name.name,
            level=int(name.level),
            # Kept even when that code is not stored (a 市辖区 row): parent_chain skips it.
            parent_id=name.parent_code or None,
        )
        for name in names
        if name.code
    ]
    Division.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent"],
    )
    return len(rows)
