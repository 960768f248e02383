"""Registers the courses admin screens (see `courses.admin`) and page hooks."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from . import (
    home,  # noqa: F401  (registers the home page section)
    lecture_home,  # noqa: F401
)
from .admin import enrolment, h5p, lectures, marking, reports  # noqa: F401  (their hooks register on import)
from .admin.taxonomy import TopicCategoryViewSet


class CoursesAdminGroup(SnippetViewSetGroup):
    items = (TopicCategoryViewSet, *getattr(h5p, "VIEWSETS", ()))
    menu_label = _("Courses")
    menu_icon = "folder-open-inverse"
    menu_order = 210


register_snippet(CoursesAdminGroup)
