"""The policy's decisions for the public, kept per process until the catalog changes.

Anonymous callers ask for the same few layers over and over (map tiles above all), and
what they may see depends on nothing but the layer and layer-group rows. Every change to
those tables notifies channel ``geoshare_catalog`` (triggers from layers migration 0004);
each process LISTENs on its own database connections and forgets all it kept as soon as a
notification arrives, which it checks before each reuse without a round trip.

Nothing is kept or reused inside a transaction: its own changes notify no one until it
commits. A deployment whose connections cannot LISTEN (PgBouncer in transaction pooling)
turns reuse off with ``GEOSHARE_REUSE_PUBLIC_DECISIONS=false``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

import psycopg
from django.conf import settings
from django.db import connection

__all__ = ["CHANNEL", "decided"]

CHANNEL = "geoshare_catalog"
_LIMIT = 10_000  # anyone can ask for names that do not exist; keep memory bounded
_MISSING = object()

_lock = threading.Lock()
_kept: dict[Hashable, object] = {}
_generation = 0  # how many times the catalog changed, as seen by this process
_listening = threading.local()  # .on: the psycopg connection this thread LISTENs on


def decided(key: Hashable, decide: Callable[[], object]):
    """``decide()``, or what it answered for ``key`` since the catalog last changed."""
    try:
        raw = _notified_connection()
        if raw is None:
            return decide()
        _read_notifications(raw)
        if (value := _kept.get(key, _MISSING)) is not _MISSING:
            return value
        generation = _generation
        value = decide()
        _read_notifications(raw)
    except psycopg.Error:  # a broken connection: decide() raises as any query would
        _changed()
        return decide()
    with _lock:
        if generation == _generation:  # else it may predate a change that arrived meanwhile
            if len(_kept) >= _LIMIT:
                _kept.clear()
            _kept[key] = value
    return value


def _notified_connection():
    """This thread's psycopg connection, listening, or None when reuse is not safe."""
    if not settings.GEOSHARE_REUSE_PUBLIC_DECISIONS or connection.in_atomic_block:
        return None
    connection.ensure_connection()
    raw = connection.connection
    if getattr(_listening, "on", None) is not raw:
        # A new connection (first use, or after a reconnect): what happened while this
        # thread was not listening is unknown, so forget everything.
        raw.add_notify_handler(_changed)
        with raw.cursor() as cur:
            cur.execute(f"LISTEN {CHANNEL}")
        _listening.on = raw
        _changed()
    return raw


def _read_notifications(raw) -> None:
    """Take in notifications already on the socket (they reach _changed); never waits."""
    pgconn = raw.pgconn
    pgconn.consume_input()
    while notification := pgconn.notifies():
        pgconn.notify_handler(notification)


def _changed(notification=None) -> None:
    global _generation
    with _lock:
        _generation += 1
        _kept.clear()
