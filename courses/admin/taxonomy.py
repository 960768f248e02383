"""Admin for topic categories (课程主题分类)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from ..models import TopicCategory


class TopicCategoryViewSet(SnippetViewSet):
    model = TopicCategory
    icon = "tag"
    menu_label = _("Topic categories")
    list_display = ["name", "slug", "is_mentor_topic", "sort_order"]
    ordering = ["sort_order", "name"]
    search_fields = ["name", "slug"]
    add_to_admin_menu = False
