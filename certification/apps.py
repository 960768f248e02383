"""App config for certification."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    label = "certification"
    verbose_name = _("Credit and certification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Receivers connect on import; the import tasks register with Celery (autodiscovery
        # only finds certification/tasks.py).
        from . import import_tasks, receivers  # noqa: F401
