"""The database as live-server tests find it: what the session set up, put back after each.

Live-server tests are transactional: they end by flushing every table, and serialized
rollback reloads what was serialized, one ``save()`` per row. The gazetteer's derived
tables hold too many rows for that; they are copied aside in SQL instead and put back
with one INSERT each.
"""

import json

from django.db import connections
from django.db.backends.base.creation import BaseDatabaseCreation

__all__ = ["restore_copied_tables", "take"]

# Derived from the layers by a gazetteer build; in foreign-key order.
COPIED_TABLES = ("geocoding_entry", "geocoding_name", "geocoding_variant", "geocoding_prefix")
_SCHEMA = "test_snapshot"
_COPIED_MODELS = {f"geocoding.{table.removeprefix('geocoding_')}" for table in COPIED_TABLES}


def take() -> None:
    """Remember the database as it is now, for every serialized-rollback test after this."""
    for connection in connections.all(initialized_only=True):
        if not hasattr(connection, "_test_serialized_contents"):
            continue
        objects = json.loads(connection.creation.serialize_db_to_string())
        connection._test_serialized_contents = json.dumps(
            [o for o in objects if o["model"] not in _COPIED_MODELS]
        )
        with connection.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {_SCHEMA} CASCADE; CREATE SCHEMA {_SCHEMA}")
            for table in COPIED_TABLES:
                cur.execute(f"CREATE TABLE {_SCHEMA}.{table} AS TABLE public.{table}")


def restore_copied_tables():
    """Patch serialized rollback to put the copied tables back too; returns the undo."""
    deserialize = BaseDatabaseCreation.deserialize_db_from_string

    def deserialize_and_restore(creation, data):
        deserialize(creation, data)
        with creation.connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(COPIED_TABLES)}")  # the first test finds them full
            for table in COPIED_TABLES:
                cur.execute(f"INSERT INTO public.{table} SELECT * FROM {_SCHEMA}.{table}")

    BaseDatabaseCreation.deserialize_db_from_string = deserialize_and_restore

    def undo():
        BaseDatabaseCreation.deserialize_db_from_string = deserialize

    return undo
