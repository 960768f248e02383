"""App config for the site-wide pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Site")
    default_auto_field = "django.db.models.BigAutoField"
