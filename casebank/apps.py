"""App config for casebank."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasebankConfig(AppConfig):
    name = "casebank"
    label = "casebank"
    verbose_name = _("Case library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .privacy.known import connect_receivers
        from .workflow import receivers  # noqa: F401

        connect_receivers()
