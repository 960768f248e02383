"""Topic categories of courses and lectures (心理健康, 家校沟通, 导师工作 …), edited by admins."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import TimeStampedModel


class TopicCategory(TimeStampedModel):
    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("code"), max_length=50, unique=True, allow_unicode=False)
    description = models.TextField(_("description"), blank=True, max_length=500)
    is_mentor_topic = models.BooleanField(
        _("counts as mentor training"),
        default=False,
        help_text=_("Hours in this category count towards the mentor qualification's renewal."),
    )
    sort_order = models.IntegerField(_("sort order"), default=0, help_text=_("Lower comes first."))

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("topic category")
        verbose_name_plural = _("topic categories")

    def __str__(self):
        return self.name
