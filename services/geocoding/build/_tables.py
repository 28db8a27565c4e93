"""Shadow tables for a rebuild: filled and indexed aside, swapped in one short transaction.

Indexing a million rows at once takes a third of the time that keeping the indexes up
to date row by row takes, and searches keep reading the old tables until the swap.
The shadow tables copy the live ones' columns and replay their index definitions as
PostgreSQL reports them, so a migration that adds an index needs no change here.
"""

from __future__ import annotations

import re

from django.db import connection
from psycopg import sql

__all__ = ["TABLES", "create_shadows", "drop_shadows", "index_shadows", "shadow", "swap"]

TABLES = ("geocoding_entry", "geocoding_name", "geocoding_variant", "geocoding_prefix")
_SUFFIX = "_next"


def shadow(table: str) -> str:
    return table + _SUFFIX


def create_shadows() -> None:
    """Empty copies of the live tables' columns, defaults and identity, without indexes."""
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(shadow(table))))
            cur.execute(
                sql.SQL(
                    "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING IDENTITY "
                    "INCLUDING STORAGE)"
                ).format(sql.Identifier(shadow(table)), sql.Identifier(table))
            )


def drop_shadows() -> None:
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(shadow(table))))


def index_shadows() -> None:
    """The live tables' indexes and primary keys, built on the filled shadows."""
    with connection.cursor() as cur:
        for table in TABLES:
            for name, definition, is_primary in _indexes(cur, table):
                cur.execute(_on_shadow(definition, table, name))
                if is_primary:
                    cur.execute(
                        sql.SQL(
                            "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}"
                        ).format(
                            sql.Identifier(shadow(table)),
                            sql.Identifier(shadow(name)),
                            sql.Identifier(shadow(name)),
                        )
                    )
            cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(shadow(table))))


def swap() -> None:
    """Put the shadows in the live tables' place. Call inside a transaction."""
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in TABLES)
            )
        )
        for table in TABLES:
            names = [name for name, _, _ in _indexes(cur, table)]
            cur.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table)))
            cur.execute(
                sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                    sql.Identifier(shadow(table)), sql.Identifier(table)
                )
            )
            # The id column's identity sequence went with the old table; the shadow's own
            # takes its name, so that the next shadow can be made under the same names.
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cur.fetchone()[0]
            cur.execute(
                sql.SQL("ALTER SEQUENCE {} RENAME TO {}").format(
                    sql.SQL(sequence), sql.Identifier(f"{table}_id_seq")
                )
            )
            for name in names:
                # Renaming a primary key's index renames the constraint with it.
                cur.execute(
                    sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                        sql.Identifier(shadow(name)), sql.Identifier(name)
                    )
                )


def _indexes(cur, table: str) -> list[tuple[str, str, bool]]:
    cur.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid), coalesce(c.contype = 'p', false) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = %s::regclass ORDER BY i.relname",
        [table],
    )
    return cur.fetchall()


def _on_shadow(definition: str, table: str, name: str) -> str:
    # "CREATE INDEX entry_source ON public.geocoding_entry USING btree (layer_id, fid)"
    definition = re.sub(
        rf"^(CREATE (?:UNIQUE )?INDEX ){re.escape(name)} ON ((?:\S+\.)?){re.escape(table)} ",
        lambda m: f"{m.group(1)}{shadow(name)} ON {m.group(2)}{shadow(table)} ",
        definition,
    )
    if shadow(table) not in definition:
        raise RuntimeError(f"cannot read the index definition {definition!r}")
    return definition
