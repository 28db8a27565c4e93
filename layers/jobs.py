"""Import jobs: a request stores the upload and enqueues; a worker runs the import.

States: queued → running → done | failed | needs_input. A job that needs input (no CRS in
the file, an undecidable encoding, several layers to choose from) keeps its upload so an
administrator can give the missing option and run it again.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from geoshare.errors import ImportFailedError
from layers.models import ImportJob, JobStatus

__all__ = ["submit_import", "run_import_job", "store_upload"]

log = logging.getLogger(__name__)
_PROGRESS_EVERY_SECONDS = 1.0


def store_upload(uploaded, directory: Path | None = None, default_name: str = "upload") -> Path:
    """Save a Django UploadedFile under UPLOAD_DIR in a directory of its own.

    The file keeps the end of its own name (the extension tells readers the format), or
    ``default_name`` when it came without one.
    """
    directory = directory or settings.UPLOAD_DIR / uuid.uuid4().hex
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / (Path(uploaded.name or "").name[-120:] or default_name)
    with open(target, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return target


def submit_import(path: Path, options: dict, user=None) -> ImportJob:
    """Record an import job for ``path`` and queue it once the transaction commits."""
    from layers.tasks import run_import

    job = ImportJob.objects.create(
        source_name=path.name, source_path=str(path), options=options, created_by=user
    )
    transaction.on_commit(lambda: run_import.defer(job_id=str(job.pk)))
    return job


def run_import_job(job_id: str) -> ImportJob:
    """Run one queued job to its end state. Never raises for a bad file: the job records it."""
    # Here, not at the top: the readers load GDAL, pyarrow and rasterio (over 100 MB per
    # process), which only the job workers need; web workers only queue jobs.
    from layers.importers import import_file

    progress_db = ImportJob.objects.using("progress")
    job = progress_db.get(pk=job_id)
    progress_db.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started=timezone.now(), progress=0, message=""
    )
    last_report = [0.0]

    def progress(done: int, total: int | None) -> None:
        now = time.monotonic()
        if total and now - last_report[0] >= _PROGRESS_EVERY_SECONDS:
            last_report[0] = now
            progress_db.filter(pk=job.pk).update(progress=round(100.0 * done / total, 1))

    try:
        report = import_file(_request_from(job), progress)
    except ImportFailedError as e:
        status = JobStatus.NEEDS_INPUT if e.locator else JobStatus.FAILED
        progress_db.filter(pk=job.pk).update(
            status=status, message=e.message, finished=timezone.now()
        )
    except Exception:
        log.exception("import job %s failed", job.pk)
        progress_db.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished=timezone.now(),
            message="internal error while importing; the server log has the details",
        )
    else:
        progress_db.filter(pk=job.pk).update(
            status=JobStatus.DONE, progress=100, message=report.summary(),
            layer=report.layer, finished=timezone.now(),
        )
        shutil.rmtree(Path(job.source_path).parent, ignore_errors=True)
    return progress_db.get(pk=job.pk)


def _request_from(job: ImportJob):
    from layers.importers import ImportRequest, parse_srs

    o = job.options
    try:
        return ImportRequest(
            path=Path(job.source_path),
            name=o["name"],
            title=o.get("title") or o["name"],
            kind=o["kind"],
            tier=int(o["tier"]),
            department_id=int(o["department_id"]),
            srid=parse_srs(o.get("srs")),
            encoding=o.get("encoding") or None,
            source_layer=o.get("source_layer") or None,
            metadata=o.get("metadata", {}),
        )
    except (KeyError, ValueError) as e:
        raise ImportFailedError(f"incomplete import options: {e}") from None
