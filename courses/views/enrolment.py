"""A teacher's enrolment actions on a course page: enrol, withdraw, submit the evaluation.

Each is a POST (CSRF-checked by the middleware) that calls one service, reports the outcome
as a message and redirects back to the course page; refusals never raise a 500.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..choices import EnrollmentStatus
from ..models import CoursePage
from ..services.completion import course_evaluation_submit
from ..services.enrolment import enrollment_request, enrollment_withdraw


class CourseEvaluationForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a rating from 1 to 5."),
            "invalid_choice": gettext_lazy("Choose a rating from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Write a short comment about the course."),
            "max_length": gettext_lazy("Keep the comment under 2000 characters."),
        },
    )


def _course(course_id: int) -> CoursePage:
    return get_object_or_404(CoursePage.objects.live(), pk=course_id)


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


@require_POST
@login_required
def enrol(request, course_id: int):
    course = _course(course_id)
    try:
        enrollment = enrollment_request(user=request.user, course=course)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if enrollment.status == EnrollmentStatus.PENDING:
            messages.success(
                request,
                _("Your request was sent; your school administrator will review it."),
            )
        else:
            messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect(course.get_url(request))


@require_POST
@login_required
def unenrol(request, course_id: int):
    course = _course(course_id)
    try:
        enrollment_withdraw(user=request.user, course=course)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("You have left this course."))
    return redirect(course.get_url(request))


@require_POST
@login_required
def evaluate(request, course_id: int):
    course = _course(course_id)
    form = CourseEvaluationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(course.get_url(request) + "#evaluation")
    try:
        course_evaluation_submit(
            user=request.user,
            course=course,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Thank you for your evaluation."))
    return redirect(course.get_url(request) + "#evaluation")


urlpatterns = [
    path("courses/<int:course_id>/enrol/", enrol, name="course_enrol"),
    path("courses/<int:course_id>/unenrol/", unenrol, name="course_unenrol"),
    path("courses/<int:course_id>/evaluate/", evaluate, name="course_evaluate"),
]
