import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geoshare.access.models import Department, Tier

LAYER_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
layer_name_validator = RegexValidator(
    LAYER_NAME_PATTERN,
    _("Use 1 to 63 characters: lower-case letters, digits and _, starting with a letter."),
)


class Kind(models.TextChoices):
    BASEMAP = "basemap", _("base geographic data")
    GEOCODING = "geocoding", _("geocoding (gazetteer)")
    EMAP = "emap", _("government e-map")
    THEMATIC = "thematic", _("thematic")


class Storage(models.TextChoices):
    VECTOR = "vector", _("vector table")
    RASTER = "raster", _("raster file")


class Layer(models.Model):
    """One published dataset: a PostGIS table in the ``geodata`` schema or a COG file."""

    name = models.CharField(
        _("name"), max_length=63, unique=True, validators=[layer_name_validator],
        help_text=_("Identifier used in service URLs; cannot change after import."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    keywords = ArrayField(
        models.CharField(max_length=60), verbose_name=_("keywords"), default=list, blank=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    tier = models.PositiveSmallIntegerField(_("access tier"), choices=Tier.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="layers",
        verbose_name=_("owner department"),
    )
    published = models.BooleanField(
        _("published"), default=True,
        help_text=_("Unpublished layers are served by no service."),
    )

    storage = models.CharField(_("storage"), max_length=8, choices=Storage.choices)
    srid = models.PositiveIntegerField(_("native CRS (EPSG code)"))
    table_name = models.CharField(_("table"), max_length=63, blank=True)
    geometry_type = models.CharField(_("geometry type"), max_length=20, blank=True)
    fields = models.JSONField(_("attribute fields"), default=list, blank=True)
    feature_count = models.BigIntegerField(_("feature count"), null=True, blank=True)
    raster_file = models.CharField(_("raster file"), max_length=255, blank=True)
    raster_info = models.JSONField(_("raster description"), default=dict, blank=True)

    extent = models.PolygonField(_("extent (CGCS2000)"), srid=4490, null=True, blank=True)
    native_bbox = ArrayField(
        models.FloatField(), size=4, verbose_name=_("extent in native CRS"), null=True, blank=True
    )
    scale_denominator = models.PositiveIntegerField(_("scale denominator"), null=True, blank=True)
    lineage = models.TextField(_("lineage"), blank=True)
    data_updated = models.DateField(_("data update date"), null=True, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)

    data_revision = models.PositiveIntegerField(default=1, editable=False)
    style_revision = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("layer")
        verbose_name_plural = _("layers")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["table_name"], condition=~Q(table_name=""), name="layer_table_unique"
            ),
            models.CheckConstraint(
                condition=(Q(storage="vector") & ~Q(table_name=""))
                | (Q(storage="raster") & ~Q(raster_file="")),
                name="layer_has_storage",
            ),
        ]
        indexes = [models.Index(fields=["tier", "published"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"

    @property
    def is_vector(self) -> bool:
        return self.storage == Storage.VECTOR

    @property
    def raster_path(self):
        return settings.RASTER_DIR / self.raster_file

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def bump(self, *, data: bool = False, style: bool = False) -> None:
        """Record a change so every cache keyed by revision misses from the next request on."""
        changes = {"modified": timezone.now()}
        if data:
            changes["data_revision"] = F("data_revision") + 1
        if style:
            changes["style_revision"] = F("style_revision") + 1
        Layer.objects.filter(pk=self.pk).update(**changes)
        self.refresh_from_db(fields=["data_revision", "style_revision", "modified"])


class Style(models.Model):
    """A way to draw a layer: Mapnik XML rules, optionally converted from an uploaded SLD."""

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="styles")
    name = models.CharField(_("name"), max_length=63, validators=[layer_name_validator])
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("Mapnik style"), help_text=_("A Mapnik XML <Style> element: rules and symbolizers.")
    )
    sld = models.TextField(_("uploaded SLD"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("style")
        verbose_name_plural = _("styles")
        ordering = ["layer", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "name"], name="style_name_unique"),
            models.UniqueConstraint(
                fields=["layer"], condition=Q(is_default=True), name="one_default_style"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.layer.name}:{self.name}"


class LayerGroup(models.Model):
    """Several layers served as one named map layer (e.g. the whole e-map), drawn in order.

    A group shows each caller only the members the access policy shows it; a group of which
    the caller may see no member does not exist for it.
    """

    name = models.CharField(
        _("name"), max_length=63, unique=True, validators=[layer_name_validator],
        help_text=_("Identifier used in service URLs; must differ from every layer name."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("layer group")
        verbose_name_plural = _("layer groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if Layer.objects.filter(name=self.name).exists():
            raise ValidationError({"name": _("A layer with this name already exists.")})


class LayerGroupMember(models.Model):
    """One layer of a group, with the style it is drawn in (None: the layer's default)."""

    group = models.ForeignKey(LayerGroup, on_delete=models.CASCADE, related_name="members")
    layer = models.ForeignKey(
        Layer, on_delete=models.CASCADE, related_name="group_memberships", verbose_name=_("layer")
    )
    style = models.ForeignKey(
        Style, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("style"), help_text=_("empty: the layer's default style"),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("drawing order: lower positions are drawn first")
    )

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["group", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.group.name}/{self.layer.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.style_id and self.style.layer_id != self.layer_id:
            raise ValidationError({"style": _("This style belongs to another layer.")})


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    NEEDS_INPUT = "needs_input", _("needs input")


class BackgroundJob(models.Model):
    """What every job a background worker runs records: its state, progress and times."""

    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.FloatField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        abstract = True


class ImportJob(BackgroundJob):
    """One import of an uploaded file, run by a background worker."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source_name = models.CharField(_("file"), max_length=255)
    source_path = models.CharField(max_length=500, editable=False)
    options = models.JSONField(_("options"), default=dict)
    layer = models.ForeignKey(
        Layer, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_jobs",
        verbose_name=_("layer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"
