"""CaseIndexPage (案例库) → CasePage: an anonymised guidance case. Cases reach the public
only through the 案例审核 workflow (privacy check, then a reviewer)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.choices import CreditCategory, Level
from cms.fields import StagesField, stage_labels
from cms.search.segment import ChineseSearchable

from ..blocks import CaseProcessStreamBlock
from ..workflow.panels import PrivacyFindingsPanel
from .taxonomy import GradeBand

CASE_TEXT_FEATURES = ["bold", "italic", "ol", "ul"]


class CaseIndexPage(ChineseSearchable, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=1000)
    # What publishing a case earns each of its authors (sent with `case_published`).
    credit_points = models.DecimalField(
        _("credit per published case (学分)"),
        max_digits=4,
        decimal_places=1,
        default=0.5,
        validators=[MinValueValidator(0)],
    )
    credit_hours = models.DecimalField(
        _("hours per published case (学时)"),
        max_digits=4,
        decimal_places=1,
        default=4,
        validators=[MinValueValidator(0)],
    )
    credit_category = models.CharField(
        _("credit category"),
        max_length=12,
        choices=CreditCategory.choices,
        default=CreditCategory.PRACTICE,
    )
    credit_level = models.CharField(
        _("credit level"), max_length=10, choices=Level.choices, default=Level.DISTRICT
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    settings_panels = [
        *Page.settings_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("credit_points"), FieldPanel("credit_hours")]),
                FieldRowPanel([FieldPanel("credit_category"), FieldPanel("credit_level")]),
            ],
            heading=_("Contribution credit"),
        ),
    ]
    segmented_search_sources = ("title", "intro")
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("search_segmented"),
    ]

    # Behind the login wall: the site search leaves it out for anonymous visitors.
    search_requires_login = True
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["casebank.CasePage"]

    class Meta:
        verbose_name = _("case library")
        verbose_name_plural = _("case libraries")

    def search_result_stages(self) -> list[str]:
        return []

    def get_context(self, request, *args, **kwargs):
        from ..views import case_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(case_index_context(self, request))
        return context


class CaseTag(TaggedItemBase):
    content_object = ParentalKey(
        "casebank.CasePage", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("case tag")
        verbose_name_plural = _("case tags")


class CasePage(ChineseSearchable, Page):
    summary = models.TextField(_("summary"), max_length=600)
    stages = StagesField(verbose_name=_("stages"))
    grade_band = models.CharField(
        _("grade band"), max_length=10, choices=GradeBand.choices, blank=True
    )
    categories = ParentalManyToManyField(
        "casebank.ProblemCategory",
        verbose_name=_("problem categories"),
        blank=True,
        related_name="cases",
    )
    tags = ClusterTaggableManager(verbose_name=_("tags"), through=CaseTag, blank=True)
    background = RichTextField(_("background"), features=CASE_TEXT_FEATURES)
    process = StreamField(
        CaseProcessStreamBlock(), verbose_name=_("process of the guidance"), blank=True
    )
    strategies = RichTextField(_("strategies"), features=CASE_TEXT_FEATURES, blank=True)
    reflection = RichTextField(_("reflection"), features=CASE_TEXT_FEATURES, blank=True)
    outcome = RichTextField(_("outcome"), features=CASE_TEXT_FEATURES, blank=True)
    privacy_attested = models.BooleanField(
        _("I confirm this case is anonymised"),
        default=False,
        help_text=_(
            "No real names of students or family members, no class, school, address, "
            "phone, ID or student numbers."
        ),
    )
    # Set by the privacy check task on each submission: when it ran and what it found
    # ({"findings": [{"field", "field_label", "block_path", "kind", "text"}, …]}).
    privacy_scanned_at = models.DateTimeField(_("privacy checked at"), null=True, blank=True)
    privacy_scan_result = models.JSONField(
        _("last privacy check"), default=dict, blank=True, editable=False
    )

    content_panels = [
        *Page.content_panels,
        PrivacyFindingsPanel(),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("stages"),
                FieldPanel("grade_band"),
                FieldPanel("categories"),
                FieldPanel("tags"),
            ],
            heading=_("Classification"),
        ),
        FieldPanel("background"),
        FieldPanel("process"),
        FieldPanel("strategies"),
        FieldPanel("reflection"),
        FieldPanel("outcome"),
        InlinePanel("authors", heading=_("Authors"), label=_("author")),
        FieldPanel("privacy_attested"),
    ]
    segmented_search_sources = (
        "title",
        "summary",
        "background",
        "process",
        "strategies",
        "reflection",
        "outcome",
    )
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("search_segmented"),
        index.FilterField("grade_band"),
    ]

    parent_page_types = ["casebank.CaseIndexPage"]
    subpage_types: list[str] = []
    # Cases are for signed-in staff (the before_serve_page login wall): a flag for the site
    # search, which should not show their text to anonymous visitors either.
    search_requires_login = True
    exclude_fields_in_copy = ["privacy_scanned_at", "privacy_scan_result"]

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    @property
    def stage_labels(self) -> list[str]:
        return stage_labels(self.stages)

    def search_result_stages(self) -> list[str]:
        return self.stage_labels

    def get_context(self, request, *args, **kwargs):
        from ..views import case_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(case_page_context(self, request))
        return context


class CaseAuthor(Orderable):
    """An author of a case: each one is credited when the case is published."""

    page = ParentalKey(CasePage, on_delete=models.CASCADE, related_name="authors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="authored_cases",
    )

    panels = [FieldPanel("user")]

    class Meta(Orderable.Meta):
        verbose_name = _("case author")
        verbose_name_plural = _("case authors")
        constraints = [models.UniqueConstraint(fields=["page", "user"], name="case_author_unique")]

    def __str__(self):
        return str(self.user)
