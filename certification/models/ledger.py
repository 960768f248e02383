"""The credit ledger (学分/学时台账): append-only. Entries are written only by
`certification.services.ledger`; a correction is a reversal entry, never an edit. Each
entry carries the hash of the same user's previous entry, so `verify_ledger` can name the
first row that was changed behind the application's back."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.choices import CreditCategory, Level


class LedgerImmutableError(Exception):
    """Raised on any attempt to change or delete a ledger entry."""


class CreditSource(models.TextChoices):
    COURSE = "course", _("Course completed")
    LECTURE = "lecture", _("Lecture attended")
    CASE = "case", _("Case published")
    IMPORT = "import", _("Imported training record")
    MANUAL = "manual", _("Manual entry")


class CreditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutableError("credit entries cannot be updated")

    def delete(self):
        raise LedgerImmutableError("credit entries cannot be deleted")

    def effective(self):
        """Entries that count: neither a reversal nor reversed (one query, no join)."""
        return self.filter(reverses__isnull=True, reversed_by__isnull=True)


class CreditEntry(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="credit_entries",
    )
    points = models.DecimalField(_("credit (学分)"), max_digits=6, decimal_places=2)
    hours = models.DecimalField(_("hours (学时)"), max_digits=6, decimal_places=1)
    category = models.CharField(_("credit category"), max_length=12, choices=CreditCategory.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    # Topic of the training (courses.TopicCategory slug) and whether it counts as mentor
    # training — snapshots, so later edits of the taxonomy do not rewrite history.
    topic = models.CharField(_("topic"), max_length=50, blank=True)
    mentor_topic = models.BooleanField(_("mentor training"), default=False)
    title = models.CharField(_("what"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=CreditSource.choices)
    # The natural key of what earned the credit within its source (a page id, an import key);
    # with `source` and `user` it makes awards idempotent.
    source_ref = models.CharField(_("source reference"), max_length=100)
    source_object_id = models.BigIntegerField(_("source object"), null=True, blank=True)
    awarded_on = models.DateField(_("awarded on"))
    cycle = models.ForeignKey(
        "certification.CreditCycle",
        verbose_name=_("cycle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_at = models.DateTimeField(_("recorded at"))
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "id"]
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        default_permissions = ("add", "view")
        constraints = [
            # One award per source object and teacher, whatever the retries.
            models.UniqueConstraint(
                fields=["user", "source", "source_ref"],
                condition=models.Q(reverses__isnull=True),
                name="credit_entry_once_per_source",
            ),
        ]
        indexes = [
            # Each teacher's chain in order: the latest hash (one index probe per award) and
            # verify_ledger's walk by (user, id) without sorting the table.
            models.Index(fields=["user", "id"], name="credit_user_chain"),
            models.Index(fields=["user", "awarded_on"], name="credit_user_awarded"),
            models.Index(fields=["source", "source_object_id"], name="credit_source_object"),
            models.Index(fields=["cycle", "user"], name="credit_cycle_user"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.title} {self.points}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise LedgerImmutableError("credit entries cannot be changed; add a reversal")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError("credit entries cannot be deleted; add a reversal")
