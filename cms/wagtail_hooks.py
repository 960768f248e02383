"""cms admin registrations and its own home page sections."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms import selectors
from cms.sections import HomeSection
from people.models import LecturerProfile

HOME_HANDBOOK_LIMIT = 6
HOME_LECTURER_LIMIT = 6


class LecturerProfileViewSet(SnippetViewSet):
    # Registered here rather than in people: the 讲师团 is published by the cms pages, and
    # cms may import people (never the reverse).
    model = LecturerProfile
    icon = "group"
    menu_label = _("Lecturer group")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["full_name", "title", "unit", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["full_name", "unit", "title"]
    ordering = ["sort_order", "full_name"]


register_snippet(LecturerProfileViewSet)


def _handbooks_context(request, page):
    return {"handbooks": selectors.handbooks_live(limit=HOME_HANDBOOK_LIMIT)}


def _lecturers_context(request, page):
    lecturers = selectors.lecturer_profiles_active(limit=HOME_LECTURER_LIMIT)
    # The index page is only needed to link the cards; skip the query when there are none.
    return {
        "lecturers": lecturers,
        "lecturer_index": selectors.lecturer_index_page() if lecturers else None,
    }


@hooks.register("register_home_section")
def handbooks_home_section():
    return HomeSection(
        order=40, template_name="cms/home_sections/handbooks.html", get_context=_handbooks_context
    )


@hooks.register("register_home_section")
def lecturers_home_section():
    return HomeSection(
        order=50, template_name="cms/home_sections/lecturers.html", get_context=_lecturers_context
    )
