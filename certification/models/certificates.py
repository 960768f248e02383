"""Certificates anyone can verify (结业证书, 导师资格证明, 学时证明), the per-year serial
counter, and the background jobs that generate certificates in bulk and export HR reports.

A certificate is issued once per natural key (holder, kind, subject_key): issuing again finds
the same row. Its serial (QP-2026-000123) is allocated from a per-year counter; its
verification code is random (100 bits) and is all the public page at /verify/<code>/ needs.
The PDF is private media, served only through access-checked views.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import School, TimeStampedModel

from .cycles import CreditCycle


class CertificateKind(models.TextChoices):
    COURSE = "course", _("Course completion certificate")
    QUALIFICATION = "qualification", _("Mentor qualification certificate")
    TRANSCRIPT = "transcript", _("Training-hours transcript")


class CertificateValidity(models.TextChoices):
    """What the verification page says; computed from the row and today's date."""

    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Certificate(TimeStampedModel):
    serial = models.CharField(_("serial number"), max_length=20, unique=True, editable=False)
    code = models.CharField(_("verification code"), max_length=32, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=14, choices=CertificateKind.choices)
    # The natural key that makes issuing idempotent, e.g. "course:42", "mentor:2026-03-01",
    # "cycle:1:<ledger head hash>".
    subject_key = models.CharField(_("subject"), max_length=120, editable=False)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # Snapshots at issue: the certificate states what was true when it was issued.
    holder_name = models.CharField(_("holder's name"), max_length=50)
    school_name = models.CharField(_("school"), max_length=100, blank=True)
    title = models.CharField(_("what was achieved"), max_length=200)
    hours = models.DecimalField(
        _("hours (学时)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    points = models.DecimalField(
        _("credit (学分)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cycle = models.ForeignKey(
        CreditCycle,
        verbose_name=_("credit cycle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    standard_code = models.CharField(_("qualification standard"), max_length=30, blank=True)
    # Kind-specific content frozen at issue (a transcript's totals and entries).
    details = models.JSONField(_("details"), default=dict, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf = models.FileField(_("PDF"), upload_to="certificates/%Y/", blank=True)
    # Bumped whenever the content changes (renewal), so a stale render is redone.
    content_version = models.PositiveIntegerField(_("content version"), default=1)
    rendered_version = models.PositiveIntegerField(_("rendered version"), default=0)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        default_permissions = ("view",)
        permissions = [("revoke_certificate", _("Can revoke certificates"))]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "kind", "subject_key"], name="certificate_natural_key"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "issued_on"], name="certificate_kind_issued"),
        ]

    def __str__(self):
        return f"{self.serial} {self.holder_name} {self.title}"

    def validity(self, today: datetime.date | None = None) -> str:
        if self.revoked_at:
            return CertificateValidity.REVOKED
        today = today or timezone.localdate()
        if self.expires_on and self.expires_on < today:
            return CertificateValidity.EXPIRED
        return CertificateValidity.VALID

    @property
    def needs_render(self) -> bool:
        return not self.pdf or self.rendered_version < self.content_version


class CertificateSerial(models.Model):
    """The last serial number used in a year: incremented with one UPDATE under the
    transaction, so two issuers never get the same number."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("certificate serial counter")
        verbose_name_plural = _("certificate serial counters")
        default_permissions = ()

    def __str__(self):
        return f"{self.year}: {self.last}"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BackgroundJob(TimeStampedModel):
    """A long job with a progress bar: total/processed, status and a summary."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def progress_percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.processed * 100 / self.total))

    @property
    def is_running(self) -> bool:
        return self.status in {JobStatus.PENDING, JobStatus.RUNNING}


class CertificateBatch(BackgroundJob):
    """The district admin's "generate (or regenerate) every certificate of a school or a
    cycle" action."""

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    cycle = models.ForeignKey(
        CreditCycle,
        verbose_name=_("credit cycle"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kinds = models.JSONField(_("kinds"), default=list)
    regenerate = models.BooleanField(_("regenerate existing PDFs"), default=False)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        default_permissions = ("add", "view")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=False) | models.Q(cycle__isnull=False),
                name="certificate_batch_has_scope",
            )
        ]


class ReportExport(BackgroundJob):
    """An HR report exported to XLSX in the background; the file is private media, served
    to the user who asked for it."""

    filters = models.JSONField(_("filters"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="exports/hr/%Y/%m/", blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("HR report export")
        verbose_name_plural = _("HR report exports")
        default_permissions = ("add", "view")
