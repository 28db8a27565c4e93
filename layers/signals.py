"""Keep storage and cache revisions in step with the catalog."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from layers import storage
from layers.models import Layer, LayerGroup, LayerGroupMember, Style


@receiver(post_delete, sender=Layer)
def drop_layer_storage(sender, instance: Layer, **kwargs):
    # The table goes in the same transaction as the row; a file cannot, so it goes on commit.
    if instance.table_name:
        storage.drop_table(instance.table_name)
    if instance.raster_file:
        path = instance.raster_path
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


@receiver([post_save, post_delete], sender=Style)
def restyle_layer(sender, instance: Style, raw: bool = False, **kwargs):
    # A raw save loads a fixture (loaddata, a test's serialized rollback): nothing changed.
    if raw:
        return
    if Layer.objects.filter(pk=instance.layer_id).exists():
        instance.layer.bump(style=True)


@receiver([post_save, post_delete], sender=LayerGroupMember)
def touch_group(sender, instance: LayerGroupMember, raw=False, **kwargs):
    # A group's shape is cached per process by its modification time (services/render).
    if not raw:
        LayerGroup.objects.filter(pk=instance.group_id).update(modified=timezone.now())
