"""Qualification standards in the admin (district admins edit, school admins and HR read):
the standard with its requirements inline. Saving a standard that statuses were computed
with saves a new version instead (certification.services.standards), then the full
recompute is queued."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
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
from people.models import User
from people.selectors import user_is_district_admin

from ..models.qualification import (
    CREDIT_PREFIX,
    MENTOR_CATEGORY,
    TOPIC_PREFIX,
    QualificationStandard,
    QualificationState,
    QualificationStatus,
)
from ..services.qualification import qualification_revoke, qualification_unrevoke
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


# --- Revoking a teacher's qualification by hand (district admins) --------------------------

REVOKED_LIMIT = 200
revoke_app_name = "qualification_revoke"


def district_admin_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not user_is_district_admin(request.user):
            return permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return wrapper


class RevokeForm(forms.Form):
    staff_no = forms.CharField(label=gettext_lazy("Staff number"), max_length=32)
    standard_code = forms.ChoiceField(label=gettext_lazy("Standard"))
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard_code"].choices = list(
            QualificationStandard.objects.filter(is_current=True)
            .order_by("code")
            .values_list("code", "name")
        )

    def clean_staff_no(self):
        staff_no = self.cleaned_data["staff_no"].strip()
        user = User.objects.filter(staff_no=staff_no, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user with this staff number."))
        self.user = user
        return staff_no


def _revoke_context(form) -> dict:
    title = _("Revoked qualifications")
    return {
        "form": form,
        "revoked": list(
            QualificationStatus.objects.filter(state=QualificationState.REVOKED)
            .select_related("user__school", "revoked_by")
            .order_by("-revoked_at", "-pk")[:REVOKED_LIMIT]
        ),
        "page_title": title,
        "header_title": title,
        "header_icon": "warning",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": "", "label": title},
        ],
    }


@district_admin_only
@require_http_methods(["GET", "POST"])
def revoke_index(request):
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            qualification_revoke(
                user=form.user,
                standard_code=form.cleaned_data["standard_code"],
                reason=form.cleaned_data["reason"],
                revoked_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Revoked the qualification of %(name)s.") % {"name": form.user},
            )
            return redirect(f"{revoke_app_name}:index")
    return TemplateResponse(
        request, "certification/admin/standards/revoke.html", _revoke_context(form)
    )


@district_admin_only
@require_POST
def revoke_lift(request, pk: int):
    status = get_object_or_404(QualificationStatus, pk=pk, state=QualificationState.REVOKED)
    qualification_unrevoke(user=status.user, standard_code=status.standard_code)
    messages.success(
        request,
        _("Lifted the revocation of %(name)s; the status was recomputed.") % {"name": status.user},
    )
    return redirect(f"{revoke_app_name}:index")


revoke_urlpatterns = [
    path("", revoke_index, name="index"),
    path("<int:pk>/lift/", revoke_lift, name="lift"),
]


@hooks.register("register_admin_urls")
def register_revoke_urls():
    return [
        path(
            "qualification-revocations/",
            include((revoke_urlpatterns, revoke_app_name), namespace=revoke_app_name),
        )
    ]


class RevokeMenuItem(MenuItem):
    def is_shown(self, request):
        return user_is_district_admin(request.user)


@hooks.register("register_settings_menu_item")
def register_revoke_menu_item():
    return RevokeMenuItem(
        gettext_lazy("Revoked qualifications"),
        reverse_lazy(f"{revoke_app_name}:index"),
        icon_name="warning",
        order=610,
    )
