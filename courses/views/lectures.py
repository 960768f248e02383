"""A teacher's lecture actions: register (or join the waiting list), cancel, and the .ics
files of one lecture and of the whole series.

Register and cancel are POSTs (CSRF-checked by the middleware) that call one service, report
the outcome as a message and redirect back to the lecture page; refusals never raise a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..ical import lecture_calendar, series_calendar
from ..models import LecturePage, LectureSeriesPage, RegistrationStatus
from ..selectors.lectures import lectures_for_calendar, user_lecture_states
from ..services.registration import lecture_cancel, lecture_register


def _lecture(lecture_id: int) -> LecturePage:
    return get_object_or_404(LecturePage.objects.live(), pk=lecture_id)


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _back(request, lecture: LecturePage):
    return redirect(lecture.get_url(request) + "#lecture-state")


@require_POST
@login_required
def register(request, lecture_id: int):
    lecture = _lecture(lecture_id)
    try:
        registration = lecture_register(user=request.user, lecture=lecture)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back(request, lecture)
    if registration.status == RegistrationStatus.WAITLISTED:
        position = user_lecture_states(request.user, [lecture.pk])[lecture.pk].position
        messages.success(
            request,
            _(
                "The lecture is full: you are number %(n)d on the waiting list. "
                "You will be notified if a seat becomes free."
            )
            % {"n": position},
        )
    else:
        messages.success(request, _("You are registered for this lecture."))
    return _back(request, lecture)


@require_POST
@login_required
def cancel(request, lecture_id: int):
    lecture = _lecture(lecture_id)
    try:
        lecture_cancel(user=request.user, lecture=lecture)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return _back(request, lecture)


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def lecture_ics(request, lecture_id: int):
    lecture = _lecture(lecture_id)
    content = lecture_calendar(lecture, url=lecture.get_full_url(request))
    return _ics_response(content, f"lecture-{lecture.pk}.ics")


@require_GET
@login_required
def series_ics(request, series_id: int):
    series = get_object_or_404(LectureSeriesPage.objects.live(), pk=series_id)
    lectures = lectures_for_calendar(series, now=timezone.now())
    content = series_calendar(
        series, [(lecture, lecture.get_full_url(request)) for lecture in lectures]
    )
    return _ics_response(content, f"lectures-{series.pk}.ics")


urlpatterns = [
    path("lectures/<int:lecture_id>/register/", register, name="lecture_register"),
    path("lectures/<int:lecture_id>/cancel/", cancel, name="lecture_cancel"),
    path("lectures/<int:lecture_id>/lecture.ics", lecture_ics, name="lecture_ics"),
    path("lectures/series/<int:series_id>/lectures.ics", series_ics, name="lecture_series_ics"),
]
