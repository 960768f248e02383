"""Choice lists of courses shared by models, forms, filters and (later) the credit ledger."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Re-exported: courses code imports them from here; casebank and the ledger from cms.
from cms.choices import CreditCategory, Level  # noqa: F401


class Delivery(models.TextChoices):
    ONLINE = "online", _("Online")
    LIVE = "live", _("Face to face")
    BLENDED = "blended", _("Blended")


class EnrolmentMode(models.TextChoices):
    OPEN = "open", _("Open enrolment")
    APPROVAL = "approval", _("Enrolment with approval")
    ASSIGNED = "assigned", _("Assigned by an administrator")


class CompletionCriterion(models.TextChoices):
    VIEWED = "viewed", _("Viewed")
    H5P_PASSED = "h5p_passed", _("H5P activities passed with a minimum score")
    LECTURER = "lecturer", _("Marked complete by the lecturer")


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EnrollmentSource(models.TextChoices):
    SELF = "self", _("Self-enrolled")
    ASSIGNED = "assigned", _("Assigned")
    IMPORT = "import", _("Imported")


class LessonStatus(models.TextChoices):
    STARTED = "started", _("In progress")
    COMPLETED = "completed", _("Completed")


class H5PStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")
