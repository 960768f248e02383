"""The 讲师团 pages: a list of active lecturer profiles and a detail route for each."""

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page
from wagtail.search import index

from cms.search.segment import ChineseSearchable


class LecturerIndexPage(RoutablePageMixin, ChineseSearchable, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=1000)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    segmented_search_sources = ("title", "intro")
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("search_segmented"),
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("lecturer group page")
        verbose_name_plural = _("lecturer group pages")

    def search_result_stages(self) -> list[str]:
        return []

    @path("", name="index")
    def index_view(self, request):
        from cms.selectors import lecturer_profiles_active

        return self.render(request, context_overrides={"lecturers": lecturer_profiles_active()})

    @path("<int:pk>/", name="detail")
    def detail_view(self, request, pk):
        from cms.selectors import lecturer_profile_active

        lecturer = lecturer_profile_active(pk)
        if lecturer is None:
            raise Http404
        return self.render(
            request,
            template="cms/lecturer_detail.html",
            context_overrides={"lecturer": lecturer, "extra_crumb": lecturer.full_name},
        )
