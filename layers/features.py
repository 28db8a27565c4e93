"""The feature engine: queries on layer tables in PostGIS, shared by WFS, OGC API and WMS.

Every query is composed with psycopg's ``sql`` module: identifiers are quoted, values are
literals, and the grant's row filter, hidden fields and area limit are applied here and
nowhere else.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import DataError, connection, transaction
from psycopg import sql

from geoshare.errors import FeatureNotFoundError, InvalidParameterError, UnknownPropertyError, first_line
from layers import storage
from layers.filters import FilterContext, FilterError, compile_filter
from layers.sources import MAX_LIMIT, Feature, FeatureQuery, FieldInfo, GeometryOutput

__all__ = ["PostGISFeatureSource", "feature_source"]

_FETCH_SIZE = 2000


@contextmanager
def _values_checked():
    """A request whose values PostgreSQL refuses (a number out of range...) is the caller's error."""
    try:
        yield
    except (DataError, psycopg.DataError) as e:  # Django's, or the named cursor's own
        raise FilterError(f"the request does not apply to this layer's values: {first_line(e, 160)}",
                          "filter") from None


def feature_source(layer) -> PostGISFeatureSource:
    """The FeatureSource of a vector layer."""
    if not layer.is_vector:
        raise InvalidParameterError(f"layer {layer.name!r} is a raster; it has no features", "layer")
    return PostGISFeatureSource(layer)


