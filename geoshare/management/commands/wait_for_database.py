import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import OperationalError


class Command(BaseCommand):
    help = "Wait until the database answers, or fail with one line saying why it does not."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30)

    def handle(self, *args, timeout, **options):
        deadline = time.monotonic() + timeout
        settings = connection.settings_dict
        where = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        while True:
            try:
                connection.ensure_connection()
                return
            except OperationalError as e:
                reason = str(e).strip().splitlines()[0] if str(e).strip() else "no answer"
                if time.monotonic() >= deadline:
                    raise CommandError(f"database not reachable at {where}: {reason}") from None
                connection.close()
                time.sleep(1)
