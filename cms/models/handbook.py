"""Handbooks (指导手册): a HandbookPage with HandbookChapterPage children in tree order,
a table of contents, previous/next, and a single-page print view."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyStreamBlock
from cms.fields import StagesField, stage_labels
from cms.search.segment import ChineseSearchable


class HandbookPage(RoutablePageMixin, ChineseSearchable, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=1000)
    stages = StagesField(
        verbose_name=_("audience (stages)"), help_text=_("Leave empty when it is for every stage.")
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_updated = models.DateField(_("last updated"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("stages"),
        FieldPanel("cover_image"),
        FieldPanel("last_updated"),
    ]
    segmented_search_sources = ("title", "intro")
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("search_segmented"),
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.HandbookChapterPage"]

    class Meta:
        verbose_name = _("handbook")
        verbose_name_plural = _("handbooks")

    @property
    def stage_labels(self) -> list[str]:
        return stage_labels(self.stages)

    @property
    def updated_on(self):
        return self.last_updated or (self.last_published_at and self.last_published_at.date())

    def search_result_stages(self) -> list[str]:
        return self.stage_labels

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import handbook_chapters

        context = super().get_context(request, *args, **kwargs)
        context["chapters"] = handbook_chapters(self, with_body=False)
        return context

    @path("print/", name="print")
    def print_view(self, request):
        from cms.selectors import handbook_chapters

        return self.render(
            request,
            template="cms/handbook_print.html",
            context_overrides={"chapters": handbook_chapters(self, with_body=True)},
        )


class HandbookChapterPage(ChineseSearchable, Page):
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    segmented_search_sources = ("title", "body")
    search_fields = [
        *Page.search_fields,
        index.SearchField("body"),
        index.SearchField("search_segmented"),
    ]

    parent_page_types = ["cms.HandbookPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("handbook chapter")
        verbose_name_plural = _("handbook chapters")

    def search_result_stages(self) -> list[str]:
        # One query per chapter; result lists use search_result_stages_bulk instead.
        from cms.selectors import chapter_handbook

        handbook = chapter_handbook(self)
        return handbook.stage_labels if handbook else []

    @classmethod
    def search_result_stages_bulk(cls, pages) -> dict[int, list[str]]:
        """学段 of many chapters in one query: each reads its handbook's audience."""
        parent_paths = {page.path[: -Page.steplen] for page in pages}
        handbooks = {h.path: h for h in HandbookPage.objects.filter(path__in=parent_paths)}
        stages = {}
        for page in pages:
            handbook = handbooks.get(page.path[: -Page.steplen])
            stages[page.pk] = handbook.stage_labels if handbook else []
        return stages

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import chapter_navigation

        context = super().get_context(request, *args, **kwargs)
        context.update(chapter_navigation(self))
        return context
