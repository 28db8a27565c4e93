from django.core.management.base import BaseCommand, CommandError

from services.geocoding.build import GazetteerBusyError, build_gazetteer
from services.geocoding.models import GazetteerBuild


class Command(BaseCommand):
    help = (
        "Rebuild the gazetteer from every enabled field mapping, atomically: searches keep "
        "answering from the previous gazetteer until the new one is complete."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the rebuild for a worker (manage.py procrastinate worker) and return",
        )

    def handle(self, *args, background=False, **options):
        if background:
            from services.geocoding.tasks import rebuild

            build = GazetteerBuild.objects.create()
            rebuild.defer(build_id=build.pk)
            self.stdout.write(f"rebuild {build.pk} queued; its progress is in the admin")
            return
        try:
            build = build_gazetteer()
        except GazetteerBusyError as e:
            raise CommandError(e.message) from None
        duration = (build.finished - build.started).total_seconds()
        self.stdout.write(f"{build.message} ({duration:.1f} s)")
        for skipped in build.skipped[:10]:
            self.stdout.write(
                f"  skipped {skipped['layer']} fid {skipped['fid']}: {skipped['reason']}"
            )
