"""Model fields shared by page types: the 学段 (stage) multi-select."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import Stage


class StagesField(models.JSONField):
    """A list of `people.models.Stage` values, edited as checkboxes.

    JSON rather than three booleans so courses, lectures and cases can reuse it; values are
    kept in Stage order so labels read 小学、初中、高中 whatever order they were ticked in.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("verbose_name", _("stages"))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        defaults = {
            "choices": Stage.choices,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
            "widget": kwargs.get("widget") or forms.CheckboxSelectMultiple,
        }
        return forms.TypedMultipleChoiceField(coerce=str, **defaults)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname) or []
        ordered = [stage for stage in Stage.values if stage in value]
        setattr(model_instance, self.attname, ordered)
        return ordered


def stage_labels(stages) -> list[str]:
    """Stage values -> their (translated) labels, unknown values dropped."""
    return [str(Stage(stage).label) for stage in Stage.values if stage in (stages or [])]
