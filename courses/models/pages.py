"""The course catalog: CourseIndexPage → CoursePage → LessonPage.

Pages stay declarative; who may see a lesson, enrol or complete is decided in
`courses.selectors` and `courses.services`, which the page views call.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.fields import StagesField, stage_labels
from cms.search.segment import ChineseSearchable

from ..blocks import CourseDescriptionStreamBlock, LessonStreamBlock
from ..choices import CompletionCriterion, CreditCategory, Delivery, EnrolmentMode, Level


class CourseIndexPage(ChineseSearchable, Page):
    """The catalog (课程中心): filters, cards with the reader's status, pagination."""

    intro = models.TextField(_("introduction"), blank=True, max_length=1000)
    page_size = models.PositiveSmallIntegerField(
        _("courses per page"), default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("page_size")]
    segmented_search_sources = ("title", "intro")
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("search_segmented"),
    ]

    # Behind the login wall: the site search leaves it out for anonymous visitors.
    search_requires_login = True
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalog")
        verbose_name_plural = _("course catalogs")

    def search_result_stages(self) -> list[str]:
        return []

    def get_context(self, request, *args, **kwargs):
        from ..views.catalog import catalog_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalog_context(self, request))
        return context


class CourseTag(TaggedItemBase):
    content_object = ParentalKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("course tag")
        verbose_name_plural = _("course tags")


class CoursePage(ChineseSearchable, Page):
    # NULL-able so Wagtail's "copy page" makes a draft without a code instead of failing on
    # the unique constraint; the edit form still requires one (blank=False).
    code = models.CharField(
        _("course code"),
        max_length=30,
        unique=True,
        null=True,
        help_text=_("For example QP-XL-2026-01."),
    )
    summary = models.TextField(_("summary"), max_length=1000)
    description = StreamField(
        CourseDescriptionStreamBlock(),
        verbose_name=_("description"),
        blank=True,
        help_text=_("Shown to every signed-in teacher on the course overview."),
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.ForeignKey(
        "courses.TopicCategory",
        verbose_name=_("topic category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
    )
    tags = ClusterTaggableManager(verbose_name=_("tags"), through=CourseTag, blank=True)
    stages = StagesField(
        verbose_name=_("audience (stages)"), help_text=_("Leave empty when it is for every stage.")
    )
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.DISTRICT
    )
    credit_category = models.CharField(
        _("credit category"),
        max_length=12,
        choices=CreditCategory.choices,
        default=CreditCategory.KNOWLEDGE,
    )
    credit_points = models.DecimalField(
        _("credit (学分)"),
        max_digits=5,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    hours = models.DecimalField(
        _("hours (学时)"),
        max_digits=5,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.ONLINE
    )
    enrolment_mode = models.CharField(
        _("enrolment"), max_length=10, choices=EnrolmentMode.choices, default=EnrolmentMode.OPEN
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    enrol_opens = models.DateTimeField(_("enrolment opens"), null=True, blank=True)
    enrol_closes = models.DateTimeField(_("enrolment closes"), null=True, blank=True)
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("prerequisites"),
        blank=True,
        related_name="required_by",
        help_text=_("Courses a teacher must have completed before enrolling."),
    )
    lecturers = ParentalManyToManyField(
        "people.LecturerProfile", verbose_name=_("lecturers"), blank=True, related_name="courses"
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("code"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("topic"),
                FieldPanel("tags"),
                FieldPanel("stages"),
                FieldRowPanel([FieldPanel("level"), FieldPanel("delivery")]),
            ],
            heading=_("Classification"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("credit_category"),
                        FieldPanel("credit_points"),
                        FieldPanel("hours"),
                    ]
                ),
            ],
            heading=_("Credit"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("enrolment_mode"),
                FieldPanel("capacity"),
                FieldRowPanel([FieldPanel("enrol_opens"), FieldPanel("enrol_closes")]),
                FieldPanel("prerequisites"),
            ],
            heading=_("Enrolment"),
        ),
        FieldPanel("lecturers"),
    ]
    segmented_search_sources = ("title", "summary", "description")
    search_fields = [
        *Page.search_fields,
        index.SearchField("code"),
        index.SearchField("summary"),
        index.SearchField("search_segmented"),
        index.FilterField("level"),
    ]

    # Behind the login wall: the site search leaves it out for anonymous visitors.
    search_requires_login = True
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]
    exclude_fields_in_copy = ["code"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enrol_opens__isnull=True)
                | models.Q(enrol_closes__isnull=True)
                | models.Q(enrol_closes__gt=models.F("enrol_opens")),
                name="course_enrol_window_ordered",
            )
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.enrol_opens and self.enrol_closes and self.enrol_closes <= self.enrol_opens:
            raise ValidationError({"enrol_closes": _("Enrolment must close after it opens.")})

    @property
    def stage_labels(self) -> list[str]:
        return stage_labels(self.stages)

    def search_result_stages(self) -> list[str]:
        return self.stage_labels

    def get_context(self, request, *args, **kwargs):
        from ..views.course import course_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_context(self, request))
        return context


class LessonPage(Page):
    """One lesson of a course. Visible to the course's enrolled teachers and to staff only.

    Lessons are left out of site search (no search_fields): their bodies are for the
    enrolled, and a search result would show them to everyone.
    """

    body = StreamField(LessonStreamBlock(), verbose_name=_("body"), blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    completion_criterion = models.CharField(
        _("completion criterion"),
        max_length=12,
        choices=CompletionCriterion.choices,
        default=CompletionCriterion.VIEWED,
    )
    min_score = models.PositiveSmallIntegerField(
        _("minimum score (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "For “H5P activities passed”: every H5P activity of this lesson must reach this score."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("estimated_minutes"),
                FieldRowPanel([FieldPanel("completion_criterion"), FieldPanel("min_score")]),
            ],
            heading=_("Completion"),
        ),
    ]
    search_fields: list = []

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_score__lte=100), name="lesson_min_score_percent"
            )
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if (
            self.completion_criterion == CompletionCriterion.H5P_PASSED
            and not self.h5p_package_ids()
        ):
            raise ValidationError(
                {
                    "completion_criterion": _(
                        "This criterion needs at least one H5P activity in the body."
                    )
                }
            )

    def h5p_package_ids(self) -> list[int]:
        """Ids of the H5P packages played in this lesson's body, in order, without repeats."""
        # Raw block data: reading block.value would load every chosen package.
        ids = []
        for item in self.body.raw_data:
            pk = (item.get("value") or {}).get("package") if item.get("type") == "h5p" else None
            if isinstance(pk, int) and pk not in ids:
                ids.append(pk)
        return ids

    def serve(self, request, *args, **kwargs):
        from ..views.lesson import lesson_serve

        return lesson_serve(self, request, *args, **kwargs)
