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
from django.contrib.gis.geos import Polygon
from django.db import DatabaseError, DataError, connection, transaction
from django.db.models import F
from psycopg import sql

from geoshare.access import policy
from geoshare.errors import (
    FeatureNotFoundError, GeoshareError, InvalidParameterError, LayerNotFoundError,
    NotAuthenticatedError, UnknownPropertyError, first_line,
)
from geoshare.geo import BBox, is_geographic
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


def insert(layer, grant, features: Sequence[FeatureEdit]) -> list[int]:
    """Add features, in one statement; their new ids, in order."""
    if not features:
        return []
    shapes = _geometries(layer, features)
    columns = _Columns(layer, grant)
    rows = []
    for edit, (geometry, _) in zip(features, shapes):
        names, values = columns.assignments(edit, every_field=False)
        rows.append(dict(zip([*names, "geom"], [*values, geometry])))
    names = list(dict.fromkeys(name for row in rows for name in row))
    statement = sql.SQL("INSERT INTO {} ({}) VALUES {} RETURNING fid").format(
        storage.table(layer.table_name), sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(
            sql.SQL("({})").format(sql.SQL(", ").join(row.get(n, sql.SQL("NULL")) for n in names))
            for row in rows),
    )
    with transaction.atomic():
        fids = sorted(fid for (fid,) in _execute(statement))  # the sequence numbers rows in order
        _still_seen(layer, grant, fids)
        _changed(layer, _union([box for _, box in shapes]), added=len(fids))
    return fids


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
        _execute(sql.SQL("DELETE FROM {} WHERE fid = ANY({})").format(
            storage.table(layer.table_name), sql.Literal(fids)))
        _changed(layer, None, added=-len(fids))


def _set(layer, grant, fids: Sequence[int], edit: FeatureEdit, every_field: bool) -> None:
    names, values = _Columns(layer, grant).assignments(edit, every_field)
    box = None
    if edit.geometry is not KEEP:
        (geometry, box), = _geometries(layer, [edit])
        names, values = [*names, "geom"], [*values, geometry]
    if not names:
        raise InvalidFeatureError("the update changes nothing: name a property or the geometry",
                                  "properties")
    with transaction.atomic():
        fids = _locked(layer, grant, fids)
        if not fids:
            return
        _execute(sql.SQL("UPDATE {} SET ({}) = ROW({}) WHERE fid = ANY({})").format(
            storage.table(layer.table_name), sql.SQL(", ").join(map(sql.Identifier, names)),
            sql.SQL(", ").join(values), sql.Literal(fids),
        ))
        _still_seen(layer, grant, fids)
        _changed(layer, box)


def _locked(layer, grant, fids: Sequence[int]) -> list[int]:
    """``fids``, each a feature the grant shows, locked; FeatureNotFoundError for one it does not."""
    wanted = sorted({int(fid) for fid in fids})
    found = feature_source(layer).lock(FeatureQuery(ids=tuple(wanted), limit=None), grant)
    if missing := sorted(set(wanted) - set(found)):
        raise FeatureNotFoundError(f"no feature {missing[0]} in layer {layer.name!r}", "featureId")
    return found


class _Columns:
    """The fields a grant lets an edit write, worked out once for all its features."""

    def __init__(self, layer, grant):
        self.layer_name = layer.name
        self.visible = [f.name for f in feature_source(layer).fields(grant)]
        self.types = {f["name"]: f["type"] for f in layer.fields}

    def assignments(self, edit: FeatureEdit, every_field: bool):
        """(column names, SQL values) of an edit's properties, for an INSERT or UPDATE."""
        if not isinstance(edit.properties, dict):
            raise InvalidFeatureError("properties must be a JSON object", "properties")
        unknown = [name for name in edit.properties if name not in self.visible]
        if unknown:
            raise UnknownPropertyError(
                f"property {str(unknown[0])[:80]!r} is not a property of layer "
                f"{self.layer_name!r}; use some of {', '.join(self.visible[:20])}", "properties")
        names = list(self.visible) if every_field else list(edit.properties)
        return names, [_value(name, edit.properties.get(name), self.types[name]) for name in names]


def _value(name: str, value, pg_type: str) -> sql.Composable:
    if value is None:
        return sql.SQL("NULL")
    if isinstance(value, (dict, list)):
        raise InvalidFeatureError(f"property {name!r} must be a single value", name)
    return sql.SQL("CAST({} AS {})").format(sql.Literal(value), sql.SQL(pg_type))


