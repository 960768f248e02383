"""H5P packages, where lessons use them, results, raw xAPI statements and resume state."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import TimeStampedModel

from ..choices import H5PStatus


def h5p_upload_to(instance, filename):
    return f"h5p/uploads/{filename}"


class H5PPackage(TimeStampedModel):
    """An uploaded `.h5p` file. It is validated and extracted by a Celery task before any
    lesson can play it; `extracted_path` is its folder in media storage."""

    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("H5P file"), upload_to=h5p_upload_to, max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=H5PStatus.choices,
        default=H5PStatus.PENDING,
        editable=False,
    )
    errors = models.JSONField(_("errors"), default=list, blank=True, editable=False)
    main_library = models.CharField(_("main library"), max_length=255, blank=True, editable=False)
    h5p_json = models.JSONField(_("h5p.json"), default=dict, blank=True, editable=False)
    extracted_path = models.CharField(_("extracted to"), max_length=255, blank=True, editable=False)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("H5P package")
        verbose_name_plural = _("H5P packages")

    def __str__(self):
        return self.title

    @property
    def is_playable(self) -> bool:
        return self.status == H5PStatus.VALID and bool(self.extracted_path)


class LessonPackage(models.Model):
    """Which live lessons play which package: kept in step with lesson bodies on publish,
    so file access and xAPI checks need one indexed query instead of parsing StreamFields."""

    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.CASCADE, related_name="+")
    package = models.ForeignKey(H5PPackage, on_delete=models.CASCADE, related_name="lesson_links")
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("lesson H5P activity")
        verbose_name_plural = _("lesson H5P activities")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "package"], name="lesson_package_unique")
        ]

    def __str__(self):
        return f"{self.lesson_id} → {self.package_id}"


class H5PResult(TimeStampedModel):
    """The server's record of one teacher's attempts at one package in one lesson."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_results"
    )
    package = models.ForeignKey(H5PPackage, on_delete=models.CASCADE, related_name="results")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_scaled = models.DecimalField(_("last score"), max_digits=5, decimal_places=4, null=True)
    best_scaled = models.DecimalField(_("best score"), max_digits=5, decimal_places=4, null=True)
    last_raw = models.DecimalField(_("last raw score"), max_digits=9, decimal_places=2, null=True)
    max_raw = models.DecimalField(_("maximum raw score"), max_digits=9, decimal_places=2, null=True)
    success = models.BooleanField(_("passed"), default=False)
    completed = models.BooleanField(_("completed"), default=False)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True)

    class Meta:
        verbose_name = _("H5P result")
        verbose_name_plural = _("H5P results")
        constraints = [
            models.UniqueConstraint(fields=["user", "package", "lesson"], name="h5p_result_unique"),
            models.CheckConstraint(
                condition=models.Q(best_scaled__isnull=True)
                | models.Q(best_scaled__gte=0, best_scaled__lte=1),
                name="h5p_result_best_scaled_range",
            ),
        ]


class XAPIStatement(models.Model):
    """Every statement the xAPI endpoint accepted, as received (the actor is replaced by the
    session's user). The statement id is unique, so a replay is a no-op."""

    statement_id = models.UUIDField(_("statement id"), unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    package = models.ForeignKey(H5PPackage, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(_("verb"), max_length=255)
    scaled = models.DecimalField(_("scaled score"), max_digits=5, decimal_places=4, null=True)
    counted = models.BooleanField(
        _("counted for completion"),
        default=False,
        help_text=_("A top-level answered or completed statement with a valid score."),
    )
    raw = models.JSONField(_("statement"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        indexes = [models.Index(fields=["user", "lesson"], name="xapi_user_lesson")]

    def __str__(self):
        return f"{self.verb} ({self.statement_id})"


class H5PUserData(TimeStampedModel):
    """H5P's resume state (contentUserData) per user, package and sub-content."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    package = models.ForeignKey(H5PPackage, on_delete=models.CASCADE, related_name="+")
    data_type = models.CharField(max_length=64, default="state")
    sub_content_id = models.CharField(max_length=64, default="0")
    data = models.TextField()

    class Meta:
        verbose_name = _("H5P saved state")
        verbose_name_plural = _("H5P saved states")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "package", "data_type", "sub_content_id"],
                name="h5p_user_data_unique",
            )
        ]
