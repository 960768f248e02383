"""Lecture check-in: the lecturer's full-screen display (rotating QR and code, polled state),
the teacher's check-in (confirm page, POST only) and the post-lecture feedback.

Any active account may check in (lectures are district-wide and walk-ins attend without
registering); only the lecture's lecturers and district administrators see the display.
"""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Page

from cms.hotpath import live_page_get, live_page_sql, parent_path_sql

from ..models import Attendance, AttendanceMethod, LecturePage, LectureSeriesPage
from ..selectors.checkin import (
    checkin_display_state,
    lecture_checkin_url,
    user_may_display_checkin,
)
from ..services.attendance import lecture_feedback_submit
from ..services.checkin import CheckinRateLimited, checkin_window_error, lecture_checkin


class CheckinCodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("6-digit check-in code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\d{6}"}
        ),
        error_messages={
            "required": gettext_lazy("Type the 6-digit code shown on the screen."),
            "invalid": gettext_lazy("The check-in code has exactly 6 digits."),
        },
    )
    via = forms.CharField(required=False, widget=forms.HiddenInput)


class LectureFeedbackForm(forms.Form):
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
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("Keep the comment under 2000 characters.")},
    )


def _lecture(lecture_id: int) -> LecturePage:
    return get_object_or_404(LecturePage.objects.live(), pk=lecture_id)


@functools.cache
def _checkin_lecture_sql() -> str:
    series, page = LectureSeriesPage._meta.db_table, Page._meta.db_table
    return live_page_sql(
        LecturePage,
        f"""(SELECT ls.feedback_required FROM {series} ls
            INNER JOIN {page} sp ON sp.id = ls.page_ptr_id
            WHERE sp.path = {parent_path_sql()}) AS series_feedback_required""",  # noqa: S608
    )


def _checkin_lecture(lecture_id: int) -> LecturePage:
    """The live lecture with its series' feedback rule read in the same query (the check-in
    credits at once unless the series requires feedback), as `series_feedback_required`.
    In SQL (cms.hotpath): every teacher at the lecture posts here within minutes, and the
    ORM form of this query cost 1.2 ms of CPU each."""
    lecture = live_page_get(
        LecturePage,
        _checkin_lecture_sql(),
        [Page.steplen, lecture_id],
        ("series_feedback_required",),
    )
    if lecture is None:
        raise Http404
    return lecture


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _display_lecture(request, lecture_id: int) -> LecturePage:
    lecture = _lecture(lecture_id)
    if not user_may_display_checkin(request.user, lecture):
        raise PermissionDenied(_("Only the lecturers of this lecture can show its check-in code."))
    return lecture


@never_cache
@require_GET
@login_required
def checkin_display(request, lecture_id: int):
    lecture = _display_lecture(request, lecture_id)
    state = checkin_display_state(lecture, request)
    return render(
        request,
        "courses/checkin_display.html",
        {
            "lecture": lecture,
            "state": state,
            "state_url": reverse("courses:lecture_checkin_display_state", args=[lecture.pk]),
        },
    )


@never_cache
@require_GET
@login_required
def checkin_display_state_json(request, lecture_id: int):
    lecture = _display_lecture(request, lecture_id)
    return JsonResponse(checkin_display_state(lecture, request))


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def checkin(request, lecture_id: int):
    """GET shows the confirm page (never checks in); POST checks in with the code."""
    lecture = _checkin_lecture(lecture_id)
    status = 200
    if request.method == "POST":
        form = CheckinCodeForm(request.POST)
        if form.is_valid():
            method = (
                AttendanceMethod.QR if form.cleaned_data["via"] == "qr" else AttendanceMethod.CODE
            )
            try:
                _attendance, created = lecture_checkin(
                    user=request.user,
                    lecture=lecture,
                    code=form.cleaned_data["code"].strip(),
                    method=method,
                )
            except CheckinRateLimited as error:
                form.add_error(None, str(error))
                status = 429
            except ValidationError as error:
                form.add_error(None, _error_text(error))
                status = 400
            else:
                if created:
                    messages.success(request, _("Checked in. Thank you for attending."))
                else:
                    messages.info(request, _("You have already checked in to this lecture."))
                # Without the request: Wagtail's cached site root paths, not a Site query.
                return redirect(lecture.get_url() or "/")
        else:
            status = 400
    else:
        code = request.GET.get("c", "")
        code = code if len(code) == 6 and code.isdigit() else ""
        form = CheckinCodeForm(initial={"code": code, "via": "qr" if code else "code"})

    attendance = Attendance.objects.filter(user=request.user, lecture=lecture).first()
    return render(
        request,
        "courses/checkin_confirm.html",
        {
            "lecture": lecture,
            "form": form,
            # After a failed POST the teacher types the code: the scanned one may have expired.
            "from_qr": request.method == "GET" and bool(form["code"].value()),
            "attendance": attendance,
            "window_error": checkin_window_error(lecture, timezone.now()),
            "checkin_url": lecture_checkin_url(lecture),
        },
        status=status,
    )


@require_POST
@login_required
def feedback(request, lecture_id: int):
    lecture = _lecture(lecture_id)
    form = LectureFeedbackForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(lecture.get_url(request) or "/")
    try:
        _feedback, created = lecture_feedback_submit(
            user=request.user,
            lecture=lecture,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if created:
            messages.success(request, _("Thank you for your feedback."))
        else:
            messages.info(request, _("You have already given feedback on this lecture."))
    return redirect(lecture.get_url(request) or "/")


urlpatterns = [
    path("lectures/checkin/<int:lecture_id>/", checkin, name="lecture_checkin"),
    path(
        "lectures/<int:lecture_id>/checkin-display/",
        checkin_display,
        name="lecture_checkin_display",
    ),
    path(
        "lectures/<int:lecture_id>/checkin-display/state/",
        checkin_display_state_json,
        name="lecture_checkin_display_state",
    ),
    path("lectures/<int:lecture_id>/feedback/", feedback, name="lecture_feedback"),
]
