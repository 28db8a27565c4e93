"""Batch geocoding of CSV and Excel files, run by a background worker.

The file is read twice, streaming: first to check it whole (encoding, address column,
row limit), so that a broken file fails before any work and with the line at fault;
then to geocode it in chunks. The result is written beside the upload under a
temporary name and renamed when complete, so no partial file is ever served as done.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import logging
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from geoshare.access.policy import Action, Principal
from geoshare.errors import GeoshareError
from layers.models import JobStatus

from .matcher import geocode
from .models import BatchJob
from .normalize import clean
from .parser import MAX_LENGTH
from .scope import scope_for

__all__ = [
    "BatchInputError",
    "RESULT_COLUMNS",
    "column_index",
    "detect_encoding",
    "read_header",
    "run_batch_job",
    "submit_batch",
]

log = logging.getLogger(__name__)

RESULT_COLUMNS = ("lon", "lat", "level", "score", "standard_address", "note")
_CHUNK = 500
_SNIFF_BYTES = 64 * 1024
_MAX_LINE_BYTES = 1024 * 1024
_PROGRESS_EVERY_SECONDS = 1.0
_SUFFIXES = (".csv", ".txt", ".xlsx")
_TEXT_CODECS = {"utf-8", "utf-8-sig", "gbk", "gb2312", "gb18030", "big5"}


class BatchInputError(GeoshareError):
    """A file that cannot be geocoded as it is; the message names the line and what to do."""

    client_fault = True
    http_status = 400


def submit_batch(path: Path, column: str, encoding: str, user=None) -> BatchJob:
    """Record a job for an uploaded file and queue it once the transaction commits."""
    from django.db import transaction

    from .tasks import run_batch

    job = BatchJob.objects.create(
        source_name=path.name,
        source_path=str(path),
        column=column,
        encoding=encoding,
        user=user if user is not None and user.is_authenticated else None,
    )
    transaction.on_commit(lambda: run_batch.defer(job_id=str(job.pk)))
    return job


def detect_encoding(path: Path, declared: str = "") -> str:
    """The codec of a CSV file: the one declared, else UTF-8 (with or without BOM) or GB18030.

    GB18030 reads everything GBK and GB2312 encode. Only the start is looked at; a bad
    byte further on is reported with its line when the file is read.
    """
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            codec = None
        if codec not in _TEXT_CODECS:
            raise BatchInputError(
                f"encoding {declared[:40]!r} is not one of UTF-8, GBK, GB18030 or Big5", "encoding"
            )
        return codec
    with open(path, "rb") as stream:
        head = stream.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for codec in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(codec)().decode(head, final=False)
            return codec
        except UnicodeDecodeError:
            continue
    raise BatchInputError(
        "the file is neither UTF-8 nor GBK text; save it as CSV UTF-8 or as .xlsx", "file"
    )


def read_header(path: Path, encoding: str) -> list[str]:
    """The column names of a file, for checking a request before it is queued."""
    with _open_table(path, encoding) as (header, _):
        return header


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise BatchInputError("old .xls files are not read; save the sheet as .xlsx or CSV", "file")
    if suffix not in _SUFFIXES:
        raise BatchInputError(f"file {path.name[:80]!r} must be a .csv or .xlsx file", "file")
    return suffix


@contextlib.contextmanager
def _open_table(path: Path, encoding: str):
    """``(header, rows)``, rows being ``(line number, values)``; streams either format."""
    if _check_suffix(path) == ".xlsx":
        with _xlsx_rows(path) as rows:
            yield _header(rows, path), rows
        return
    with open(path, "rb") as stream:
        rows = _csv_rows(stream, encoding)
        yield _header(rows, path), rows


def _header(rows: Iterator, path: Path) -> list[str]:
    first = next(rows, None)
    if first is None:
        raise BatchInputError(f"file {path.name[:80]!r} is empty; it needs a header row", "file")
    return [value.strip() for value in first[1]]


def _csv_rows(stream, encoding: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_decoded_lines(stream, encoding))
    try:
        for values in reader:
            yield reader.line_num, values
    except csv.Error as e:
        raise BatchInputError(f"line {reader.line_num}: not valid CSV ({e})", "file") from None


def _decoded_lines(stream, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)()
    number = 0
    while raw := stream.readline(_MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > _MAX_LINE_BYTES:
            raise BatchInputError(f"line {number} is longer than 1 MB; is this a CSV file?", "file")
        try:
            yield decoder.decode(raw)
        except UnicodeError as e:
            bad = raw[e.start : e.start + 4] if isinstance(e, UnicodeDecodeError) else raw[:4]
            raise BatchInputError(
                f"line {number}: bytes {bad!r} are not valid {encoding} text; "
                "save the file as CSV UTF-8, or name its encoding (encoding=GBK)",
                "file",
            ) from None


@contextlib.contextmanager
def _xlsx_rows(path: Path):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # a damaged zip or XML part fails in any of openpyxl's layers
        raise BatchInputError(
            f"file {path.name[:80]!r} is not a readable .xlsx workbook ({type(e).__name__})", "file"
        ) from None
    try:
        yield _sheet_rows(workbook.worksheets[0])
    finally:
        workbook.close()


def _sheet_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, ["" if v is None else str(v) for v in values]
    except Exception as e:
        raise BatchInputError(
            f"row {number + 1}: the workbook cannot be read from here ({type(e).__name__})", "file"
        ) from None


def run_batch_job(job_id: str) -> BatchJob:
    """Run one queued job to its end state. A bad file fails the job; it does not raise."""
    job = BatchJob.objects.get(pk=job_id)
    jobs = BatchJob.objects.filter(pk=job.pk)
    jobs.update(status=JobStatus.RUNNING, started=timezone.now(), progress=0, message="")
    source = Path(job.source_path)
    result = source.with_name("result" + source.suffix.lower().replace(".txt", ".csv"))
    partial = result.with_name(f".{uuid.uuid4().hex}.part")
    try:
        total = _check(job, source)
        jobs.update(rows=total)
        matched = _geocode_file(job, source, partial, total)
        os.replace(partial, result)
    except BatchInputError as e:
        jobs.update(status=JobStatus.FAILED, message=e.message, finished=timezone.now())
    except Exception:
        log.exception("batch geocoding job %s failed", job.pk)
        jobs.update(
            status=JobStatus.FAILED,
            finished=timezone.now(),
            message="internal error while geocoding; the server log has the details",
        )
    else:
        jobs.update(
            status=JobStatus.DONE,
            progress=100,
            matched=matched,
            result_path=str(result),
            finished=timezone.now(),
            message=f"{matched} of {total} rows geocoded",
        )
    finally:
        partial.unlink(missing_ok=True)
        source.unlink(missing_ok=True)
    return BatchJob.objects.get(pk=job.pk)


def _check(job: BatchJob, source: Path) -> int:
    """Read the whole file once; the number of data rows, or the first reason it cannot run."""
    limit = settings.GEOSHARE_GEOCODING_BATCH_MAX_ROWS
    with _open_table(source, job.encoding) as (header, rows):
        column_index(header, job.column)
        total = 0
        for number, values in rows:
            total += 1
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                raise BatchInputError(
                    f"line {number} has {len(values)} values but the header row names "
                    f"{len(header)} columns",
                    "file",
                )
            if total > limit:
                raise BatchInputError(
                    f"line {number}: the file has more than {limit} rows, the most one job takes "
                    "(GEOSHARE_GEOCODING_BATCH_MAX_ROWS); split it into smaller files",
                    "file",
                )
    return total


def column_index(header: list[str], column: str) -> int:
    """Where ``column`` stands in ``header``; BatchInputError naming the columns there are."""
    if column in header:
        return header.index(column)
    shown = ", ".join(repr(name) for name in header[:30]) or "none"
    raise BatchInputError(
        f"column {column[:80]!r} is not in the header row; the columns are {shown}", "column"
    )


def _geocode_file(job: BatchJob, source: Path, target: Path, total: int) -> int:
    scope = scope_for(Principal.for_user(job.user), Action.DOWNLOAD)  # a file to keep
    deadline = time.monotonic() + settings.GEOSHARE_GEOCODING_BATCH_TIMEOUT
    last_report, done, matched = 0.0, 0, 0
    xlsx = source.suffix.lower() == ".xlsx"
    with _open_table(source, job.encoding) as (header, rows), _writer(target, xlsx) as write:
        column = column_index(header, job.column)
        write([*header, *_result_names(header)])
        for chunk in _chunks(rows, _CHUNK):
            for values, outcome in zip(chunk, _geocode_chunk(chunk, column, scope)):
                cells = values[: len(header)] + [""] * (len(header) - len(values))
                write([*cells, *outcome])
                matched += bool(outcome[0] != "")
            done += len(chunk)
            now = time.monotonic()
            if now > deadline:
                raise BatchInputError(
                    f"the job took longer than {settings.GEOSHARE_GEOCODING_BATCH_TIMEOUT} s "
                    f"(GEOSHARE_GEOCODING_BATCH_TIMEOUT) after {done} of {total} rows; "
                    "split the file",
                    "file",
                )
            if now - last_report >= _PROGRESS_EVERY_SECONDS:
                last_report = now
                BatchJob.objects.filter(pk=job.pk).update(progress=round(100 * done / total, 1))
    return matched


def _chunks(rows, size: int) -> Iterator[list[list[str]]]:
    chunk = []
    for _, values in rows:
        chunk.append(values)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _geocode_chunk(chunk: list[list[str]], column: int, scope) -> list[list]:
    outcomes: list[list | None] = [None] * len(chunk)
    texts, positions = [], []
    for n, values in enumerate(chunk):
        text = values[column].strip() if column < len(values) else ""
        problem = _problem(text)
        if problem:
            outcomes[n] = ["", "", "", "", "", problem]
        else:
            texts.append(text)
            positions.append(n)
    for n, match in zip(positions, geocode(texts, scope, limit=1)):
        best = match.best
        if best is None:
            outcomes[n] = ["", "", "", "", "", "no match"]
        else:
            note = "interpolated" if best.interpolated else ""
            outcomes[n] = [
                round(best.lon, 8),
                round(best.lat, 8),
                best.level.api_name,
                best.score,
                best.address,
                note,
            ]
    return outcomes


def _problem(text: str) -> str:
    if not text:
        return "empty address"
    cleaned = clean(text)
    if len(cleaned) > MAX_LENGTH:
        return f"address longer than {MAX_LENGTH} characters"
    if not cleaned:
        return "no address in this cell"
    return ""


def _result_names(header: list[str]) -> list[str]:
    names = []
    for name in RESULT_COLUMNS:
        while name in header or name in names:
            name += "_geocoded"
        names.append(name)
    return names


@contextlib.contextmanager
def _writer(target: Path, xlsx: bool):
    """A ``write(row)`` for the result file, in the format of the upload."""
    if xlsx:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        yield sheet.append
        workbook.save(target)
    else:
        # A byte order mark, so that Excel opens the file as UTF-8.
        with open(target, "w", encoding="utf-8-sig", newline="") as stream:
            yield csv.writer(stream).writerow
