"""Edits to the features of a vector layer (insert, replace, update, delete) on a grant's terms.

An editor changes only what its edit grant shows it, and what it writes must stay there:
a feature outside the grant's row filter or area limit is not found, and a write that would
put one outside is refused and undone. Hidden fields are unknown, so they cannot be written,
and a replaced feature keeps their values. Every edit moves the layer's data revision: cached
tiles and maps of it miss from the next request on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import DatabaseError, DataError, connection, transaction
from django.db.models import F
from psycopg import sql

from geoshare.access import policy
from geoshare.errors import (
    FeatureNotFoundError, GeoshareError, InvalidParameterError, LayerNotFoundError,
    NotAuthenticatedError, UnknownPropertyError,
)
from geoshare.geo import is_geographic
from layers import storage
from layers.features import feature_source
from layers.sources import FeatureQuery

__all__ = ["FeatureEdit", "KEEP", "EditRefusedError", "InvalidFeatureError", "grants", "insert",
           "replace", "update", "delete"]


class EditRefusedError(GeoshareError, PermissionError):
    """The caller may see the layer but not make this change to it."""

    client_fault = True
    http_status = 403


class InvalidFeatureError(InvalidParameterError):
    """A feature that cannot be stored: a bad geometry or property value."""


KEEP = object()  # FeatureEdit.geometry of an update that leaves the geometry alone


@dataclass(frozen=True)
class FeatureEdit:
    """A feature as a client sends it: properties by name and a GeoJSON geometry (None: no
    geometry; KEEP: unchanged) in EPSG:``srid``, in the CRS's axis order when ``yx``."""

    properties: dict
    geometry: dict | None | object
    srid: int
    yx: bool = False


def grants(principal, layer_name: str, locator: str) -> tuple[policy.Grant, policy.Grant]:
    """(The principal's view grant, its edit grant) on a vector layer.

    A layer hidden from the principal, or a raster, is unknown (LayerNotFoundError); an
    anonymous caller must authenticate; one who sees the layer but may not edit it is refused.
    """
    seen = policy.grant_for(principal, layer_name)
    if not seen.layer.is_vector:
        raise LayerNotFoundError(layer_name, locator)
    if principal.is_anonymous:
        raise NotAuthenticatedError("editing needs a login, a token or HTTP Basic credentials")
    try:
        return seen, policy.grant_for(principal, layer_name, policy.Action.EDIT)
    except LayerNotFoundError:
        raise EditRefusedError(f"you may not edit layer {layer_name!r}", locator) from None


def insert(layer, grant, edit: FeatureEdit) -> int:
    """Add a feature; its new id."""
    names, values, box = _assignments(layer, grant, edit, every_field=False)
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING fid").format(
        storage.table(layer.table_name), sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(values),
    )
    with transaction.atomic():
        with connection.cursor() as cur:
            _execute(cur, statement)
            fid = cur.fetchone()[0]
        _still_seen(layer, grant, [fid])
        _changed(layer, box, added=1)
    return fid


def replace(layer, grant, fids: Sequence[int], edit: FeatureEdit) -> None:
    """Give features the grant shows ``edit``'s geometry and visible fields (absent ones null)."""
    _set(layer, grant, fids, edit, every_field=True)


def update(layer, grant, fids: Sequence[int], edit: FeatureEdit) -> None:
    """Change only the properties ``edit`` names (and its geometry, unless KEEP)."""
    _set(layer, grant, fids, edit, every_field=False)


def delete(layer, grant, fids: Sequence[int]) -> None:
    """Remove features the grant shows."""
    with transaction.atomic():
        fids = _locked(layer, grant, fids)
        if not fids:
            return
        statement = sql.SQL("DELETE FROM {} WHERE fid = ANY({})").format(
            storage.table(layer.table_name), sql.Literal(fids))
        with connection.cursor() as cur:
            _execute(cur, statement)
        _changed(layer, None, added=-len(fids))


def _set(layer, grant, fids: Sequence[int], edit: FeatureEdit, every_field: bool) -> None:
    names, values, box = _assignments(layer, grant, edit, every_field)
    if not names:
        raise InvalidFeatureError("the update changes nothing: name a property or the geometry",
                                  "properties")
    with transaction.atomic():
        fids = _locked(layer, grant, fids)
        if not fids:
            return
        statement = sql.SQL("UPDATE {} SET ({}) = ROW({}) WHERE fid = ANY({})").format(
            storage.table(layer.table_name), sql.SQL(", ").join(map(sql.Identifier, names)),
            sql.SQL(", ").join(values), sql.Literal(fids),
        )
        with connection.cursor() as cur:
            _execute(cur, statement)
        _still_seen(layer, grant, fids)
        _changed(layer, box)


def _locked(layer, grant, fids: Sequence[int]) -> list[int]:
    """``fids``, each a feature the grant shows, locked; FeatureNotFoundError for one it does not."""
    wanted = sorted({int(fid) for fid in fids})
    found = feature_source(layer).lock(FeatureQuery(ids=tuple(wanted), limit=None), grant)
    if missing := sorted(set(wanted) - set(found)):
        raise FeatureNotFoundError(f"no feature {missing[0]} in layer {layer.name!r}", "featureId")
    return found


