from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from geoshare.access.admin import DepartmentScopedAdmin, managed_department
from geoshare.access.models import Department, Tier
from layers.jobs import store_upload, submit_import
from layers.models import (
    ImportJob, JobStatus, Kind, Layer, LayerGroup, LayerGroupMember, Style, layer_name_validator,
)
from services.render.admin_actions import seed_tile_cache, truncate_tile_cache
from services.render.forms import StyleForm


class StyleInline(admin.StackedInline):
    model = Style
    form = StyleForm
    extra = 0
    fields = ["name", "title", "is_default", "body", "sld_file"]


@admin.register(Layer)
class LayerAdmin(DepartmentScopedAdmin):
    list_display = [
        "name", "title", "kind", "tier", "department", "storage", "feature_count", "published",
        "data_updated",
    ]
    list_filter = ["kind", "tier", "department", "storage", "published"]
    search_fields = ["name", "title", "title_en", "abstract", "keywords"]
    list_select_related = ["department"]
    inlines = [StyleInline]
    actions = [seed_tile_cache, truncate_tile_cache]
    readonly_fields = [
        "name", "storage", "srid", "table_name", "geometry_type", "feature_count", "raster_file",
        "native_bbox", "extent_bbox", "fields_table", "data_revision", "style_revision", "created",
        "modified",
    ]
    fieldsets = [
        (None, {"fields": ["name", "title", "title_en", "kind", "tier", "department", "published"]}),
        (_("Metadata"), {"fields": [
            "abstract", "keywords", "scale_denominator", "lineage", "data_updated", "contact",
            "extent_bbox",
        ]}),
        (_("Storage"), {"fields": [
            "storage", "srid", "table_name", "geometry_type", "feature_count", "raster_file",
            "native_bbox", "fields_table", "data_revision", "style_revision", "created",
            "modified",
        ]}),
    ]

    def has_add_permission(self, request):
        return False  # layers are created by importing a file (Import jobs)

    @admin.display(description=_("extent (CGCS2000)"))
    def extent_bbox(self, layer):
        # Read-only text: the admin's map widgets load OpenLayers from a CDN.
        if not layer.extent:
            return "-"
        west, south, east, north = layer.extent.extent
        return f"{west:.6f}, {south:.6f} — {east:.6f}, {north:.6f}"

    @admin.display(description=_("attribute fields"))
    def fields_table(self, layer):
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((f["name"], f.get("title", ""), f["type"]) for f in layer.fields),
        )
        return format_html("<table>{}</table>", rows)


@admin.register(Style)
class StyleAdmin(DepartmentScopedAdmin):
    department_path = "layer__department"
    form = StyleForm
    list_display = ["layer", "name", "title", "is_default", "modified"]
    list_filter = ["is_default"]
    search_fields = ["layer__name", "name", "title"]
    list_select_related = ["layer"]
    readonly_fields = ["sld"]


class LayerGroupMemberInline(admin.TabularInline):
    model = LayerGroupMember
    extra = 1
    fields = ["position", "layer", "style"]
    autocomplete_fields = ["layer"]


@admin.register(LayerGroup)
class LayerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "modified"]
    search_fields = ["name", "title"]
    inlines = [LayerGroupMemberInline]
    actions = [seed_tile_cache, truncate_tile_cache]


class ImportForm(forms.ModelForm):
    """Upload a file and describe the layer it becomes; the import itself runs in a worker."""

    upload = forms.FileField(
        label=_("file"),
        help_text=_("GeoPackage, zipped Shapefile, GeoJSON, CSV with coordinates, or GeoTIFF"),
    )
    name = forms.CharField(label=_("layer name"), max_length=63, validators=[layer_name_validator])
    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices)
    tier = forms.TypedChoiceField(label=_("access tier"), choices=Tier.choices, coerce=int)
    department = forms.ModelChoiceField(label=_("owner department"), queryset=Department.objects)
    srs = forms.CharField(
        label=_("CRS"), required=False, help_text=_("only when the file has none, e.g. EPSG:4549")
    )
    encoding = forms.CharField(label=_("text encoding"), required=False, help_text=_("e.g. GBK"))
    source_layer = forms.CharField(label=_("layer in file"), required=False)

    class Meta:
        model = ImportJob
        fields = []

    def clean_name(self):
        name = self.cleaned_data["name"]
        if Layer.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A layer with this name already exists."))
        return name

    def import_options(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"], "title": data["title"], "kind": data["kind"],
            "tier": data["tier"], "department_id": data["department"].pk,
            "srs": data["srs"], "encoding": data["encoding"],
            "source_layer": data["source_layer"],
        }


class JobProgressMixin:
    """The progress of a BackgroundJob as a bar, for the admin's change lists."""

    @admin.display(description=_("progress"))
    def progress_bar(self, job):
        return format_html(
            '<progress max="100" value="{}"></progress> {}%', job.progress, job.progress
        )


@admin.register(ImportJob)
class ImportJobAdmin(JobProgressMixin, DepartmentScopedAdmin):
    department_path = "created_by__geoshare_profile__department"
    list_display = ["source_name", "status", "progress_bar", "layer", "created_by", "created"]
    list_filter = ["status"]
    readonly_fields = [
        "source_name", "status", "progress", "message", "layer", "created_by", "created",
        "started", "finished",
    ]
    fields = ["source_name", "options", *readonly_fields[1:]]
    actions = ["run_again"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ImportForm
            kwargs["fields"] = None
        form = super().get_form(request, obj, **kwargs)
        department = managed_department(request)
        if obj is None and department is not None:
            form.base_fields["department"].queryset = Department.objects.filter(pk=department)
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "upload", "name", "title", "kind", "tier", "department", "srs", "encoding",
                "source_layer",
            ]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        path = store_upload(form.cleaned_data["upload"])
        job = submit_import(path, form.import_options(), user=request.user)
        obj.pk = job.pk
        obj.refresh_from_db()
        messages.info(request, _("The import is queued; this page shows its progress."))

    @admin.action(description=_("Run the selected imports again"))
    def run_again(self, request, queryset):
        from layers.tasks import run_import

        jobs = list(queryset.filter(status__in=[JobStatus.FAILED, JobStatus.NEEDS_INPUT]))
        for job in jobs:
            job.status, job.progress, job.message = JobStatus.QUEUED, 0, ""
            job.save(update_fields=["status", "progress", "message"])
            run_import.defer(job_id=str(job.pk))
        self.message_user(request, _("%d import(s) queued again.") % len(jobs))
