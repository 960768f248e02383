"""Case library admin: the 案例库 menu group with the problem categories (district admins
only), the login wall of the case pages, and the home page section.

Who manages categories is decided by role here, not by model permissions granted in a
migration: the taxonomy is district-wide, so the rule is exactly "district admins (and
superusers)", the same `people.selectors.user_is_district_admin` the people admin uses, and
it cannot drift when someone edits a group's permission checkboxes. The category
permissions are therefore not offered in the group editor, where ticking them would do
nothing.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from people import roles
from people.selectors import user_is_district_admin

from . import home  # noqa: F401  (registers the home page section)
from .models import ProblemCategory
from .views import case_pages_require_login
from .workflow import hooks as workflow_hooks  # noqa: F401  (review workflow admin hooks)


class DistrictAdminPermissionPolicy(BasePermissionPolicy):
    """Every action on the model for active district admins and superusers, none for
    anyone else."""

    def user_has_permission(self, user, action):
        return bool(
            getattr(user, "is_authenticated", False)
            and user.is_active
            and user_is_district_admin(user)
        )

    def user_has_any_permission(self, user, actions):
        return self.user_has_permission(user, None)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name=roles.DISTRICT_ADMIN))
            .distinct()
        )


register_permission_policy(ProblemCategory, DistrictAdminPermissionPolicy(ProblemCategory))


class ProblemCategoryViewSet(SnippetViewSet):
    model = ProblemCategory
    icon = "tag"
    menu_label = _("Problem categories")
    menu_name = "problem-categories"
    list_display = ["name", "slug", "sort_order"]
    ordering = ["sort_order", "name"]
    search_fields = ["name", "slug", "description"]
    add_to_admin_menu = False

    def get_permissions_to_register(self):
        return Permission.objects.none()


class CasebankAdminGroup(SnippetViewSetGroup):
    items = (ProblemCategoryViewSet,)
    menu_label = _("Case library")
    menu_name = "casebank"
    menu_icon = "doc-full-inverse"
    menu_order = 220


register_snippet(CasebankAdminGroup)

hooks.register("before_serve_page", case_pages_require_login)
