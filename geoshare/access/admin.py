from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from geoshare.access.models import Department, Profile


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
