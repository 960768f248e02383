"""App configs: the people app, and wagtail.users switched to our user admin."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class PeopleConfig(AppConfig):
    name = "people"
    label = "people"
    verbose_name = _("People")
    default_auto_field = "django.db.models.BigAutoField"


class PeopleUsersAppConfig(WagtailUsersAppConfig):
    # Wagtail's user screens assume first_name/last_name; ours has full_name,
    # school and 工号, and scope what a school admin may see.
    user_viewset = "people.views.admin_users.StaffUserViewSet"
