"""Credit cycles (e.g. 十五五 2026–2030) and their requirement matrix of minima by credit
category, by level, or by a category × level cell (DESIGN.md §6)."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.choices import CreditCategory, Level
from people.models import TimeStampedModel


class CreditCycle(TimeStampedModel):
    name = models.CharField(_("name"), max_length=50, unique=True, help_text=_("e.g. 十五五"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    min_total_points = models.DecimalField(
        _("minimum total credit (学分)"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("credit cycle")
        verbose_name_plural = _("credit cycles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="credit_cycle_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.starts_on:%Y}–{self.ends_on:%Y}）"

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The cycle must end after it starts.")})


class CycleRequirement(models.Model):
    """One minimum of a cycle's matrix: a category row (level empty), a level column
    (category empty) or a single cell (both set)."""

    cycle = models.ForeignKey(
        CreditCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="requirements"
    )
    category = models.CharField(
        _("credit category"), max_length=12, choices=CreditCategory.choices, blank=True
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, blank=True)
    min_points = models.DecimalField(
        _("minimum credit (学分)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["cycle", "category", "level"]
        verbose_name = _("cycle requirement")
        verbose_name_plural = _("cycle requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "category", "level"], name="cycle_requirement_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(category="", level=""),
                name="cycle_requirement_has_category_or_level",
            ),
        ]

    def __str__(self):
        parts = [
            self.get_category_display() if self.category else "",
            self.get_level_display() if self.level else "",
        ]
        return " × ".join(p for p in parts if p) + f" ≥ {self.min_points}"
