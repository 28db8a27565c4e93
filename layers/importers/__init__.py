"""Publish a file as a new layer, all or nothing.

    report = import_file(ImportRequest(path, name="roads", title="道路", ...))

The table (or COG file) and the Layer row are created in one transaction: a failed or
interrupted import leaves neither behind, and raises ImportFailedError with one line
saying what was wrong.
"""

from __future__ import annotations

import time

from django.db import transaction

from geoshare.errors import ImportFailedError
from layers import storage
from layers.importers.base import ImportReport, ImportRequest, Progress, as_date, parse_srs
from layers.importers.raster import write_cog
from layers.importers.readers import CsvReader, OgrReader
from layers.importers.sources import detect_format, open_source
from layers.importers.vector import load_vector

__all__ = ["ImportRequest", "ImportReport", "import_file", "detect_format", "parse_srs"]


def import_file(request: ImportRequest, progress: Progress | None = None) -> ImportReport:
    """Import ``request.path`` as layer ``request.name``; see the module docstring."""
    from layers.models import Layer, layer_name_validator
    from layers.styles import create_default_style

    started = time.monotonic()
    _check_name(request.name, Layer, layer_name_validator)
    with open_source(request.path, request.encoding, request.source_layer) as source:
        if source.is_raster:
            raster_path, fields = write_cog(request, source.path)
            try:
                with transaction.atomic():
                    layer = Layer.objects.create(**_catalog_fields(request), **fields)
                    create_default_style(layer)
            except BaseException:
                raster_path.unlink(missing_ok=True)
                raise
            report = ImportReport(layer=layer)
        else:
            if source.format == "csv":
                reader = CsvReader(source.path, source.encoding)
            else:
                reader = OgrReader(source.path, source.source_layer, source.encoding)
            with transaction.atomic():
                report, fields = load_vector(request, reader, request.path.name, progress)
                report.layer = Layer.objects.create(**_catalog_fields(request), **fields)
                create_default_style(report.layer)
    if progress:
        progress(1, 1)
    report.seconds = time.monotonic() - started
    return report


def _check_name(name: str, layer_model, validator) -> None:
    from django.core.exceptions import ValidationError

    try:
        validator(name)
    except ValidationError:
        raise ImportFailedError(
            f"invalid layer name {name!r}: use lower-case letters, digits and _, "
            "starting with a letter (at most 63)"
        ) from None
    if layer_model.objects.filter(name=name).exists():
        raise ImportFailedError(f"name clash: a layer named {name!r} already exists")
    if storage.table_exists(name):
        raise ImportFailedError(f"name clash: a table geodata.{name} already exists")


def _catalog_fields(request: ImportRequest) -> dict:
    metadata = dict(request.metadata)
    if "data_updated" in metadata:
        metadata["data_updated"] = as_date(metadata["data_updated"])
    return {
        "name": request.name,
        "title": request.title,
        "kind": request.kind,
        "tier": request.tier,
        "department_id": request.department_id,
        **metadata,
    }
