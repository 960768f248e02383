"""Enrolments, lesson progress and course evaluations: each row unique per user and thing,
so repeated writes (double clicks, retried tasks) cannot make a second one."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import TimeStampedModel

from ..choices import EnrollmentSource, EnrollmentStatus, LessonStatus


class Enrollment(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    source = models.CharField(
        _("source"), max_length=10, choices=EnrollmentSource.choices, default=EnrollmentSource.SELF
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ACTIVE,
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="enrollment_progress_percent"
            ),
        ]
        indexes = [models.Index(fields=["course", "status"], name="enrollment_course_status")]

    def __str__(self):
        return f"{self.user} · {self.course}"


class LessonProgress(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="lesson_progress",
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="+"
    )
    # Denormalised so a course's progress is one indexed count.
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("course"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LessonStatus.choices, default=LessonStatus.STARTED
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=4, null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(_("seconds spent"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked complete by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mark_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_progress_unique")
        ]
        indexes = [models.Index(fields=["user", "course", "status"], name="progress_user_course")]


class CourseEvaluation(TimeStampedModel):
    """The teacher's 课程评价; Shanghai grants credit only once it is submitted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="course_evaluations",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000)

    class Meta:
        verbose_name = _("course evaluation")
        verbose_name_plural = _("course evaluations")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="course_evaluation_unique"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="course_evaluation_rating_1_5",
            ),
        ]
