from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from layers.admin import JobProgressMixin
from services.geocoding.models import BatchJob, Division, FieldMapping, GazetteerBuild


@admin.register(FieldMapping)
class FieldMappingAdmin(admin.ModelAdmin):
    list_display = ["layer", "target", "enabled", "columns_text", "modified"]
    list_filter = ["target", "enabled"]
    list_select_related = ["layer"]
    search_fields = ["layer__name", "layer__title", "note"]
    autocomplete_fields = ["layer"]
    actions = ["rebuild"]
    fieldsets = [
        (None, {"fields": ["layer", "target", "enabled", "note"]}),
        (
            _("Names"),
            {
                "fields": [
                    "name_field",
                    "alias_field",
                    "former_name_field",
                    "code_field",
                    "category_field",
                ]
            },
        ),
        (
            _("Divisions"),
            {"fields": ["district_field", "town_field", "community_field", "village_group_field"]},
        ),
        (
            _("Address parts"),
            {
                "fields": [
                    "road_field",
                    "number_field",
                    "compound_field",
                    "building_field",
                    "unit_field",
                    "room_field",
                ]
            },
        ),
    ]

    @admin.display(description=_("columns"))
    def columns_text(self, mapping):
        return ", ".join(f"{role}={column}" for role, column in mapping.columns.items())

    @admin.action(description=_("Rebuild the gazetteer from all enabled mappings"))
    def rebuild(self, request, queryset):
        from services.geocoding.tasks import rebuild

        build = GazetteerBuild.objects.create(created_by=request.user)
        rebuild.defer(build_id=build.pk)
        self.message_user(
            request,
            _("Rebuild %(id)s queued; see Gazetteer builds for its progress.") % {"id": build.pk},
            messages.INFO,
        )


@admin.register(GazetteerBuild)
class GazetteerBuildAdmin(JobProgressMixin, admin.ModelAdmin):
    list_display = ["created", "status", "progress_bar", "message", "created_by", "finished"]
    list_filter = ["status"]
    readonly_fields = [
        "status",
        "progress",
        "message",
        "counts",
        "skipped",
        "created_by",
        "created",
        "started",
        "finished",
    ]

    def has_add_permission(self, request):
        return False  # a rebuild starts from the mappings' action or manage.py build_gazetteer


@admin.register(BatchJob)
class BatchJobAdmin(admin.ModelAdmin):
    list_display = ["source_name", "status", "progress", "rows", "matched", "user", "created"]
    list_filter = ["status"]
    readonly_fields = [
        "source_name",
        "column",
        "encoding",
        "status",
        "progress",
        "rows",
        "matched",
        "message",
        "user",
        "created",
        "started",
        "finished",
    ]
    exclude = ["source_path", "result_path"]

    def has_add_permission(self, request):
        return False  # jobs come through POST /api/geocoding/jobs


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent_id"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
