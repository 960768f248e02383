"""The monthly lecture series (每月专题讲座): LectureSeriesPage → LecturePage, registrations
with a waiting list, attendance (how it was recorded) and feedback."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.fields import StagesField, stage_labels
from cms.search.segment import ChineseSearchable
from people.models import TimeStampedModel

from ..blocks import CourseDescriptionStreamBlock
from ..choices import CompletionCriterion
from .pages import LessonPage


def new_checkin_secret() -> str:
    return secrets.token_hex(32)


class LectureSeriesPage(ChineseSearchable, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=1000)
    feedback_required = models.BooleanField(
        _("feedback required for credit"),
        default=True,
        help_text=_("Attendance counts for credit only after the teacher's feedback."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("feedback_required")]
    segmented_search_sources = ("title", "intro")
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("search_segmented"),
    ]

    # Behind the login wall: the site search leaves it out for anonymous visitors.
    search_requires_login = True
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.LecturePage"]

    class Meta:
        verbose_name = _("lecture series")
        verbose_name_plural = _("lecture series")

    def search_result_stages(self) -> list[str]:
        return []

    def get_context(self, request, *args, **kwargs):
        from ..views.lecture_pages import series_context

        context = super().get_context(request, *args, **kwargs)
        context.update(series_context(self, request))
        return context


class LecturePage(ChineseSearchable, Page):
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    summary = models.TextField(_("summary"), max_length=1000)
    body = StreamField(CourseDescriptionStreamBlock(), verbose_name=_("details"), blank=True)
    lecturers = ParentalManyToManyField(
        "people.LecturerProfile", verbose_name=_("lecturers"), blank=True, related_name="lectures"
    )
    topic = models.ForeignKey(
        "courses.TopicCategory",
        verbose_name=_("topic category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    stages = StagesField(
        verbose_name=_("audience (stages)"), help_text=_("Leave empty when it is for every stage.")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("Leave empty to close registration when the lecture starts."),
    )
    credit_hours = models.DecimalField(
        _("credit hours for attendance (学时)"),
        max_digits=4,
        decimal_places=1,
        default=2,
        validators=[MinValueValidator(0)],
    )
    related_chapters = ParentalManyToManyField(
        "cms.HandbookChapterPage", verbose_name=_("handbook chapters"), blank=True, related_name="+"
    )
    slides = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("slides"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replay = StreamField(
        CourseDescriptionStreamBlock(),
        verbose_name=_("replay"),
        blank=True,
        help_text=_("The recording, shown after the lecture."),
    )
    # Replay attendance: passing this lesson's H5P quiz after the lecture counts as attending.
    replay_lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("replay lesson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Optional: a published lesson holding the recording and an H5P quiz (completion "
            "criterion “H5P activities passed”). Teachers who pass it after the lecture has "
            "ended are counted as attending."
        ),
    )
    replay_credit_until = models.DateField(
        _("replay counts until"),
        null=True,
        blank=True,
        help_text=_("Last day on which passing the replay quiz counts. Leave empty for no limit."),
    )
    # The key of the rotating check-in codes (HMAC of the time step); never shown.
    checkin_secret = models.CharField(max_length=64, default=new_checkin_secret, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldPanel("venue"),
                FieldPanel("online_url"),
            ],
            heading=_("When and where"),
        ),
        FieldPanel("lecturers"),
        MultiFieldPanel(
            [FieldPanel("topic"), FieldPanel("stages"), FieldPanel("credit_hours")],
            heading=_("Classification"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("capacity"),
                FieldRowPanel(
                    [FieldPanel("registration_opens"), FieldPanel("registration_closes")]
                ),
            ],
            heading=_("Registration"),
        ),
        FieldPanel("body"),
        FieldPanel("related_chapters"),
        InlinePanel("case_links", heading=_("Related cases"), label=_("case")),
        MultiFieldPanel(
            [
                FieldPanel("slides"),
                FieldPanel("replay"),
                FieldPanel("replay_lesson"),
                FieldPanel("replay_credit_until"),
            ],
            heading=_("After the lecture"),
        ),
    ]
    segmented_search_sources = ("title", "summary", "body")
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("search_segmented"),
        index.FilterField("starts_at"),
    ]

    # Behind the login wall: the site search leaves it out for anonymous visitors.
    search_requires_login = True
    parent_page_types = ["courses.LectureSeriesPage"]
    subpage_types: list[str] = []
    exclude_fields_in_copy = ["checkin_secret"]

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="lecture_ends_after_start",
            )
        ]

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The lecture must end after it starts.")})
        if (
            self.registration_opens
            and self.registration_closes
            and self.registration_closes <= self.registration_opens
        ):
            raise ValidationError(
                {"registration_closes": _("Registration must close after it opens.")}
            )
        self._clean_replay()

    def _clean_replay(self):
        if self.replay_lesson_id is None:
            if self.replay_credit_until:
                raise ValidationError(
                    {"replay_credit_until": _("Choose a replay lesson, or leave this empty.")}
                )
            return
        lesson = (
            LessonPage.objects.filter(pk=self.replay_lesson_id)
            .values("live", "completion_criterion")
            .first()
        )
        if lesson is None or not lesson["live"]:
            raise ValidationError({"replay_lesson": _("The replay lesson must be published.")})
        if lesson["completion_criterion"] != CompletionCriterion.H5P_PASSED:
            raise ValidationError(
                {
                    "replay_lesson": _(
                        "The replay lesson must be completed by passing its H5P activities "
                        "(completion criterion “H5P activities passed”)."
                    )
                }
            )
        if (
            self.replay_credit_until
            and self.ends_at
            and self.replay_credit_until < timezone.localdate(self.ends_at)
        ):
            raise ValidationError(
                {"replay_credit_until": _("The replay deadline cannot be before the lecture ends.")}
            )

    @property
    def stage_labels(self) -> list[str]:
        return stage_labels(self.stages)

    def search_result_stages(self) -> list[str]:
        return self.stage_labels

    def get_context(self, request, *args, **kwargs):
        from ..views.lecture_pages import lecture_context

        context = super().get_context(request, *args, **kwargs)
        context.update(lecture_context(self, request))
        return context


class LectureCaseLink(Orderable):
    """A case (casebank.CasePage) taught in the lecture. casebank is a sibling app: the case
    is named by model string only, never imported (DESIGN.md §3)."""

    lecture = ParentalKey(LecturePage, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey(
        "casebank.CasePage", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("case", "casebank.CasePage")]

    class Meta(Orderable.Meta):
        verbose_name = _("related case")
        verbose_name_plural = _("related cases")
        constraints = [
            models.UniqueConstraint(fields=["lecture", "case"], name="lecture_case_link_unique")
        ]

    def __str__(self):
        return f"{self.lecture_id} → {self.case_id}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class LectureRegistration(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="lecture_registrations",
    )
    lecture = models.ForeignKey(
        LecturePage,
        verbose_name=_("lecture"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    # Waiting-list order: when the teacher (last) joined it.
    queued_at = models.DateTimeField(_("joined the waiting list"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lecture registration")
        verbose_name_plural = _("lecture registrations")
        constraints = [
            models.UniqueConstraint(fields=["user", "lecture"], name="lecture_registration_unique")
        ]
        indexes = [models.Index(fields=["lecture", "status"], name="lecture_reg_status")]

    def __str__(self):
        return f"{self.user} · {self.lecture}"


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("QR code")
    CODE = "code", _("Typed code")
    UPLOAD = "upload", _("Attendance list")
    MANUAL = "manual", _("Marked by hand")
    REPLAY = "replay", _("Replay and quiz")


class Attendance(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="lecture_attendances",
    )
    lecture = models.ForeignKey(
        LecturePage, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="attendances"
    )
    method = models.CharField(_("how"), max_length=10, choices=AttendanceMethod.choices)
    checked_in_at = models.DateTimeField(_("checked in at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Set once lecture_attended has been sent (after the feedback when the series needs it).
    credited_at = models.DateTimeField(_("credited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["user", "lecture"], name="attendance_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.lecture}"


class LectureFeedback(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="lecture_feedback",
    )
    lecture = models.ForeignKey(
        LecturePage, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("lecture feedback")
        verbose_name_plural = _("lecture feedback")
        constraints = [
            models.UniqueConstraint(fields=["user", "lecture"], name="lecture_feedback_unique"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="lecture_feedback_rating_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.lecture}"


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "day", _("The day before")
    HOUR_BEFORE = "hour", _("One hour before")


class LectureReminder(models.Model):
    """One row per reminder sent: the unique constraint makes a second run send nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lecture = models.ForeignKey(LecturePage, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lecture reminder")
        verbose_name_plural = _("lecture reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lecture", "kind"], name="lecture_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.lecture_id}/{self.user_id}/{self.kind}"
