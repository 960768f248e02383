"""Qualification standards in the admin (district admins edit, school admins and HR read):
the standard with its requirements inline. Saving a standard that statuses were computed
with saves a new version instead (certification.services.standards), then the full
recompute is queued."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.views.generic.models import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from cms.choices import CreditCategory
from courses.models import TopicCategory

from ..models.qualification import (
    CREDIT_PREFIX,
    MENTOR_CATEGORY,
    TOPIC_PREFIX,
    QualificationStandard,
)
from ..services.standards import standard_save


def category_choices():
    """The hour categories a requirement may count: mentor-training topics, a credit
    category, or one topic (read when the form renders)."""
    choices = [("", "---------"), (MENTOR_CATEGORY, _("Mentor-training topics"))]
    choices += [
        (f"{CREDIT_PREFIX}{value}", _("Credit category: %(name)s") % {"name": label})
        for value, label in CreditCategory.choices
    ]
    choices += [
        (f"{TOPIC_PREFIX}{slug}", _("Topic: %(name)s") % {"name": name})
        for slug, name in TopicCategory.objects.order_by("sort_order", "name").values_list(
            "slug", "name"
        )
    ]
    return choices


class StandardForm(WagtailAdminModelForm):
    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.instance.pk is not None:
            if code != self.instance.code:
                raise forms.ValidationError(_("The code of a standard cannot change."))
        elif QualificationStandard.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("A standard with this code exists; edit its current version instead.")
            )
        return code


class SaveThroughServiceMixin:
    def save_instance(self):
        return standard_save(standard=self.form.save(commit=False))


class StandardCreateView(SaveThroughServiceMixin, CreateView):
    pass


class StandardEditView(SaveThroughServiceMixin, EditView):
    def dispatch(self, request, *args, **kwargs):
        standard = QualificationStandard.objects.filter(pk=kwargs.get("pk")).first()
        if standard is not None and not standard.is_current and request.method == "POST":
            messages.error(request, _("Only the current version of a standard can be edited."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)

    def get_success_message(self):
        instance = self.object
        if str(instance.pk) != str(self.kwargs.get("pk")):
            return _(
                "The standard was in use, so the changes were saved as version %(version)s; "
                "statuses are being recomputed."
            ) % {"version": instance.version}
        return _("Standard “%(name)s” saved; statuses are being recomputed.") % {
            "name": instance.name
        }


REQUIREMENT_PANELS = [
    FieldRowPanel([FieldPanel("code"), FieldPanel("label")]),
    FieldRowPanel([FieldPanel("kind"), FieldPanel("sort_order")]),
    FieldPanel("stages"),
    FieldRowPanel([FieldPanel("course"), FieldPanel("course_code")]),
    FieldPanel("category", widget=forms.Select(choices=category_choices)),
    FieldRowPanel([FieldPanel("min_value"), FieldPanel("window_months")]),
]


class QualificationStandardViewSet(ModelViewSet):
    model = QualificationStandard
    icon = "success"
    menu_label = gettext_lazy("Qualification standards")
    menu_order = 306
    add_to_admin_menu = True
    list_display = ["name", "code", "version", "is_current", "validity_months", "renewal_hours"]
    list_filter = ["code", "is_current"]
    ordering = ["code", "-version"]
    copy_view_enabled = False
    inspect_view_enabled = True
    add_view_class = StandardCreateView
    edit_view_class = StandardEditView
    # Our form (code checks, one code per requirement) under Wagtail's panel machinery.
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
            FieldPanel("description"),
            FieldPanel("stages"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("validity_months"), FieldPanel("expiring_days")]),
                    FieldRowPanel([FieldPanel("renewal_hours"), FieldPanel("effective_from")]),
                ],
                heading=gettext_lazy("Validity and renewal"),
            ),
            InlinePanel(
                "requirements",
                panels=REQUIREMENT_PANELS,
                heading=gettext_lazy("Requirements"),
                label=gettext_lazy("Requirement"),
                min_num=1,
            ),
        ],
        base_form_class=StandardForm,
    )


@hooks.register("register_admin_viewset")
def register_standard_viewset():
    return QualificationStandardViewSet("qualification_standards")
