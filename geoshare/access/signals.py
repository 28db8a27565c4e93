"""Keep Django's staff flag and groups in step with geoshare roles."""

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

from geoshare.access.models import Profile, Role

# What each administrative role may do in the admin; department scoping is in admin.py.
ROLE_PERMISSIONS = {
    Role.DATA_ADMIN: [
        "layers.view_layer", "layers.change_layer", "layers.add_style", "layers.change_style",
        "layers.delete_style", "layers.view_style", "layers.add_importjob",
        "layers.change_importjob", "layers.view_importjob", "access.add_layergrant",
        "access.change_layergrant", "access.delete_layergrant", "access.view_layergrant",
        "access.view_auditrecord", "access.add_apitoken", "access.view_apitoken",
        "access.change_apitoken",
    ],
    Role.EDITOR: ["access.add_apitoken", "access.view_apitoken", "access.change_apitoken"],
    Role.VIEWER: ["access.add_apitoken", "access.view_apitoken", "access.change_apitoken"],
}


def role_group(role: str) -> Group:
    return Group.objects.get_or_create(name=f"geoshare {role}")[0]


@receiver(post_migrate)
def create_role_groups(sender, **kwargs):
    # Run after every app's migration: the permissions named here are created app by app.
    for role, names in ROLE_PERMISSIONS.items():
        group = role_group(role)
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            permissions += Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(permissions)


@receiver(post_save, sender=Profile)
def sync_role(sender, instance: Profile, **kwargs):
    user = instance.user
    groups = [role_group(role) for role in ROLE_PERMISSIONS]
    user.groups.remove(*groups)
    if instance.role in ROLE_PERMISSIONS:
        user.groups.add(role_group(instance.role))
    # Everyone may manage their own API tokens in the admin, which needs the staff flag;
    # a platform administrator administers everything.
    changed = not user.is_staff or (instance.role == Role.PLATFORM_ADMIN and not user.is_superuser)
    user.is_staff = True
    user.is_superuser = user.is_superuser or instance.role == Role.PLATFORM_ADMIN
    if changed:
        user.save(update_fields=["is_staff", "is_superuser"])
