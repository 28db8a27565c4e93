"""Rebuild the gazetteer from the layers the field mappings name, all at once.

Entries are written to shadow tables and swapped in when complete (``_tables``):
searches keep answering from the previous gazetteer meanwhile, and a failed rebuild
changes nothing. Source rows are streamed from the layer tables and entries written
with COPY (``_entries``), so memory holds only the named entries (roads, compounds,
POIs, divisions) and the numbered ones implied by others.
"""

from __future__ import annotations

import contextlib
import logging
import time

from django.db import connection, transaction
from django.utils import timezone

from geoshare.errors import GeoshareError
from layers.models import JobStatus

from ..models import GazetteerBuild
from . import _tables
from ._entries import Builder
from ._values import canonical_part

__all__ = ["GazetteerBusyError", "build_gazetteer", "canonical_part", "current_revision"]

log = logging.getLogger(__name__)

LOCK_KEY = 0x6765_6F63  # "geoc": one rebuild at a time, across processes and machines


class GazetteerBusyError(GeoshareError):
    """Another rebuild holds the gazetteer."""


def current_revision() -> int:
    """Identifies the gazetteer's content: the id of the newest finished build (0: none)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(max(id), 0) FROM geocoding_gazetteerbuild WHERE status = %s",
            [JobStatus.DONE],
        )
        return cur.fetchone()[0]


def build_gazetteer(build: GazetteerBuild | None = None, *, watched: bool = True) -> GazetteerBuild:
    """Rebuild every entry from the enabled mappings; returns the finished build record.

    The new gazetteer is written and indexed in shadow tables and swapped in at once,
    together with the build's new revision. ``watched`` reports progress on the record
    while it runs, on a second database connection (``progress``) that a caller's
    transaction does not hide. Raises ``GazetteerBusyError`` if another rebuild is
    running; any failure leaves the gazetteer as it was and is recorded on ``build``
    before it propagates.
    """
    build = build or GazetteerBuild.objects.create()
    builds = GazetteerBuild.objects.filter(pk=build.pk)
    builds.update(status=JobStatus.RUNNING, started=timezone.now(), progress=0, message="")
    progress = GazetteerBuild.objects.using("progress").filter(pk=build.pk)

    def show_progress(share: float) -> None:
        if watched:
            progress.update(progress=round(99 * share, 1))

    try:
        with _exclusive():
            _tables.create_shadows()
            try:
                started = time.monotonic()
                report = Builder(show_progress).run()
                written = time.monotonic()
                _tables.index_shadows()
                log.info(
                    "gazetteer rows written in %.1f s, indexed in %.1f s",
                    written - started,
                    time.monotonic() - written,
                )
                with transaction.atomic():
                    _tables.swap()
                    builds.update(
                        status=JobStatus.DONE,
                        progress=100,
                        finished=timezone.now(),
                        counts=report.counts,
                        skipped=report.skipped,
                        message=report.summary(),
                    )
            except BaseException:
                _tables.drop_shadows()
                raise
    except Exception as e:
        message = e.message if isinstance(e, GeoshareError) else f"rebuild failed: {e}"
        builds.update(status=JobStatus.FAILED, finished=timezone.now(), message=message[:2000])
        raise
    build.refresh_from_db()
    return build


@contextlib.contextmanager
def _exclusive():
    """One rebuild at a time, across processes and machines."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cur.fetchone()[0]:
            raise GazetteerBusyError("another gazetteer rebuild is running; try again later")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
