"""The case taxonomy: problem categories (an editable snippet, seeded with the district's
eleven) and the grade bands of Shanghai's 5-4-3 school system."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import TimeStampedModel


class GradeBand(models.TextChoices):
    """年级段. Shanghai: primary 1–5, junior 6–9 (六年级 = 预备), senior 10–12."""

    PRIMARY_LOWER = "p_lower", _("Primary, grades 1–2")
    PRIMARY_UPPER = "p_upper", _("Primary, grades 3–5")
    JUNIOR_LOWER = "j_lower", _("Junior, grades 6–7")
    JUNIOR_UPPER = "j_upper", _("Junior, grades 8–9")
    SENIOR_1 = "s_1", _("Senior, grade 10")
    SENIOR_2 = "s_2", _("Senior, grade 11")
    SENIOR_3 = "s_3", _("Senior, grade 12")


class ProblemCategory(TimeStampedModel):
    """学业压力, 情绪心理, 亲子关系 … edited by the district admin."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    slug = models.SlugField(_("code"), max_length=40, unique=True, allow_unicode=False)
    description = models.TextField(_("description"), blank=True, max_length=500)
    sort_order = models.IntegerField(_("sort order"), default=0, help_text=_("Lower comes first."))

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")

    def __str__(self):
        return self.name
