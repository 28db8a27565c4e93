from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geoshare.access.models import Department, Tier
from geoshare.errors import ImportFailedError
from layers.importers import ImportRequest, import_file, parse_srs
from layers.jobs import submit_import
from layers.models import Kind


class Command(BaseCommand):
    help = (
        "Import a GeoPackage, zipped Shapefile, GeoJSON, CSV with coordinates or GeoTIFF "
        "as a new layer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", required=True, help="layer name used in service URLs")
        parser.add_argument("--title", help="human title (defaults to the name)")
        parser.add_argument("--kind", choices=Kind.values, default=Kind.THEMATIC)
        parser.add_argument("--tier", choices=[t.name.lower() for t in Tier], default="internal")
        parser.add_argument("--department", required=True, help="owner department code")
        parser.add_argument("--srs", help="CRS of the data when the file has none, e.g. EPSG:4549")
        parser.add_argument("--encoding", help="attribute text encoding, e.g. GBK (else sniffed)")
        parser.add_argument("--source-layer", help="layer inside a multi-layer file")
        parser.add_argument("--abstract", default="")
        parser.add_argument("--keywords", default="", help="comma-separated")
        parser.add_argument(
            "--background", action="store_true",
            help="queue the import for a worker instead of running it now",
        )

    def handle(self, *args, **options):
        try:
            department = Department.objects.get(code=options["department"])
        except Department.DoesNotExist:
            codes = ", ".join(Department.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(f"no department {options['department']!r}; known: {codes}") from None
        metadata = {"abstract": options["abstract"]}
        if options["keywords"]:
            metadata["keywords"] = [k.strip() for k in options["keywords"].split(",") if k.strip()]
        if options["background"]:
            job = submit_import(options["file"].resolve(), {
                "name": options["name"], "title": options["title"] or options["name"],
                "kind": options["kind"], "tier": int(Tier.from_name(options["tier"])),
                "department_id": department.pk, "srs": options["srs"],
                "encoding": options["encoding"], "source_layer": options["source_layer"],
                "metadata": metadata,
            })
            self.stdout.write(f"queued import job {job.pk}")
            return
        try:
            request = ImportRequest(
                path=options["file"],
                name=options["name"],
                title=options["title"] or options["name"],
                kind=options["kind"],
                tier=int(Tier.from_name(options["tier"])),
                department_id=department.pk,
                srid=parse_srs(options["srs"]),
                encoding=options["encoding"],
                source_layer=options["source_layer"],
                metadata=metadata,
            )
            report = import_file(request)
        except ImportFailedError as e:
            raise CommandError(e.message) from None
        self.stdout.write(f"{report.summary()} in {report.seconds:.1f} s")
