"""The 案例审核 review workflow: the automatic privacy check task, the reviewers' approval
task that re-checks the exact revision it is about to publish, the record of each check,
and the guard that credits each author of a case once."""

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask, Task

from cms.choices import CreditCategory, Level
from people.models import TimeStampedModel


class PrivacyCheckTask(Task):
    """Runs the privacy scanner on the submitted revision as soon as the workflow reaches
    it: personal data found → rejected with the findings listed; none → approved, and the
    workflow moves on to the reviewers. Nobody acts on this task by hand."""

    def start(self, workflow_state, user=None):
        from casebank.services import privacy_check_task_run

        task_state = super().start(workflow_state, user=user)
        privacy_check_task_run(task_state=task_state)
        return task_state

    def get_actions(self, obj, user):
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from wagtail.models import TaskState

        return TaskState.objects.none()

    @classmethod
    def get_description(cls):
        return _(
            "Checks the submitted version for personal data of students and families and "
            "sends it back to the author when it finds any."
        )

    class Meta:
        verbose_name = _("privacy check task")
        verbose_name_plural = _("privacy check tasks")


class CaseReviewTask(GroupApprovalTask):
    """A group approval task (审核员审核) whose approval first re-checks the revision that
    approval would publish: a reviewer's own edits, or an author's fix after a request
    for changes, never reach the public without passing the privacy check."""

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        from casebank.services import case_review_begin, case_review_recheck

        if not case_review_begin(task_state=task_state):
            return None  # someone else acted on this task state first
        if action_name == "approve" and not case_review_recheck(task_state=task_state):
            return None
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve or send back the case; approving re-runs "
            "the privacy check on the version to be published."
        )

    class Meta:
        verbose_name = _("case review task")
        verbose_name_plural = _("case review tasks")


class CasePrivacyScan(TimeStampedModel):
    """The privacy check of one revision of a case: what the scanner found, field by field."""

    class Trigger(models.TextChoices):
        SUBMISSION = "submission", _("Submitted for review")
        APPROVAL = "approval", _("Approved by a reviewer")
        REDACTION = "redaction", _("Placeholders inserted")

    page = models.ForeignKey(
        "casebank.CasePage",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="privacy_scans",
    )
    revision = models.OneToOneField(
        "wagtailcore.Revision",
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        related_name="case_privacy_scan",
    )
    trigger = models.CharField(_("checked when"), max_length=12, choices=Trigger.choices)
    scanned_at = models.DateTimeField(_("checked at"))
    # [{"field", "field_label", "block_path", "kind", "kind_label", "text"}, …]
    findings = models.JSONField(_("findings"), default=list, blank=True)
    finding_count = models.PositiveIntegerField(_("number of findings"), default=0)

    class Meta:
        verbose_name = _("case privacy check")
        verbose_name_plural = _("case privacy checks")
        indexes = [models.Index(fields=["page", "-scanned_at"], name="case_scan_page_idx")]

    def __str__(self):
        return f"{self.page_id} @ {self.revision_id}: {self.finding_count}"


class CaseCredit(TimeStampedModel):
    """One row per (case, author) ever credited for publishing the case: the database-level
    guard that makes `case_published` fire once per author, whatever republishes."""

    case = models.ForeignKey(
        "casebank.CasePage",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="credits",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="case_credits",
    )
    points = models.DecimalField(_("credit (学分)"), max_digits=4, decimal_places=1)
    hours = models.DecimalField(_("hours (学时)"), max_digits=4, decimal_places=1)
    category = models.CharField(_("credit category"), max_length=12, choices=CreditCategory.choices)
    level = models.CharField(_("credit level"), max_length=10, choices=Level.choices)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("case contribution credit")
        verbose_name_plural = _("case contribution credits")
        constraints = [
            models.UniqueConstraint(fields=["case", "author"], name="case_credit_once_per_author")
        ]

    def __str__(self):
        return f"{self.case_id} → {self.author_id}"
