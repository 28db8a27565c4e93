import csv

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from geoshare.access import tokens
from geoshare.access.models import ApiToken, AuditRecord, Department, LayerGrant, Profile, Role


def managed_department(request):
    """The department a data administrator manages, or None for platform administrators."""
    if request.user.is_superuser:
        return None
    profile = getattr(request.user, "geoshare_profile", None)
    if profile and profile.role == Role.PLATFORM_ADMIN:
        return None
    return profile.department_id if profile and profile.department_id else -1


class DepartmentScopedAdmin(admin.ModelAdmin):
    """Shows a data administrator only what belongs to the layers of their department."""

    department_path = "department"  # from this model to the owning Department

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        department = managed_department(request)
        if department is None:
            return queryset
        return queryset.filter(**{f"{self.department_path}_id": department})


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "contact"]
    search_fields = ["code", "name", "name_en"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    verbose_name_plural = _("geoshare profile")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class GeoshareUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = [*UserAdmin.list_display, "department"]
    list_select_related = ["geoshare_profile__department"]

    @admin.display(description=_("department"))
    def department(self, user):
        profile = getattr(user, "geoshare_profile", None)
        return profile.department if profile else "-"


@admin.register(LayerGrant)
class LayerGrantAdmin(DepartmentScopedAdmin):
    department_path = "layer__department"
    list_display = ["layer", "department", "user", "action", "row_filter", "expires"]
    list_filter = ["action", "department"]
    search_fields = ["layer__name", "layer__title", "user__username", "department__name"]
    list_select_related = ["layer", "department", "user"]
    autocomplete_fields = ["user"]
    fields = ["layer", "department", "user", "action", "row_filter", "hidden_fields",
              "area_limit", "expires", "note"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        department = managed_department(request)
        if db_field.name == "layer" and department is not None:
            from layers.models import Layer

            kwargs["queryset"] = Layer.objects.filter(department_id=department)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created", "expires", "revoked", "last_used"]
    list_filter = ["revoked"]
    fields = ["name", "user", "expires"]
    readonly_fields = ["prefix", "created", "revoked", "last_used"]
    actions = ["revoke"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["name", "user", "prefix", "expires", "created", "revoked", "last_used"]
        return self.fields if request.user.is_superuser else ["name", "expires"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "user", "name"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        owner = obj.user if request.user.is_superuser and obj.user_id else request.user
        secret, token = tokens.issue(owner, obj.name, obj.expires)
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("Copy the token now; it is not shown again: %(token)s") % {"token": secret},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke(token)
        self.message_user(request, _("Tokens revoked."))


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """The audit trail; a data administrator sees the records of their department's layers,
    naming only those layers: another department's layer, even its name, is not theirs to see."""

    list_display = ["time", "username", "department", "ip", "service", "operation", "layer_list",
                    "items", "bytes", "status"]
    list_filter = ["service", "status", "department", ("time", admin.DateFieldListFilter)]
    date_hierarchy = "time"
    exclude = ["layers"]
    readonly_fields = ["layer_list"]
    actions = ["export_csv"]
    show_full_result_count = False  # counting years of rows per page view is wasteful

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        department = managed_department(request)
        if department is None:
            return queryset.annotate(shown_layers=F("layers"))
        from layers.models import Layer

        own = list(Layer.objects.filter(department_id=department).values_list("name", flat=True))
        return queryset.filter(layers__overlap=own or [""]).annotate(shown_layers=RawSQL(
            "ARRAY(SELECT name FROM unnest(layers) AS name WHERE name = ANY(%s))", (own,),
            output_field=AuditRecord._meta.get_field("layers")))

    def get_search_fields(self, request):
        # A search on layer names would match the names of others' layers in a record.
        fields = ["username", "ip", "operation"]
        return fields + ["layers"] if managed_department(request) is None else fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("layers"))
    def layer_list(self, record):
        return ", ".join(record.shown_layers)

    @admin.action(description=_("Export the selected records as CSV"))
    def export_csv(self, request, queryset):
        columns = ["time", "username", "department", "ip", "service", "operation", "shown_layers",
                   "bbox", "crs", "items", "bytes", "status", "detail"]

        def rows():
            writer = csv.writer(_Echo())
            yield "\ufeff" + writer.writerow([c.replace("shown_", "") for c in columns])  # a BOM so Excel reads the Chinese right
            for record in queryset.order_by("time").iterator(chunk_size=2000):
                yield writer.writerow([getattr(record, c) for c in columns])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        return response


class _Echo:
    def write(self, value):
        return value
