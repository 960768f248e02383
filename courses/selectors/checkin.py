"""Reads for lecture check-in: who may show the display, its live state, and the teacher's
attendance box on the lecture page."""

from datetime import datetime

import segno
from django.urls import reverse
from django.utils import timezone

from people.selectors import user_is_district_admin

from ..models import Attendance, LectureFeedback, LecturePage
from ..services.attendance import lecture_feedback_required
from ..services.checkin import (
    checkin_code,
    checkin_code_expires_in,
    checkin_step,
    checkin_step_seconds,
    checkin_window,
    checkin_window_error,
)

QR_SCALE = 8


def user_may_display_checkin(user, lecture: LecturePage) -> bool:
    """The lecture's own active lecturers (LecturePage.lecturers → LecturerProfile.user) and
    district administrators."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user_is_district_admin(user):
        return True
    return lecture.lecturers.filter(user=user, is_active=True).exists()


def lecture_checkin_url(lecture: LecturePage, request=None, code: str = "") -> str:
    """The absolute check-in URL the QR encodes."""
    url = reverse("courses:lecture_checkin", args=[lecture.pk])
    if code:
        url = f"{url}?c={code}"
    if request is not None:
        return request.build_absolute_uri(url)
    return url


def checkin_display_state(lecture: LecturePage, request, now: datetime | None = None) -> dict:
    """What the display shows now: code, QR (inline SVG), seconds to rotation, attendances."""
    now = now or timezone.now()
    code = checkin_code(lecture, checkin_step(now))
    url = lecture_checkin_url(lecture, request, code)
    svg = segno.make(url, error="m").svg_inline(scale=QR_SCALE, border=2)
    return {
        "code": code,
        "svg": svg,
        "url": url,
        "expires_in": checkin_code_expires_in(now),
        "step_seconds": checkin_step_seconds(),
        "attended": Attendance.objects.filter(lecture=lecture).count(),
        "closed": checkin_window_error(lecture, now),
    }


def lecture_attendance_box(lecture: LecturePage, request, now: datetime | None = None) -> dict:
    """Context of templates/courses/includes/lecture_attendance_box.html under the key
    `attendance_box`: check-in form, "checked in (how, when)", feedback form or thanks."""
    now = now or timezone.now()
    user = request.user
    box: dict = {"show": False}
    if not getattr(user, "is_authenticated", False):
        opens, closes = checkin_window(lecture)
        box.update(show=opens <= now <= closes, anonymous=True)
        return box
    attendance = Attendance.objects.filter(user=user, lecture=lecture).first()
    opens, closes = checkin_window(lecture)
    box.update(
        show=attendance is not None or opens <= now <= closes,
        anonymous=False,
        attendance=attendance,
        checkin_open=opens <= now <= closes,
        checkin_url=lecture_checkin_url(lecture),
        may_display=user_may_display_checkin(user, lecture),
    )
    if attendance is not None and now >= lecture.starts_at:
        box["feedback"] = LectureFeedback.objects.filter(user=user, lecture=lecture).first()
        box["ratings"] = range(1, 6)
        box["feedback_url"] = reverse("courses:lecture_feedback", args=[lecture.pk])
        box["feedback_required"] = lecture_feedback_required(lecture)
    if box["may_display"]:
        box["show"] = True
        box["display_url"] = reverse("courses:lecture_checkin_display", args=[lecture.pk])
    return box
