"""The gazetteer: administrative divisions, field mappings, entries and their names; batch jobs.

Entries are rebuilt from layers by ``build.build_gazetteer`` following the field mappings;
each remembers its source layer and feature id so that the access policy decides who
sees it. Divisions (names and GB/T 2260 codes) are reference data, loaded by
``manage.py import_divisions``.
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.models import BackgroundJob, Layer

from .keys import Form

__all__ = [
    "BatchJob",
    "Division",
    "Entry",
    "FieldMapping",
    "GazetteerBuild",
    "Level",
    "Name",
    "NameForm",
    "Prefix",
    "Variant",
    "Target",
]


class Level(models.IntegerChoices):
    """What an entry is, from the broadest division to a room. API names: ``level.api_name``."""

    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    DISTRICT = 3, _("district")
    TOWN = 4, _("town")
    COMMUNITY = 5, _("community")
    ROAD = 6, _("road")
    POI = 7, _("POI")
    COMPOUND = 8, _("compound")
    HOUSE_NUMBER = 9, _("house number")
    BUILDING = 10, _("building")
    UNIT = 11, _("unit")
    ROOM = 12, _("room")

    @property
    def api_name(self) -> str:
        return self.name.lower()

    @classmethod
    def from_api_name(cls, name: str) -> "Level":
        return cls[name.upper()]


DIVISION_LEVELS = (Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.TOWN, Level.COMMUNITY)
NAMED_LEVELS = (*DIVISION_LEVELS, Level.ROAD, Level.POI, Level.COMPOUND)
COMPOUND_PARTS = (Level.BUILDING, Level.UNIT, Level.ROOM)
# Levels a reverse geocode answers with: a place a person can walk to.
ADDRESS_LEVELS = (Level.HOUSE_NUMBER, Level.BUILDING, Level.POI, Level.COMPOUND)


class Division(models.Model):
    """One administrative division by its GB/T 2260 code (12 digits below county level)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=[(level.value, level.label) for level in DIVISION_LEVELS]
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["code"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Target(models.TextChoices):
    """What the rows of a mapped layer are."""

    DIVISION = "division", _("administrative divisions")
    ROAD = "road", _("roads, streets and lanes")
    COMPOUND = "compound", _("residential compounds")
    POI = "poi", _("named buildings, organisations and POIs")
    ADDRESS = "address", _("addresses: house numbers, buildings, units, rooms")


# The mapping's column fields, in the order the admin shows them.
COLUMN_FIELDS = (
    "name_field",
    "alias_field",
    "former_name_field",
    "code_field",
    "category_field",
    "district_field",
    "town_field",
    "community_field",
    "village_group_field",
    "road_field",
    "number_field",
    "compound_field",
    "building_field",
    "unit_field",
    "room_field",
)
# Columns each target needs, as alternatives: any one group complete is enough.
_REQUIRED = {
    Target.DIVISION: (("name_field",), ("code_field",)),
    Target.ROAD: (("name_field",),),
    Target.COMPOUND: (("name_field",),),
    Target.POI: (("name_field",),),
    Target.ADDRESS: (
        ("road_field", "number_field"),
        ("village_group_field", "number_field"),
        ("compound_field", "building_field"),
    ),
}


def _column(verbose: str, help_text: str = ""):
    return models.CharField(verbose, max_length=63, blank=True, help_text=help_text)


class FieldMapping(models.Model):
    """Which layer feeds which gazetteer level, and from which of its columns.

    Any vector layer can be mapped; blank columns are not read. A rebuild
    (``manage.py build_gazetteer``) reads every enabled mapping.
    """

    layer = models.ForeignKey(
        Layer, on_delete=models.CASCADE, related_name="gazetteer_mappings", verbose_name=_("layer")
    )
    target = models.CharField(_("rows are"), max_length=10, choices=Target.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    name_field = _column(_("name column"))
    alias_field = _column(_("aliases column"), _("Other current names, separated by ; , 、 or |."))
    former_name_field = _column(_("former names column"), _("Names no longer official."))
    code_field = _column(_("division code column"), _("GB/T 2260 code (divisions)."))
    category_field = _column(_("category column"), _("Kind of POI, shown in results."))
    district_field = _column(_("district column"))
    town_field = _column(_("town / street office column"))
    community_field = _column(_("community / village column"))
    village_group_field = _column(
        _("village group column"), _("5组: numbers without a road count in their village group.")
    )
    road_field = _column(_("road column"))
    number_field = _column(_("house number column"), _("88, 88号, 123-1, 甲12 …"))
    compound_field = _column(_("compound column"))
    building_field = _column(_("building column"), _("5, 5幢, 5号楼 …"))
    unit_field = _column(_("unit column"))
    room_field = _column(_("room column"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        verbose_name = _("gazetteer field mapping")
        verbose_name_plural = _("gazetteer field mappings")
        ordering = ["target", "layer__name"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "target"], name="mapping_layer_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.layer.name} → {self.get_target_display()}"

    @property
    def columns(self) -> dict[str, str]:
        """``{"name": "NAME", "road": "ROAD_NAME", …}`` for the columns that are set."""
        return {
            field.removesuffix("_field"): getattr(self, field)
            for field in COLUMN_FIELDS
            if getattr(self, field)
        }

    def clean(self):
        if not self.layer_id:
            return
        if not self.layer.is_vector:
            raise ValidationError({"layer": _("Only vector layers can feed the gazetteer.")})
        available = set(self.layer.field_names)
        errors = {
            field: _("%(column)s is not a column of %(layer)s; it has: %(columns)s")
            % {
                "column": getattr(self, field),
                "layer": self.layer.name,
                "columns": ", ".join(self.layer.field_names) or "-",
            }
            for field in COLUMN_FIELDS
            if getattr(self, field) and getattr(self, field) not in available
        }
        if errors:
            raise ValidationError(errors)
        groups = _REQUIRED[Target(self.target)]
        if not any(all(getattr(self, field) for field in group) for group in groups):
            needed = _(" or ").join(
                " + ".join(str(self._meta.get_field(f).verbose_name) for f in group)
                for group in groups
            )
            raise ValidationError(_("This kind of rows needs: %(needed)s") % {"needed": needed})


class Entry(models.Model):
    """One place the geocoder can answer with.

    ``anchor`` is the named entry a numbered one hangs on: the road of a house
    number, the compound of a building, unit or room. ``fid`` is the source
    feature; entries implied by others (a unit known from its rooms, a road known
    only from its house numbers) have none and answer only to callers who see
    their whole layer. ``pieces`` are the other features of the same layer merged
    into the entry (a road drawn in several rows): a caller under a row filter or an
    area limit gets the entry only if it may see every one of them.
    """

    # Deleting a mapping (or its layer) deletes its entries in one statement (signals.py):
    # the ORM's cascade would load a million rows first.
    # The composite indexes below serve every look-up, so the keys get none of their own:
    # each index costs seconds per million rows at every rebuild.
    mapping = models.ForeignKey(
        FieldMapping,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    layer = models.ForeignKey(
        Layer, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    fid = models.BigIntegerField(null=True, blank=True)
    pieces = ArrayField(models.BigIntegerField(), default=list, blank=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    anchor = models.ForeignKey(
        "self",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    name = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=60, blank=True)
    code = models.CharField(max_length=12, blank=True)
    number = models.CharField(max_length=20, blank=True)
    number_int = models.IntegerField(null=True, blank=True)
    building = models.CharField(max_length=20, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    room = models.CharField(max_length=20, blank=True)
    district = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=100, blank=True)
    community = models.CharField(max_length=100, blank=True)
    address = models.CharField(max_length=300)
    point = models.PointField(srid=4490, spatial_index=False)  # partial indexes below
    geom = models.GeometryField(srid=4490, null=True, blank=True, spatial_index=False)
    weight = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("gazetteer entry")
        verbose_name_plural = _("gazetteer entries")
        indexes = [
            models.Index(fields=["anchor", "level", "number"], name="entry_house_number"),
            models.Index(
                fields=["anchor", "level", "building", "room"], name="entry_compound_part"
            ),
            models.Index(
                fields=["anchor", "number_int"],
                name="entry_number_order",
                condition=Q(level=Level.HOUSE_NUMBER),
            ),
            models.Index(fields=["layer", "fid"], name="entry_source"),
            GistIndex(
                fields=["point"],
                name="entry_address_point",
                condition=Q(level__in=ADDRESS_LEVELS),
            ),
            GistIndex(
                fields=["geom"],
                name="entry_division_area",
                condition=Q(level__lte=Level.COMMUNITY),
            ),
        ]

    def __str__(self) -> str:
        return self.address


class NameForm(models.IntegerChoices):
    """How a name row relates to its entry: the name itself or a form people also write."""

    NAME = Form.NAME, _("name")
    ALIAS = Form.ALIAS, _("alias")
    FORMER = Form.FORMER, _("former name")
    SHORT = Form.SHORT, _("without a place prefix")
    CORE = Form.CORE, _("without its kind word")
    BASE = Form.BASE, _("without kind and direction")


class Name(models.Model):
    """A written form of a named entry, keyed for exact, fuzzy (pg_trgm) and prefix search."""

    entry = models.ForeignKey(
        Entry, on_delete=models.DO_NOTHING, related_name="names", db_constraint=False
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    form = models.PositiveSmallIntegerField(choices=NameForm.choices)
    key = models.CharField(max_length=200)
    initials = models.CharField(max_length=200, blank=True)
    pinyin = models.CharField(max_length=400, blank=True)

    class Meta:
        verbose_name = _("gazetteer name")
        verbose_name_plural = _("gazetteer names")
        indexes = [
            models.Index(fields=["key"], name="name_key", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["initials"], name="name_initials", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["pinyin"], name="name_pinyin", opclasses=["varchar_pattern_ops"]),
            GinIndex(fields=["key"], name="name_key_trgm", opclasses=["gin_trgm_ops"]),
        ]


class Variant(models.Model):
    """A name's key with one character left out, or the key itself.

    Two names one typo apart share a variant (人明路 and 人民路 share 人路), so a look-up
    of a written name's variants finds the names it may be a typo of. A table with a
    B-tree rather than an array column: the planner then always reads it by index.
    """

    variant = models.CharField(max_length=200)
    name = models.ForeignKey(
        Name, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        verbose_name = _("typo variant")
        verbose_name_plural = _("typo variants")
        indexes = [models.Index(fields=["variant"], name="variant_key")]


class Prefix(models.Model):
    """A beginning of a name, of its pinyin or of its initials, for autocomplete.

    Ordered by the entry's weight in its index, so that the best completions of any
    prefix, however common (杨, y), are the first rows read.
    """

    prefix = models.CharField(max_length=40)
    entry = models.ForeignKey(
        Entry, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    weight = models.IntegerField()

    class Meta:
        verbose_name = _("autocomplete prefix")
        verbose_name_plural = _("autocomplete prefixes")
        indexes = [models.Index(fields=["prefix", "-weight", "entry"], name="prefix_ranked")]


class GazetteerBuild(BackgroundJob):
    """One rebuild of the gazetteer; the newest finished one gives the revision caches key on."""

    counts = models.JSONField(_("entries per level"), default=dict, blank=True)
    skipped = models.JSONField(_("rows skipped"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("gazetteer build")
        verbose_name_plural = _("gazetteer builds")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class BatchJob(BackgroundJob):
    """A CSV or Excel file of addresses geocoded by a background worker."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source_name = models.CharField(_("file"), max_length=255)
    source_path = models.CharField(max_length=500, editable=False)
    column = models.CharField(_("address column"), max_length=100)
    encoding = models.CharField(_("text encoding"), max_length=20, blank=True)
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    matched = models.BigIntegerField(_("rows matched"), null=True, blank=True)
    result_path = models.CharField(max_length=500, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("submitted by"),
    )

    class Meta:
        verbose_name = _("batch geocoding job")
        verbose_name_plural = _("batch geocoding jobs")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"
