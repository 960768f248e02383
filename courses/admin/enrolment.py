"""Admin screens: enrolment approvals (待审核报名) and course assignment (分配课程); also the
login wall of the catalog and course pages (a `before_serve_page` hook).

School admins see and decide requests of their own school's teachers and assign courses to
them; district admins do both for every school. The scope is checked on every URL, not only
by hiding menu items.
"""

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
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from people.models import Stage
from people.selectors import user_is_district_admin

from ..models import Enrollment
from ..selectors.enrolment import (
    courses_assignable,
    enrollments_pending_for,
    schools_for_enrolment_admin,
    teachers_assignable_by,
    teachers_of_stage,
    user_may_manage_enrolments,
)
from ..services.enrolment import enrollment_assign, enrollment_decide
from ..views.catalog import course_pages_require_login

app_name = "courses_enrolment_admin"
PENDING_PAGE_SIZE = 100

hooks.register("before_serve_page", course_pages_require_login)


def enrolment_admin_required(view):
    """School or district admins only; anyone else gets a plain 403 (not Wagtail's redirect,
    which would hide the refusal from scripts and tests)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            if not user_may_manage_enrolments(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return permission_denied(request, exc)

    return wrapper


def _breadcrumbs(label):
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": "", "label": label},
    ]


def _admin_context(title: str, icon: str) -> dict:
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": icon,
        "breadcrumbs_items": _breadcrumbs(title),
    }


# --- Pending requests ------------------------------------------------------------------------


@enrolment_admin_required
def pending(request):
    enrollments = list(enrollments_pending_for(request.user)[:PENDING_PAGE_SIZE])
    context = {
        "enrollments": enrollments,
        "total": enrollments_pending_for(request.user).count()
        if len(enrollments) == PENDING_PAGE_SIZE
        else len(enrollments),
        "is_district_admin": user_is_district_admin(request.user),
        **_admin_context(_("Pending enrolments"), "user"),
    }
    return TemplateResponse(request, "courses/admin/enrolment_pending.html", context)


def _enrollments_in_scope(user):
    """Every enrolment (any status) whose teacher this admin looks after; a repeated decision
    finds its row here after it left the pending list."""
    enrollments = Enrollment.objects.select_related("user", "course")
    if user_is_district_admin(user):
        return enrollments
    return enrollments.filter(user__school_id=user.school_id)


@enrolment_admin_required
@require_POST
def decide(request, pk: int):
    enrollment = get_object_or_404(_enrollments_in_scope(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose whether to approve or reject the request."))
        return redirect(f"{app_name}:pending")
    try:
        enrollment_decide(
            enrollment=enrollment, approve=decision == "approve", decided_by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (
            _("Approved: %(teacher)s in “%(course)s”.")
            if decision == "approve"
            else _("Rejected: %(teacher)s in “%(course)s”.")
        )
        messages.success(
            request,
            text % {"teacher": enrollment.user.full_name, "course": enrollment.course.title},
        )
    return redirect(f"{app_name}:pending")


# --- Assignment ------------------------------------------------------------------------------


class CourseAssignForm(forms.Form):
    TARGET_CHOSEN = "chosen"
    TARGET_STAGE = "stage"

    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"), queryset=courses_assignable(), empty_label="—"
    )
    school = forms.ModelChoiceField(label=gettext_lazy("School"), queryset=None, empty_label="—")
    target = forms.ChoiceField(
        label=gettext_lazy("Assign to"),
        choices=[
            (TARGET_CHOSEN, gettext_lazy("The teachers chosen below")),
            (TARGET_STAGE, gettext_lazy("All teachers of one stage in the school")),
        ],
        initial=TARGET_CHOSEN,
        widget=forms.RadioSelect,
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"), required=False, choices=[("", "—"), *Stage.choices]
    )
    teachers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teachers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Optional; shown to the teachers in “My learning”."),
    )

    def __init__(self, *args, user, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        schools = schools_for_enrolment_admin(user)
        self.fields["school"].queryset = schools
        if not user_is_district_admin(user):
            self.fields["school"].initial = user.school_id
        teachers = teachers_assignable_by(user).select_related("school").order_by("staff_no")
        # Only the chosen school's teachers are listed (a district has thousands).
        self.fields["teachers"].queryset = (
            teachers.filter(school=school) if school is not None else teachers.none()
        )
        self.fields["teachers"].label_from_instance = lambda teacher: (
            f"{teacher.full_name}（{teacher.staff_no}）{teacher.get_stage_display()}"
        )

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target == self.TARGET_STAGE and not data.get("stage"):
            self.add_error("stage", _("Choose the stage whose teachers get the course."))
        if target == self.TARGET_CHOSEN and not data.get("teachers"):
            self.add_error("teachers", _("Choose at least one teacher."))
        return data

    def chosen_users(self):
        data = self.cleaned_data
        if data["target"] == self.TARGET_STAGE:
            return teachers_of_stage(school=data["school"], stage=data["stage"])
        return data["teachers"]


def _chosen_school(request, user):
    """The school whose teachers the form lists: a school admin's own; for a district admin
    the one picked (GET to show its teachers, POST to assign)."""
    schools = schools_for_enrolment_admin(user)
    if not user_is_district_admin(user):
        return schools.first()
    raw = request.POST.get("school") or request.GET.get("school")
    # isascii(): isdigit() alone admits ፩, which int() refuses.
    if not raw or not (raw.isascii() and raw.isdigit()):
        return None
    return schools.filter(pk=int(raw)).first()


@enrolment_admin_required
@require_http_methods(["GET", "POST"])
def assign(request):
    user = request.user
    school = _chosen_school(request, user)
    if request.method == "POST":
        form = CourseAssignForm(request.POST, user=user, school=school)
        if form.is_valid():
            try:
                result = enrollment_assign(
                    course=form.cleaned_data["course"],
                    users=form.chosen_users(),
                    assigned_by=user,
                    due_on=form.cleaned_data["due_on"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "“%(course)s”: assigned to %(assigned)d teachers; "
                        "%(already)d were already enrolled."
                    )
                    % {
                        "course": form.cleaned_data["course"].title,
                        "assigned": result.assigned,
                        "already": result.already,
                    },
                )
                url = reverse(f"{app_name}:assign")
                return redirect(f"{url}?school={school.pk}" if school else url)
    else:
        initial = {"school": school.pk} if school else {}
        form = CourseAssignForm(initial=initial, user=user, school=school)
    context = {
        "form": form,
        "school": school,
        "schools": list(schools_for_enrolment_admin(user)) if user_is_district_admin(user) else [],
        "has_teachers": form.fields["teachers"].queryset.exists(),
        "is_district_admin": user_is_district_admin(user),
        **_admin_context(_("Assign a course"), "group"),
    }
    return TemplateResponse(request, "courses/admin/enrolment_assign.html", context)


urlpatterns = [
    path("pending/", pending, name="pending"),
    path("<int:pk>/decide/", decide, name="decide"),
    path("assign/", assign, name="assign"),
]


@hooks.register("register_admin_urls")
def register_enrolment_admin_urls():
    return [path("course-enrolments/", include((urlpatterns, app_name), namespace=app_name))]


class EnrolmentAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_manage_enrolments(request.user)


class EnrolmentAdminSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return user_may_manage_enrolments(request.user)


@hooks.register("register_admin_menu_item")
def register_enrolment_admin_menu():
    submenu = Menu(
        items=[
            EnrolmentAdminMenuItem(
                gettext_lazy("Pending enrolments"),
                reverse_lazy(f"{app_name}:pending"),
                name="course-enrolments-pending",
                icon_name="user",
                order=100,
            ),
            EnrolmentAdminMenuItem(
                gettext_lazy("Assign a course"),
                reverse_lazy(f"{app_name}:assign"),
                name="course-enrolments-assign",
                icon_name="group",
                order=200,
            ),
        ]
    )
    return EnrolmentAdminSubmenu(
        gettext_lazy("Course enrolments"),
        submenu,
        name="course-enrolments",
        icon_name="list-ul",
        order=212,
    )