def _assignments(layer, grant, edit: FeatureEdit, every_field: bool):
    """(column names, SQL values, bbox of the geometry) for an INSERT or UPDATE."""
    if not isinstance(edit.properties, dict):
        raise InvalidFeatureError("properties must be a JSON object", "properties")
    types = {f.name: f.type for f in feature_source(layer).fields(grant)}
    unknown = [name for name in edit.properties if name not in types]
    if unknown:
        raise UnknownPropertyError(
            f"property {str(unknown[0])[:80]!r} is not a property of layer {layer.name!r}; use "
            f"some of {', '.join(list(types)[:20])}", "properties")
    stored = {f["name"]: f["type"] for f in layer.fields}
    names = list(types) if every_field else list(edit.properties)
    values = [_value(name, edit.properties.get(name), stored[name]) for name in names]
    if edit.geometry is KEEP:
        return names, values, None
    geometry, box = _geometry(layer, edit)
    return [*names, "geom"], [*values, geometry], box


def _value(name: str, value, pg_type: str) -> sql.Composable:
    if value is None:
        return sql.SQL("NULL")
    if isinstance(value, (dict, list)):
        raise InvalidFeatureError(f"property {name!r} must be a single value", name)
    return sql.SQL("CAST({} AS {})").format(sql.Literal(value), sql.SQL(pg_type))


def _geometry(layer, edit: FeatureEdit) -> tuple[sql.Composable, list[float] | None]:
    """The geometry as stored (EWKB literal, in the layer's CRS and type) and its bbox."""
    if edit.geometry is None:
        return sql.SQL("NULL"), None
    if not isinstance(edit.geometry, dict):
        raise InvalidFeatureError("geometry must be a GeoJSON geometry object", "geometry")
    try:
        shape = shapely.from_geojson(json.dumps(edit.geometry))
    except (shapely.errors.GEOSException, ValueError, TypeError) as e:
        raise InvalidFeatureError(f"geometry is not GeoJSON: {_first_line(e)}", "geometry") from None
    if shape.is_empty:
        raise InvalidFeatureError("geometry is empty; send null for a feature without one", "geometry")
    if edit.yx:
        shape = shapely.transform(shape, lambda coordinates: coordinates[:, ::-1])
    minx, miny, maxx, maxy = shapely.bounds(shape)
    if is_geographic(edit.srid) and not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidFeatureError(
            "geometry: longitudes must lie within ±180 and latitudes within ±90", "geometry")
    stored = sql.SQL("ST_Force2D(ST_Transform(ST_GeomFromWKB({}, {}), {}))").format(
        sql.Literal(shapely.to_wkb(shape)), sql.Literal(int(edit.srid)), sql.Literal(int(layer.srid)))
    if layer.geometry_type.startswith("Multi"):
        stored = sql.SQL("ST_Multi({})").format(stored)
    query = sql.SQL(
        "SELECT ST_AsEWKB(g), GeometryType(g), ST_IsValidReason(g), ST_XMin(g), ST_YMin(g), "
        "ST_XMax(g), ST_YMax(g) FROM (SELECT {} AS g) q"
    ).format(stored)
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(query)
            ewkb, kind, validity, *box = cur.fetchone()
    except DatabaseError as e:  # only the client's geometry is at stake: PROJ refused it
        raise InvalidFeatureError(f"geometry: {_first_line(e)}", "geometry") from e
    wanted = layer.geometry_type.upper()
    if wanted not in ("", "GEOMETRY") and kind != wanted:
        raise InvalidFeatureError(
            f"geometry is a {kind.title()}; layer {layer.name!r} stores {layer.geometry_type}", "geometry")
    if validity != "Valid Geometry":
        raise InvalidFeatureError(f"geometry is not valid: {validity}", "geometry")
    return sql.SQL("ST_GeomFromEWKB({})").format(sql.Literal(bytes(ewkb))), box


def _execute(cur, statement: sql.Composable) -> None:
    try:
        with transaction.atomic():
            cur.execute(statement)
    except DataError as e:  # a value its column's type cannot hold
        raise InvalidFeatureError(f"a property value does not fit its field: {_first_line(e)}",
                                  "properties") from e


def _still_seen(layer, grant, fids: list[int]) -> None:
    if grant.row_filter is None and grant.area_limit is None:
        return
    if feature_source(layer).count(FeatureQuery(ids=tuple(fids)), grant) < len(fids):
        raise EditRefusedError(
            f"the feature would lie outside what your grant on {layer.name!r} lets you edit",
            "feature")


def _changed(layer, box: list[float] | None, added: int = 0) -> None:
    """Record an edit: feature count, an extent grown to the new geometry, the revision."""
    from layers.models import Layer

    changes = {"feature_count": F("feature_count") + added} if added else {}
    # Locked until the edit commits, so edits at the same time grow the extent in turn.
    old = Layer.objects.select_for_update().values_list("native_bbox", flat=True).get(pk=layer.pk)
    grown = box if not old else (
        box and [min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3])])
    if grown and grown != old:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT ST_AsBinary(ST_Envelope(ST_Transform("
                "ST_MakeEnvelope(%s, %s, %s, %s, %s), 4490)))",
                [*grown, layer.srid],
            )
            wkb = cur.fetchone()[0]
        changes.update(native_bbox=grown,
                       extent=storage.envelope_polygon(GEOSGeometry(memoryview(wkb), srid=4490)))
    if changes:
        Layer.objects.filter(pk=layer.pk).update(**changes)
    layer.bump(data=True)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
