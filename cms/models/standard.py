"""StandardPage: policy documents and general content, with downloadable attachments."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import BodyStreamBlock
from cms.search.segment import ChineseSearchable


class StandardPage(ChineseSearchable, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"), blank=True)
    last_updated = models.DateField(
        _("last updated"),
        null=True,
        blank=True,
        help_text=_("Shown to readers; leave empty to use the publication date."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attachments"), heading=_("Attachments")),
        FieldPanel("last_updated"),
    ]
    segmented_search_sources = ("title", "intro", "body")
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("search_segmented"),
        index.FilterField("last_updated"),
    ]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")

    @property
    def updated_on(self):
        return self.last_updated or (self.last_published_at and self.last_published_at.date())

    def search_result_stages(self) -> list[str]:
        return []

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import page_attachments

        context = super().get_context(request, *args, **kwargs)
        context["attachments"] = page_attachments(self)
        return context


class StandardPageAttachment(Orderable):
    page = ParentalKey(StandardPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(
        _("link text"), max_length=200, blank=True, help_text=_("Defaults to the document title.")
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    @property
    def label(self) -> str:
        return self.title or self.document.title
