"""Layer grants: checked when saved, and combined into the terms the policy hands out."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import shapely
import shapely.wkb
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pygeofilter import ast

from geoshare.errors import InvalidParameterError
from geoshare.geo import transformer

__all__ = ["validate_grant", "parse_row_filter", "combine", "active", "GrantTerms"]


def active(queryset):
    """Grants that have not expired."""
    from django.db.models import Q

    return queryset.filter(Q(expires__isnull=True) | Q(expires__gt=timezone.now()))


@lru_cache(maxsize=1024)
def parse_row_filter(text: str):
    """The AST of a grant's CQL2 row filter (parsed once per process per text)."""
    from layers.filters import parse_cql2_text

    return parse_cql2_text(text, "row_filter")


def validate_grant(grant) -> None:
    """Refuse, when it is saved, a grant that could not be applied at request time."""
    from layers.filters import FilterContext, compile_filter

    layer = grant.layer
    errors = {}
    if (grant.department_id is None) == (grant.user_id is None):
        errors["department"] = _("Grant to exactly one department or one user.")
    field_types = {f["name"]: f["type"] for f in layer.fields}
    if grant.row_filter.strip():
        if not layer.is_vector:
            errors["row_filter"] = _("Row filters apply to vector layers only.")
        else:
            try:
                compile_filter(parse_row_filter(grant.row_filter), FilterContext(field_types, layer.srid))
            except InvalidParameterError as e:
                errors["row_filter"] = e.message
    unknown = [name for name in grant.hidden_fields if name not in field_types]
    if unknown:
        errors["hidden_fields"] = _("Not attributes of this layer: %(names)s") % {
            "names": ", ".join(unknown)
        }
    if grant.area_limit is not None and not grant.area_limit.valid:
        errors["area_limit"] = _("The area is not a valid polygon: %(reason)s") % {
            "reason": grant.area_limit.valid_reason
        }
    if errors:
        raise ValidationError(errors)


class GrantTerms(NamedTuple):
    """What one LayerGrant row says, as the policy reads it."""

    row_filter: str
    hidden_fields: tuple[str, ...]
    area_wkb: bytes | None  # CGCS2000


@lru_cache(maxsize=4096)
def combine(terms: tuple[GrantTerms, ...], srid: int) -> tuple[object | None, str, frozenset[str], MultiPolygon | None]:
    """(row filter AST, its text, hidden fields, area in CRS ``srid``) of several grants.

    A principal holding several grants on a layer (its own and its department's) gets
    their union where one value can say it: a grant with neither row filter nor area lifts
    both; otherwise the filters of the grants that have one are or-ed, and so are their
    areas, and a row must pass both. A grant with only a filter and another with only an
    area thus give the rows in both, never more than either (the exact union, one filter
    per area, needs per-grant terms). An attribute shows on every row handed out, so it
    shows only if a grant covering all those rows shows it: one of the grants that lift
    the limits or, when none does, every grant. Remembered per process for the same terms.
    """
    grants = list(terms)
    whole = [g for g in grants if not g.row_filter.strip() and g.area_wkb is None]
    if whole:
        hidden = frozenset.intersection(*(frozenset(g.hidden_fields) for g in whole))
        return None, "", hidden, None
    hidden = frozenset().union(*(g.hidden_fields for g in grants))
    texts = [t for g in grants if (t := g.row_filter.strip())]
    if texts:
        nodes = [parse_row_filter(t) for t in texts]
        row_filter = nodes[0]
        for node in nodes[1:]:
            row_filter = ast.Or(row_filter, node)
        row_filter_text = " OR ".join(f"({t})" for t in texts)
    else:
        row_filter, row_filter_text = None, ""
    areas = [shapely.wkb.loads(g.area_wkb) for g in grants if g.area_wkb is not None]
    area = _in_layer_crs(shapely.union_all(areas), srid) if areas else None
    return row_filter, row_filter_text, hidden, area


def _in_layer_crs(geometry, srid: int) -> MultiPolygon:
    if srid != 4490:
        geometry = shapely.transform(geometry, transformer(4490, srid).transform, interleaved=False)
    result = GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=srid)
    if result.geom_type == "Polygon":
        result = MultiPolygon(result, srid=srid)
    return result
