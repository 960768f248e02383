"""Admin registration for people: schools, scoped user bulk actions, roster import."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.viewsets.model import ModelViewSet

from people import selectors
from people.models import School
from people.views.admin_users import SCOPED_USER_BULK_ACTIONS


class SchoolViewSet(ModelViewSet):
    model = School
    icon = "home"
    menu_label = _("Schools")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "code", "stage_labels", "student_count", "is_active"]
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

    def get_queryset(self, request):
        return selectors.schools_visible_to(request.user)


@hooks.register("register_admin_viewset")
def register_school_viewset():
    return SchoolViewSet("schools")


# Registered after wagtail.users' own (order=1) so ours replace them by action type.
for _action in SCOPED_USER_BULK_ACTIONS:
    hooks.register("register_bulk_action", _action, order=1)