class PostGISFeatureSource:
    def __init__(self, layer):
        self.layer = layer
        self.table = storage.table(layer.table_name)

    # -- the contract ---------------------------------------------------------------------

    def fields(self, grant) -> list[FieldInfo]:
        return [
            FieldInfo(f["name"], f["type"], f.get("title", ""))
            for f in self.layer.fields
            if f["name"] not in grant.hidden_fields
        ]

    def count(self, query: FeatureQuery, grant) -> int:
        statement = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(
            self.table, self._where(query, grant, paging=False)
        )
        with connection.cursor() as cur, _values_checked():
            cur.execute(statement)
            return cur.fetchone()[0]

    def estimate(self, query: FeatureQuery, grant) -> int:
        statement = sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM {} WHERE {}").format(
            self.table, self._where(query, grant, paging=False)
        )
        with connection.cursor() as cur, _values_checked():
            cur.execute(statement)
            plan = cur.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def features(self, query: FeatureQuery, grant) -> Iterator[Feature]:
        statement, names = self._select(query, grant)
        # A server-side cursor inside a transaction: memory stays bounded whatever the size.
        with transaction.atomic(), _values_checked():
            connection.ensure_connection()
            with connection.connection.cursor(name=f"features_{uuid.uuid4().hex}") as cur:
                cur.itersize = _FETCH_SIZE
                cur.execute(statement)
                for fid, geometry, *values in cur:
                    yield Feature(fid, geometry, dict(zip(names, values)))

    def fetch(self, query: FeatureQuery, grant) -> list[Feature]:
        """Matching features read at once, in one round trip: for answers of a known small size.

        ``features()`` costs a transaction and a cursor's DECLARE/FETCH/CLOSE; a few hundred
        features are cheaper read in one go. ``query.limit`` bounds the memory this takes.
        """
        if query.limit is None or query.limit > MAX_LIMIT:
            raise InvalidParameterError(f"fetch reads at most {MAX_LIMIT} features; stream more", "limit")
        statement, names = self._select(query, grant)
        with connection.cursor() as cur, _values_checked():
            cur.execute(statement)
            rows = cur.fetchall()
        return [Feature(fid, geometry, dict(zip(names, values))) for fid, geometry, *values in rows]

    def get(self, fid: int, grant, geometry: GeometryOutput | None = None) -> Feature:
        query = FeatureQuery(ids=(fid,), limit=1, geometry=geometry or GeometryOutput())
        statement, names = self._select(query, grant)
        with connection.cursor() as cur, _values_checked():
            cur.execute(statement)
            row = cur.fetchone()
        if row is None:
            raise FeatureNotFoundError(f"no feature {fid!r} in layer {self.layer.name!r}", "featureId")
        fid, geometry_value, *values = row
        return Feature(fid, geometry_value, dict(zip(names, values)))

    def lock(self, query: FeatureQuery, grant) -> list[int]:
        """The ids of the matching features, their rows locked until the transaction ends."""
        statement = sql.SQL("SELECT fid FROM {} WHERE {} ORDER BY fid FOR UPDATE").format(
            self.table, self._where(query, grant, paging=False)
        )
        with connection.cursor() as cur, _values_checked():
            cur.execute(statement)
            return [fid for (fid,) in cur.fetchall()]

    # -- SQL for other engines ------------------------------------------------------------

    def restricted_table(self, grant, columns: list[str] | None = None,
                         hidden_as_null: bool = False) -> sql.Composable:
        """A subquery of what the grant shows of this table, for Mapnik and ST_AsMVT.

        ``columns``: the properties to carry (visible ones only); None: all visible.
        ``hidden_as_null``: hidden columns are there, empty, for styles that name them.
        """
        names = self._property_names(tuple(columns) if columns is not None else None, grant)
        select = [sql.Identifier("fid"), sql.SQL("{} AS geom").format(self._clipped_geometry(grant))]
        select += [sql.Identifier(n) for n in names]
        if hidden_as_null:
            select += [sql.SQL("NULL::text AS {}").format(sql.Identifier(n)) for n in sorted(grant.hidden_fields)]
        return sql.SQL("(SELECT {} FROM {} WHERE {})").format(
            sql.SQL(", ").join(select), self.table, self._grant_where(grant)
        )

    def as_string(self, composable: sql.Composable) -> str:
        connection.ensure_connection()
        return composable.as_string(connection.connection)

    # -- building blocks ------------------------------------------------------------------

    def _select(self, query: FeatureQuery, grant) -> tuple[sql.Composable, list[str]]:
        names = self._property_names(query.properties, grant)
        columns = [sql.Identifier("fid"), self._geometry_sql(query.geometry, grant)]
        columns += [sql.Identifier(n) for n in names]
        statement = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(
            sql.SQL(", ").join(columns), self.table, self._where(query, grant, paging=True),
            self._order(query, grant),
        )
        if query.limit is not None:
            statement += sql.SQL(" LIMIT {}").format(sql.Literal(int(query.limit)))
        if query.offset:
            statement += sql.SQL(" OFFSET {}").format(sql.Literal(int(query.offset)))
        return statement, names

    def _property_names(self, requested: tuple[str, ...] | None, grant) -> list[str]:
        visible = [f.name for f in self.fields(grant)]
        if requested is None:
            return visible
        unknown = [p for p in requested if p not in visible]
        if unknown:
            raise UnknownPropertyError(
                f"property {unknown[0][:80]!r} is not a property of layer {self.layer.name!r}; "
                f"use some of {', '.join(visible[:20])}",
                "properties",
            )
        return [p for p in visible if p in requested]

    def _where(self, query: FeatureQuery, grant, paging: bool) -> sql.Composable:
        grant_where = self._grant_where(grant)
        keys = [grant_where]  # tests that cannot fail on any row, and may use an index
        tests = []  # tests that may fail on some values: they only ever see the grant's rows
        if query.bbox is not None:
            box = query.bbox.transformed(self.layer.srid)
            envelope = sql.SQL("ST_MakeEnvelope({}, {}, {}, {}, {})").format(
                *(sql.Literal(float(v)) for v in box.as_tuple()), sql.Literal(self.layer.srid)
            )
            keys.append(sql.SQL("geom && {}").format(envelope))
            if grant.area_limit is not None:
                # The box meets what the grant shows (the clipped geometry), not the whole.
                envelope = sql.SQL("ST_Intersection({}, {})").format(self._area(grant), envelope)
            tests.append(sql.SQL("ST_Intersects(geom, {})").format(envelope))
        if query.where is not None:
            context = FilterContext(
                {f.name: f.type for f in self.fields(grant)}, self.layer.srid, query.literal_srid,
                geometry=self._clipped_geometry(grant),
            )
            tests.append(compile_filter(query.where, context))
        if query.ids is not None:
            ids = [int(i) for i in query.ids]
            keys.append(sql.SQL("fid = ANY({})").format(sql.Literal(ids)))
        if paging and query.after_fid is not None:
            if query.sortby:
                raise InvalidParameterError("keyset paging needs the default order", "sortby")
            keys.append(sql.SQL("fid > {}").format(sql.Literal(int(query.after_fid))))
        if tests:
            test = sql.SQL(" AND ").join(tests)
            if grant.row_filter is not None or grant.area_limit is not None:
                # PostgreSQL orders a WHERE's terms by cost: a cheap test of the caller's could
                # run on a row the grant hides, and its error would tell that the row exists.
                test = sql.SQL("CASE WHEN {} THEN {} ELSE FALSE END").format(grant_where, test)
            keys.append(test)
        return sql.SQL(" AND ").join(keys)

    def _grant_where(self, grant) -> sql.Composable:
        clauses: list[sql.Composable] = [sql.SQL("TRUE")]
        if grant.row_filter is not None:
            # A row filter may use fields the grantee cannot see: compile against all of them.
            context = FilterContext(
                {f["name"]: f["type"] for f in self.layer.fields}, self.layer.srid
            )
            clauses.append(compile_filter(grant.row_filter, context))
        if grant.area_limit is not None:
            clauses.append(sql.SQL("ST_Intersects(geom, {})").format(self._area(grant)))
        return sql.SQL(" AND ").join(clauses)

    def _area(self, grant) -> sql.Composable:
        area = grant.area_limit
        return sql.SQL("ST_GeomFromEWKB({})").format(sql.Literal(bytes(area.ewkb)))

    def _clipped_geometry(self, grant) -> sql.Composable:
        if grant.area_limit is None:
            return sql.Identifier("geom")
        return sql.SQL(
            "CASE WHEN ST_Within(geom, {0}) THEN geom ELSE ST_Intersection(geom, {0}) END"
        ).format(self._area(grant))

    def _geometry_sql(self, output: GeometryOutput, grant) -> sql.Composable:
        if output.format == "none":
            return sql.SQL("NULL")
        geometry = self._clipped_geometry(grant)
        if output.srid is not None and output.srid != self.layer.srid:
            geometry = sql.SQL("ST_Transform({}, {})").format(geometry, sql.Literal(output.srid))
        if output.axis_yx and output.format in ("geojson", "wkb"):
            geometry = sql.SQL("ST_FlipCoordinates({})").format(geometry)
        precision = sql.Literal(int(output.precision))
        if output.format == "wkb":
            return sql.SQL("ST_AsBinary({})").format(geometry)
        if output.format == "geojson":
            return sql.SQL("ST_AsGeoJSON({}, {})").format(geometry, precision)
        if output.format == "wkt":
            return sql.SQL("ST_AsText({}, {})").format(geometry, precision)
        if output.format in ("gml2", "gml3"):
            version = sql.Literal(2 if output.format == "gml2" else 3)
            options = sql.Literal(int(output.gml_options))
            if output.gml_id_prefix is None:
                return sql.SQL("ST_AsGML({}, {}, {}, {})").format(version, geometry, precision, options)
            return sql.SQL("ST_AsGML({}, {}, {}, {}, 'gml', {} || fid)").format(
                version, geometry, precision, options, sql.Literal(output.gml_id_prefix)
            )
        raise InvalidParameterError(f"geometry format {output.format!r} is unknown", "outputFormat")

    def _order(self, query: FeatureQuery, grant) -> sql.Composable:
        visible = {f.name for f in self.fields(grant)}
        keys = []
        for name, ascending in query.sortby:
            if name in ("fid", "id"):
                column = sql.Identifier("fid")
            elif name in visible:
                column = sql.Identifier(name)
            else:
                raise UnknownPropertyError(
                    f"sortby names {name[:80]!r}, which is not a property of layer "
                    f"{self.layer.name!r}",
                    "sortby",
                )
            keys.append(sql.SQL("{} {}").format(column, sql.SQL("ASC" if ascending else "DESC")))
        keys.append(sql.Identifier("fid"))
        return sql.SQL(", ").join(keys)
