"""manage.py tilecache seed|truncate|prune — the map tile cache from the command line.

    manage.py tilecache seed emap --tms WebMercatorQuad --zoom 10-16
    manage.py tilecache seed roads --style night --user planner --bbox 120.5,31.8,120.6,31.9
    manage.py tilecache truncate roads          # roads, and the groups drawing it
    manage.py tilecache prune                   # tiles of old data/style revisions
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from geoshare.access.policy import Principal
from geoshare.errors import GeoshareError
from geoshare.geo import BBox
from services.render import seed
from services.render.formats import parse_format
from services.tiles import tms


def _zooms(text: str) -> range:
    low, _, high = text.partition("-")
    try:
        start, end = int(low), int(high or low)
    except ValueError:
        raise CommandError(f"--zoom must look like 12 or 10-16, got {text!r}") from None
    if not 0 <= start <= end <= 30:
        raise CommandError(f"--zoom must be levels from 0 to 30, low to high, got {text!r}")
    return range(start, end + 1)


class Command(BaseCommand):
    help = "Seed, truncate or prune the map tile cache (settings.TILE_CACHE_DIR)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        seed_parser = sub.add_parser("seed", help="render tiles ahead of requests")
        seed_parser.add_argument("layer", help="layer or group name (_dataset: the dataset map)")
        seed_parser.add_argument("--style", default="")
        seed_parser.add_argument("--tms", action="append", choices=tms.ids(),
                                 help="tile matrix set (repeatable; default: all)")
        seed_parser.add_argument("--zoom", default="0-16", help="levels, e.g. 10-16")
        seed_parser.add_argument("--format", default="image/png")
        seed_parser.add_argument("--bbox", help="lon/lat limits: west,south,east,north")
        seed_parser.add_argument("--user", help="seed this user's view (default: the public view)")
        seed_parser.add_argument("--force", action="store_true", help="render cached metatiles too")
        truncate_parser = sub.add_parser("truncate", help="delete cached tiles")
        truncate_parser.add_argument("layer", nargs="?", help="layer or group (default: all)")
        truncate_parser.add_argument("--style")
        truncate_parser.add_argument("--tms", choices=tms.ids())
        truncate_parser.add_argument("--zoom", help="levels, e.g. 15-18")
        sub.add_parser("prune", help="delete tiles of old data and style revisions")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(options)
        except GeoshareError as e:
            raise CommandError(e.message) from None

    def _seed(self, options):
        principal = Principal.anonymous()
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user named {options['user']!r}")
            principal = Principal.for_user(user)
        bbox = None
        if options["bbox"]:
            try:
                bbox = BBox(*(float(v) for v in options["bbox"].split(",")), 4490)
            except (TypeError, ValueError):
                raise CommandError("--bbox must be west,south,east,north in degrees") from None
        report = seed.seed(
            options["layer"], parse_format(options["format"]), options["tms"] or tms.ids(),
            _zooms(options["zoom"]), style=options["style"], principal=principal,
            bbox_4490=bbox, force=options["force"],
            progress=self._progress if options["verbosity"] > 1 else None,
        )
        self.stdout.write(report.summary())

    def _progress(self, index):
        self.stdout.write(f"{index.tms} {index.z}/{index.row}/{index.col}")

    def _truncate(self, options):
        zooms = _zooms(options["zoom"]) if options["zoom"] else None
        removed = seed.truncate(options["layer"], options["style"], options["tms"], zooms)
        self.stdout.write(f"{removed} cache directories removed")

    def _prune(self, options):
        self.stdout.write(f"{seed.prune()} stale cache directories removed")
