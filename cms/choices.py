"""Choice lists shared by the content apps (courses, casebank) and the credit ledger, so
siblings need not import each other (DESIGN.md §3, §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("City level")
    DISTRICT = "district", _("District level")
    SCHOOL = "school", _("School level")


class CreditCategory(models.TextChoices):
    """Shanghai's four kinds of training credit (DESIGN.md §6)."""

    ETHICS = "ethics", _("Professional ethics")
    KNOWLEDGE = "knowledge", _("Knowledge and skills")
    PRACTICE = "practice", _("Practice and experience")
    SELF_STUDY = "self_study", _("Self-directed study")
