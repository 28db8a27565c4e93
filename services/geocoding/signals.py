"""Keep the gazetteer free of entries whose mapping (or layer) is gone."""

from django.db import connection
from django.db.models.signals import post_delete
from django.dispatch import receiver

from services.geocoding.models import FieldMapping


@receiver(post_delete, sender=FieldMapping)
def drop_mapped_entries(sender, instance: FieldMapping, **kwargs):
    # Statements rather than the ORM's cascade, which would load every entry first.
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM geocoding_variant v USING geocoding_name n, geocoding_entry e "
            "WHERE v.name_id = n.id AND n.entry_id = e.id AND e.mapping_id = %s",
            [instance.pk],
        )
        for table in ("geocoding_name", "geocoding_prefix"):
            cur.execute(
                f"DELETE FROM {table} t USING geocoding_entry e "
                "WHERE t.entry_id = e.id AND e.mapping_id = %s",
                [instance.pk],
            )
        cur.execute("DELETE FROM geocoding_entry WHERE mapping_id = %s", [instance.pk])
