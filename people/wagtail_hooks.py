"""Admin registration for people: schools, scoped user bulk actions, roster import."""

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet

from people import (
    audit,  # noqa: F401  (audit log actions, site history access)
    selectors,
)
from people.models import School
from people.views.admin_users import SCOPED_USER_BULK_ACTIONS


class VisibleSchoolObjectMixin:
    """Edit/delete/inspect look the school up among those the user may see, so another
    school's id is a 404 whatever the URL (for users who pass the permission check)."""

    def get_queryset(self):
        return selectors.schools_visible_to(self.request.user)


class VisibleSchoolListingMixin:
    """History and usage: the same rule for the school they list about."""

    def get_base_object_queryset(self):
        return selectors.schools_visible_to(self.request.user)


class SchoolIndexView(generic.IndexView):
    def get_base_queryset(self):
        return selectors.schools_visible_to(self.request.user)


class SchoolEditView(VisibleSchoolObjectMixin, generic.EditView):
    pass


class SchoolDeleteView(VisibleSchoolObjectMixin, generic.DeleteView):
    def form_valid(self, form):
        # Users point at their school with PROTECT, which Wagtail's reference index does not
        # see: without this the delete of a school that still has people is a 500.
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("This school still has users: move them to another school before deleting it."),
            )
            return redirect(self.edit_url_name, self.object.pk)


class SchoolInspectView(VisibleSchoolObjectMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), pk=self.pk)


class SchoolHistoryView(VisibleSchoolListingMixin, HistoryView):
    pass


class SchoolUsageView(VisibleSchoolListingMixin, UsageView):
    pass


class SchoolViewSet(ModelViewSet):
    model = School
    icon = "home"
    menu_name = "schools"
    menu_label = _("Schools")
    menu_order = 200
    add_to_admin_menu = True
    index_view_class = SchoolIndexView
    edit_view_class = SchoolEditView
    delete_view_class = SchoolDeleteView
    inspect_view_class = SchoolInspectView
    history_view_class = SchoolHistoryView
    usage_view_class = SchoolUsageView
    list_display = [
        "name",
        "code",
        Column("stage_labels", label=_("stages")),
        Column("student_count", label=_("students")),
        BooleanColumn("is_active", label=_("active"), sort_key="is_active"),
    ]
    list_filter = ["offers_primary", "offers_junior", "offers_senior", "is_active"]
    search_fields = ["name", "code"]
    ordering = ["code"]
    list_per_page = 50
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code"), FieldPanel("district")]),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("offers_primary"),
                        FieldPanel("offers_junior"),
                        FieldPanel("offers_senior"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("students_primary"),
                        FieldPanel("students_junior"),
                        FieldPanel("students_senior"),
                    ]
                ),
            ],
            heading=_("Stages and students"),
        ),
        FieldPanel("address"),
        FieldPanel("is_active"),
    ]


@hooks.register("register_admin_viewset")
def register_school_viewset():
    return SchoolViewSet("schools")


# Registered after wagtail.users' own (order=1) so ours replace them by action type.
for _action in SCOPED_USER_BULK_ACTIONS:
    hooks.register("register_bulk_action", _action, order=1)


# --- Roster import: upload, preview, confirm (people/views/admin_roster.py) -----------------


@hooks.register("register_admin_urls")
def register_roster_import_urls():
    from django.urls import include, path

    from people.views import admin_roster

    return [path("roster-import/", include(admin_roster, namespace=admin_roster.app_name))]


@hooks.register("register_admin_menu_item")
def register_roster_import_menu_item():
    from people.views.admin_roster import roster_import_menu_item

    return roster_import_menu_item()


# --- Login lockouts: list and unlock (people/admin_lockouts.py) ------------------------------


@hooks.register("register_admin_urls")
def register_lockout_urls():
    from django.urls import include, path

    from people import admin_lockouts

    return [
        path(
            "login-lockouts/",
            include((admin_lockouts.urlpatterns, admin_lockouts.app_name)),
        )
    ]


@hooks.register("register_settings_menu_item")
def register_lockout_menu_item():
    from people.admin_lockouts import lockout_menu_item

    return lockout_menu_item()
