import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Delete audit records older than the retention period (GEOSHARE_AUDIT_RETENTION_DAYS). "
        "The only way rows ever leave the audit trail."
    )

    def handle(self, *args, **options):
        cutoff = timezone.now() - datetime.timedelta(days=settings.GEOSHARE_AUDIT_RETENTION_DAYS)
        with transaction.atomic(), connection.cursor() as cur:
            # The append-only trigger lets deletes through only with this, for this transaction.
            cur.execute("SET LOCAL geoshare.audit_purge = 'on'")
            cur.execute("DELETE FROM access_auditrecord WHERE time < %s", [cutoff])
            deleted = cur.rowcount
        self.stdout.write(f"deleted {deleted} audit records older than {cutoff:%Y-%m-%d}")
