"""One uploaded training-record file (admin upload of import_training): checked in the
background, previewed, then recorded on confirm — the roster import's flow."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import School, TimeStampedModel


class TrainingImport(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be checked")
        VALIDATING = "validating", _("Checking")
        INVALID = "invalid", _("Has errors")
        VALID = "valid", _("Ready to import")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to="imports/training/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    school_scope = models.ForeignKey(
        School,
        verbose_name=_("limited to school"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set for school admins: rows for other schools' teachers are errors."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training-record import")
        verbose_name_plural = _("training-record imports")
        default_permissions = ("add", "view")

    def __str__(self):
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if self.status in {self.Status.VALID, self.Status.INVALID, self.Status.APPLIED}:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.VALIDATING, self.Status.APPLYING}
