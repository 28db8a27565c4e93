from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.IntegerChoices):
    """Network tiers, ordered: a higher tier is never visible where a lower one is not."""

    PUBLIC = 1, _("public (internet)")
    EGOV = 2, _("e-government network")
    INTERNAL = 3, _("internal")

    @classmethod
    def from_name(cls, name: str) -> "Tier":
        return cls[name.upper()]


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    VIEWER = "viewer", _("viewer")
    EDITOR = "editor", _("editor")
    DATA_ADMIN = "data_admin", _("data administrator")
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")


class Profile(models.Model):
    """What geoshare knows about a user beyond Django's auth: department and role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="geoshare_profile"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="members",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.department or '-'})"
