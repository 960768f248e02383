"""The phone form of 投稿案例: plain-text fields a teacher can fill in on WeChat."""

from django import forms
from django.utils.translation import gettext_lazy as _

from people.models import Stage

from ..models import CasePage
from ..models.taxonomy import GradeBand
from .services import TOKEN_PATTERN, CaseSubmissionData

TEXT_MAX = 10000


def _textarea(rows=6):
    return forms.Textarea(attrs={"rows": rows})


class CaseSubmissionForm(forms.Form):
    library = forms.TypedChoiceField(label=_("Case library"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=CasePage._meta.get_field("summary").max_length,
        widget=_textarea(3),
    )
    stages = forms.MultipleChoiceField(
        label=_("Stages"), choices=Stage.choices, widget=forms.CheckboxSelectMultiple
    )
    grade_band = forms.ChoiceField(
        label=_("Grade band"), choices=[("", "—"), *GradeBand.choices], required=False
    )
    categories = forms.TypedMultipleChoiceField(
        label=_("Problem categories"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    background = forms.CharField(
        label=_("Background"),
        max_length=TEXT_MAX,
        widget=_textarea(),
        help_text=_("One paragraph per line. Use pseudonyms such as 小A, 学生甲, 王同学."),
    )
    process = forms.CharField(
        label=_("Process of the guidance"), max_length=TEXT_MAX, widget=_textarea(8), required=False
    )
    strategies = forms.CharField(
        label=_("Strategies"), max_length=TEXT_MAX, widget=_textarea(), required=False
    )
    reflection = forms.CharField(
        label=_("Reflection"), max_length=TEXT_MAX, widget=_textarea(), required=False
    )
    outcome = forms.CharField(
        label=_("Outcome"), max_length=TEXT_MAX, widget=_textarea(), required=False
    )
    privacy_attested = forms.BooleanField(
        label=_("I confirm this case is anonymised"),
        help_text=_(
            "No real names of students or family members, no class, school, address, "
            "phone, ID or student numbers."
        ),
        error_messages={"required": _("Confirm that the case is anonymised.")},
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args, libraries=(), category_choices=(), process_editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].choices = [(library.pk, library.title) for library in libraries]
        if len(self.fields["library"].choices) <= 1:
            # One library (the usual case): nothing to choose.
            self.fields["library"].widget = forms.HiddenInput()
            if libraries:
                self.fields["library"].initial = libraries[0].pk
        self.fields["categories"].choices = list(category_choices)
        if not process_editable:
            del self.fields["process"]

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not TOKEN_PATTERN.match(token):
            raise forms.ValidationError(_("The form has expired. Open it again and resubmit."))
        return token

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Give the case a title."))
        return title

    def submission_data(self) -> CaseSubmissionData:
        data = self.cleaned_data
        return CaseSubmissionData(
            title=data["title"],
            summary=data["summary"].strip(),
            stages=list(data["stages"]),
            grade_band=data.get("grade_band") or "",
            category_ids=list(data.get("categories") or []),
            background=data["background"],
            process=data["process"] if "process" in self.fields else None,
            strategies=data.get("strategies") or "",
            reflection=data.get("reflection") or "",
            outcome=data.get("outcome") or "",
            privacy_attested=data["privacy_attested"],
        )
