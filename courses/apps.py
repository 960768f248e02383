"""App config for courses."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = _("Courses and lectures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers, reminder_tasks  # noqa: F401
