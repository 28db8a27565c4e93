from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeocodingConfig(AppConfig):
    name = "services.geocoding"
    label = "geocoding"
    verbose_name = _("Geocoding")

    def ready(self):
        from geoshare.services import ServiceEntry, register
        from services.geocoding import signals  # noqa: F401  (connects the receivers)

        register(
            ServiceEntry(
                key="geocoding",
                title=_("Geocoding"),
                url="api/geocoding/",
                description=_("Chinese addresses to points and back; batch files; autocomplete."),
            )
        )
