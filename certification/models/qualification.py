"""Mentor qualification (导师上岗资格): versioned standards the district edits, their
requirements, and each teacher's computed status (DESIGN.md §6).

A standard in use is never edited in place: the admin saves a copy with the next version
and makes it current, so every status keeps pointing at the version it was computed with.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from cms.fields import StagesField, stage_labels
from people.models import TimeStampedModel

# The category selector of a category_hours requirement: "credit:<CreditCategory value>",
# "topic:<TopicCategory slug>" or this value (entries whose topic counted as mentor training).
MENTOR_CATEGORY = "mentor"
CREDIT_PREFIX = "credit:"
TOPIC_PREFIX = "topic:"


class QualificationState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    QUALIFIED = "qualified", _("Qualified")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class RequirementKind(models.TextChoices):
    COURSE_COMPLETED = "course_completed", _("Required course completed")
    CATEGORY_HOURS = "category_hours", _("Minimum hours in a category")
    COURSE_SCORE = "course_score", _("Minimum score on a course assessment")
    LECTURES_ATTENDED = "lectures_attended", _("Minimum lectures attended")


class QualificationStandard(TimeStampedModel, ClusterableModel):
    """Clusterable so the admin edits the requirements inline (InlinePanel)."""

    code = models.SlugField(
        _("code"),
        max_length=30,
        help_text=_("The standard's family code, kept by every version, e.g. mentor."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    stages = StagesField(
        verbose_name=_("stages it applies to"),
        help_text=_("Leave empty when it applies to every stage."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), default=36, validators=[MinValueValidator(1)]
    )
    renewal_hours = models.DecimalField(
        _("hours of mentor training that renew it (学时)"),
        max_digits=5,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Hours in mentor-training topics earned within a validity period extend the "
            "qualification by another period. 0 means it cannot be renewed."
        ),
    )
    expiring_days = models.PositiveSmallIntegerField(
        _("“expiring soon” from (days before expiry)"),
        default=90,
        validators=[MaxValueValidator(3650)],
    )
    effective_from = models.DateField(_("effective from"), default=timezone.localdate)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("qualification standard")
        verbose_name_plural = _("qualification standards")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="qual_standard_version"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(is_current=True),
                name="qual_standard_one_current",
            ),
        ]

    def __str__(self):
        return f"{self.name}（v{self.version}）"

    @property
    def stage_labels(self) -> list[str]:
        return stage_labels(self.stages)


class StandardRequirement(models.Model):
    standard = ParentalKey(
        QualificationStandard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    code = models.SlugField(
        _("code"), max_length=30, help_text=_("Short and stable, e.g. mental-health.")
    )
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=RequirementKind.choices)
    stages = StagesField(
        verbose_name=_("stages it applies to"),
        help_text=_("Leave empty when it applies to every stage of the standard."),
    )
    # Course requirements name the course by its code, resolved when statuses are computed,
    # so a standard may require a course that is not published yet; `course` is a convenience
    # for the admin form, which copies its code.
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    course_code = models.CharField(_("course code"), max_length=30, blank=True)
    category = models.CharField(
        _("category"),
        max_length=60,
        blank=True,
        help_text=_("For hours: a credit category, a topic, or mentor-training topics."),
    )
    min_value = models.DecimalField(
        _("minimum"),
        max_digits=7,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Hours, score in percent, or number of lectures, depending on the kind."),
    )
    window_months = models.PositiveSmallIntegerField(
        _("within the last (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty to count everything ever earned."),
    )
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["standard", "sort_order", "id"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="qual_requirement_code"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if self.code == "renewal":  # the engine's own missing item for renewal hours
            raise ValidationError({"code": _("This code is reserved; choose another.")})
        if self.course_id and not self.course_code:
            self.course_code = self.course.code or ""
        needs_course = self.kind in (RequirementKind.COURSE_COMPLETED, RequirementKind.COURSE_SCORE)
        if needs_course and not self.course_code:
            raise ValidationError({"course_code": _("Choose a course or enter its code.")})
        if self.kind == RequirementKind.CATEGORY_HOURS and not self.category:
            raise ValidationError({"category": _("Choose the category whose hours count.")})
        if self.kind == RequirementKind.COURSE_SCORE and self.min_value > 100:
            raise ValidationError({"min_value": _("A score is a percentage from 0 to 100.")})
        if self.kind != RequirementKind.COURSE_COMPLETED and self.min_value <= 0:
            raise ValidationError({"min_value": _("Enter a minimum above 0.")})

    @property
    def stage_labels(self) -> list[str]:
        return stage_labels(self.stages)


class QualificationStatus(models.Model):
    """One teacher's status for one standard family. Written only by
    `certification.services.qualification` (set-based recompute) and the revoke service."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="qualification_statuses",
    )
    standard_code = models.CharField(_("standard"), max_length=30)
    standard = models.ForeignKey(
        QualificationStandard,
        verbose_name=_("standard version"),
        on_delete=models.PROTECT,
        related_name="statuses",
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=QualificationState.choices,
        default=QualificationState.NOT_STARTED,
    )
    progress = models.DecimalField(
        _("progress (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # [{"code", "label", "have", "need"}] — have/need as numbers (JSON).
    missing = models.JSONField(_("missing"), default=list, blank=True)
    qualified_on = models.DateField(_("qualified on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    changed_at = models.DateTimeField(_("changed at"))
    revoked_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["user_id", "standard_code"]
        verbose_name = _("qualification status")
        verbose_name_plural = _("qualification statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "standard_code"], name="qual_status_user_standard"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="qual_status_progress_percent",
            ),
        ]
        indexes = [
            models.Index(fields=["state"], name="qual_status_state"),
            models.Index(fields=["standard_code", "state"], name="qual_status_code_state"),
            models.Index(fields=["changed_at"], name="qual_status_changed"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.standard_code} {self.state}"

    @property
    def is_valid(self) -> bool:
        return self.state in (QualificationState.QUALIFIED, QualificationState.EXPIRING)


class PendingRecompute(models.Model):
    """A teacher whose statuses must be recomputed because their ledger changed: written in
    the transaction that changed it (so a rolled-back credit leaves none), taken by the
    batch task `certification.recompute_pending_statuses`, deleted once recomputed.

    `claimed_by` is the task run that took the row ("" while waiting). A credit arriving
    while the row is being recomputed sets it back to "", so the row survives that run and
    the teacher is recomputed again with the new entry; a run that died leaves its claim to
    its redelivered self (same task id) or, after CLAIM_STALE, to any run."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("queued at"))
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True, default="")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending qualification recompute")
        verbose_name_plural = _("pending qualification recomputes")
        indexes = [models.Index(fields=["claimed_by", "queued_at"], name="pending_recompute_claim")]

    def __str__(self):
        return f"{self.user_id} {self.claimed_by or '-'}"
