from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db.models import Q
from django.utils import timezone
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


class GrantAction(models.TextChoices):
    """What a grant allows; each action includes the ones before it."""

    VIEW = "view", _("view")
    DOWNLOAD = "download", _("download")
    EDIT = "edit", _("edit")
    MANAGE = "manage", _("manage")

    @property
    def rank(self) -> int:
        return list(GrantAction).index(self)


class LayerGrant(models.Model):
    """Use of one layer given to a department or a user, perhaps limited.

    Tiers stay the outer rule: a grant opens an internal layer to others, never a layer
    above the deployment ceiling.
    """

    layer = models.ForeignKey(
        "layers.Layer", on_delete=models.CASCADE, related_name="grants", verbose_name=_("layer")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="grants",
        verbose_name=_("department"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="layer_grants", verbose_name=_("user"),
    )
    action = models.CharField(
        _("action"), max_length=10, choices=GrantAction.choices, default=GrantAction.VIEW
    )
    row_filter = models.TextField(
        _("row filter"), blank=True,
        help_text=_("CQL2 text, e.g. district = '杨舍镇'. Only matching features are shared."),
    )
    hidden_fields = ArrayField(
        models.CharField(max_length=63), default=list, blank=True,
        verbose_name=_("hidden attributes"),
    )
    area_limit = models.MultiPolygonField(
        _("area limit"), srid=4490, null=True, blank=True,
        help_text=_("Only data inside this area (CGCS2000) is shared."),
    )
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("layer grant")
        verbose_name_plural = _("layer grants")
        constraints = [
            models.CheckConstraint(
                condition=(Q(department__isnull=False) & Q(user__isnull=True))
                | (Q(department__isnull=True) & Q(user__isnull=False)),
                name="grant_has_one_grantee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.layer_id}: {self.get_action_display()} → {self.department or self.user}"

    def clean(self):
        from geoshare.access.grants import validate_grant

        validate_grant(self)


class ApiToken(models.Model):
    """A personal token for desktop GIS and scripts. Only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditRecord(models.Model):
    """One data access. Rows are only ever added: the database refuses updates and deletes."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True,
        blank=True, related_name="+", verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=40, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    service = models.CharField(_("service"), max_length=20)
    operation = models.CharField(_("operation"), max_length=40)
    layers = ArrayField(models.CharField(max_length=63), default=list, verbose_name=_("layers"))
    bbox = ArrayField(models.FloatField(), size=4, null=True, blank=True, verbose_name=_("bbox"))
    crs = models.CharField(_("CRS"), max_length=40, blank=True)
    items = models.BigIntegerField(_("features or pixels"), null=True, blank=True)
    bytes = models.BigIntegerField(_("bytes"), null=True, blank=True)
    status = models.PositiveSmallIntegerField(_("result code"))
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        ordering = ["-time"]
        indexes = [GinIndex(fields=["layers"], name="audit_layers_gin")]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.service} {self.operation}"


class LoginFailure(models.Model):
    """Failed credential checks, counted to slow down password guessing."""

    key = models.CharField(max_length=200, db_index=True)  # user name and IP address
    time = models.DateTimeField(default=timezone.now, db_index=True)
