"""The home page: an editable hero, then sections registered by apps (see cms.sections)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from cms.search.segment import ChineseSearchable


class HomePage(ChineseSearchable, Page):
    hero_title = models.CharField(_("hero title"), max_length=100, blank=True)
    hero_intro = RichTextField(_("hero introduction"), blank=True, features=["bold", "link"])
    hero_cta_text = models.CharField(_("call-to-action text"), max_length=30, blank=True)
    hero_cta_link = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("call-to-action page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_intro"),
                FieldPanel("hero_cta_text"),
                FieldPanel("hero_cta_link"),
            ],
            heading=_("Hero"),
        ),
    ]
    segmented_search_sources = ("title", "hero_title", "hero_intro")
    search_fields = [
        *Page.search_fields,
        index.SearchField("hero_title"),
        index.SearchField("hero_intro"),
        index.SearchField("search_segmented"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def search_result_stages(self) -> list[str]:
        return []
