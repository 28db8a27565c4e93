from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "geoshare.access"
    label = "access"
    verbose_name = _("Access control")

    def ready(self):
        from geoshare.access import signals  # noqa: F401  (connects the receivers)