def _geometries(layer, features: Sequence[FeatureEdit]) -> list[tuple[sql.Composable, list | None]]:
    """Each feature's geometry as stored (an EWKB literal in the layer's CRS and type, or
    NULL) and its bbox; checked in Python, then moved and checked by PostGIS in one query."""
    shapes = [_shape(edit, _position(n, features)) for n, edit in enumerate(features)]
    given = [n for n, shape in enumerate(shapes) if shape is not None]
    stored = sql.SQL("ST_Force2D(ST_Transform(ST_GeomFromWKB(wkb, srid), {}))").format(
        sql.Literal(int(layer.srid)))
    if layer.geometry_type.startswith("Multi"):
        stored = sql.SQL("ST_Multi({})").format(stored)
    query = sql.SQL(
        "SELECT ST_AsEWKB(g), GeometryType(g), ST_IsValidReason(g), ST_XMin(g), ST_YMin(g), "
        "ST_XMax(g), ST_YMax(g) FROM (SELECT n, {} AS g FROM unnest({}::bytea[], {}::int[]) "
        "WITH ORDINALITY AS v(wkb, srid, n)) q ORDER BY n"
    ).format(stored, sql.Literal([shapely.to_wkb(shapes[n]) for n in given]),
             sql.Literal([int(features[n].srid) for n in given]))
    rows = []
    if given:
        try:
            rows = _execute(query)
        except DatabaseError as e:  # only the clients' geometries are at stake: PROJ refused one
            raise InvalidFeatureError(f"geometry: {first_line(e, 300)}", "geometry") from e
    results = [(sql.SQL("NULL"), None)] * len(features)
    wanted = layer.geometry_type.upper()
    for n, (ewkb, kind, validity, *box) in zip(given, rows):
        where = _position(n, features)
        if wanted not in ("", "GEOMETRY") and kind != wanted:
            raise InvalidFeatureError(
                f"{where}geometry is a {kind.title()}; layer {layer.name!r} stores {layer.geometry_type}",
                "geometry")
        if validity != "Valid Geometry":
            raise InvalidFeatureError(f"{where}geometry is not valid: {validity}", "geometry")
        results[n] = (sql.SQL("ST_GeomFromEWKB({})").format(sql.Literal(bytes(ewkb))), box)
    return results


def _shape(edit: FeatureEdit, where: str):
    """The edit's GeoJSON geometry as x/y shapely, or None for none."""
    if edit.geometry is None:
        return None
    if not isinstance(edit.geometry, dict):
        raise InvalidFeatureError(f"{where}geometry must be a GeoJSON geometry object", "geometry")
    try:
        shape = shapely.from_geojson(json.dumps(edit.geometry))
    except (shapely.errors.GEOSException, ValueError, TypeError) as e:
        raise InvalidFeatureError(f"{where}geometry is not GeoJSON: {first_line(e, 300)}", "geometry") from None
    if shape.is_empty:
        raise InvalidFeatureError(f"{where}geometry is empty; send null for a feature without one",
                                  "geometry")
    if edit.yx:
        shape = shapely.transform(shape, lambda coordinates: coordinates[:, ::-1])
    minx, miny, maxx, maxy = shapely.bounds(shape)
    if is_geographic(edit.srid) and not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidFeatureError(
            f"{where}geometry: longitudes must lie within ±180 and latitudes within ±90", "geometry")
    return shape


def _position(n: int, features: Sequence) -> str:
    return f"feature {n + 1}: " if len(features) > 1 else ""


def _execute(statement: sql.Composable) -> list[tuple]:
    """The statement's rows. No savepoint: a failure ends the edit, and the transaction."""
    try:
        with connection.cursor() as cur:
            cur.execute(statement)
            return cur.fetchall() if cur.description else []
    except DataError as e:  # a value its column's type cannot hold
        raise InvalidFeatureError(f"a property value does not fit its field: {first_line(e, 300)}",
                                  "properties") from e


def _still_seen(layer, grant, fids: list[int]) -> None:
    if grant.row_filter is None and grant.area_limit is None:
        return
    if feature_source(layer).count(FeatureQuery(ids=tuple(fids)), grant) < len(fids):
        raise EditRefusedError(
            f"the feature would lie outside what your grant on {layer.name!r} lets you edit",
            "feature")


def _union(boxes) -> list[float] | None:
    boxes = [box for box in boxes if box]
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes)]


def _changed(layer, box: list[float] | None, added: int = 0) -> None:
    """Record an edit: feature count, an extent grown to the new geometries, the revision."""
    from layers.models import Layer

    changes = {"feature_count": F("feature_count") + added} if added else {}
    # Locked until the edit commits, so edits at the same time grow the extent in turn.
    old = Layer.objects.select_for_update().values_list("native_bbox", flat=True).get(pk=layer.pk)
    grown = _union([old, box]) if box else old
    if grown and grown != old:
        # PROJ here, not a round trip to PostGIS while the layer's row is locked.
        envelope = Polygon.from_bbox(BBox(*grown, layer.srid).transformed(4490).as_tuple()).envelope
        envelope.srid = 4490
        changes.update(native_bbox=grown, extent=storage.envelope_polygon(envelope))
    if changes:
        Layer.objects.filter(pk=layer.pk).update(**changes)
    layer.bump(data=True)
