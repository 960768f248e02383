"""Lecture attendance and feedback: the one place that records an attendance, whatever the
method (QR, typed code, attendance list, manual mark, replay), and sends `lecture_attended`
exactly once when the attendance becomes creditable."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from ..choices import CompletionCriterion
from ..models import (
    Attendance,
    AttendanceMethod,
    LectureFeedback,
    LecturePage,
    LectureSeriesPage,
    LessonPage,
)
from ..signals import lecture_attended


def lecture_feedback_required(lecture: LecturePage) -> bool:
    """Whether the lecture's series counts attendance only after the teacher's feedback
    (read from `series_feedback_required` when the check-in's lecture query carried it)."""
    annotated = getattr(lecture, "series_feedback_required", None)
    if annotated is not None:
        return bool(annotated)
    required = (
        LectureSeriesPage.objects.filter(path=lecture.path[: -Page.steplen])
        .values_list("feedback_required", flat=True)
        .first()
    )
    return bool(required)


def _attended_send(*, attendance: Attendance, lecture: LecturePage) -> None:
    lecture_attended.send(
        sender=LecturePage,
        user=attendance.user,
        lecture=lecture,
        attendance=attendance,
        hours=lecture.credit_hours,
    )


def _attendance_credit(*, attendance: Attendance, lecture: LecturePage, now: datetime) -> bool:
    """Mark the attendance credited and send `lecture_attended`, once: the conditional UPDATE
    lets exactly one of any racing callers through."""
    credited = Attendance.objects.filter(pk=attendance.pk, credited_at__isnull=True).update(
        credited_at=now
    )
    if not credited:
        return False
    attendance.credited_at = now
    _attended_send(attendance=attendance, lecture=lecture)
    return True


@transaction.atomic
def attendance_record(
    *,
    user,
    lecture: LecturePage,
    method: str,
    recorded_by=None,
    reason: str = "",
    now: datetime | None = None,
) -> tuple[Attendance, bool]:
    """Record that the user attended the lecture. Returns (attendance, created); a repeat is a
    no-op returning the existing row. Credits at once unless the series requires feedback."""
    now = now or timezone.now()
    if method not in AttendanceMethod.values:
        raise ValidationError(_("Unknown attendance method: %(method)s.") % {"method": method})
    existing = Attendance.objects.filter(user=user, lecture=lecture).first()
    if existing is not None:
        return existing, False
    # Credited in the INSERT itself when the series needs no feedback: only the request whose
    # INSERT succeeds gets here (a racing one hits the unique constraint), so this is the
    # once-only credit without the conditional UPDATE the feedback path needs.
    credit_now = not lecture_feedback_required(lecture)
    attendance = Attendance(
        user=user,
        lecture=lecture,
        method=method,
        checked_in_at=now,
        recorded_by=recorded_by,
        reason=(reason or "").strip()[:200],
        credited_at=now if credit_now else None,
    )
    # The foreign keys are model instances we were handed; validating them would cost a
    # query each on the check-in hot path. The unique constraint is enforced by the database.
    attendance.full_clean(exclude=["user", "lecture", "recorded_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:
        # A concurrent request recorded it first.
        return Attendance.objects.get(user=user, lecture=lecture), False
    if credit_now:
        _attended_send(attendance=attendance, lecture=lecture)
    return attendance, True


def lectures_crediting_replay(*, lesson_id: int, now: datetime):
    """Live lectures whose replay lesson is `lesson_id` and whose replay counts at `now`: the
    lecture has ended and the replay deadline (a local date, inclusive) has not passed."""
    return LecturePage.objects.live().filter(
        Q(replay_credit_until__isnull=True) | Q(replay_credit_until__gte=timezone.localdate(now)),
        replay_lesson_id=lesson_id,
        ends_at__lte=now,
    )


def attendance_replay_record(
    *, user, lesson: LessonPage, now: datetime | None = None
) -> list[Attendance]:
    """Called when `user` has just completed `lesson`: records a REPLAY attendance at every
    lecture naming it as its replay lesson, when the completion counts (H5P-passed lesson,
    after the lecture ended, by the deadline). One query when no lecture names the lesson.
    An existing attendance (live check-in) is kept as it is. Returns the new attendances.
    Not atomic itself (each attendance_record is): the caller's transaction holds it, and
    a savepoint pair here would cost two queries on every completion."""
    if lesson.completion_criterion != CompletionCriterion.H5P_PASSED:
        return []
    now = now or timezone.now()
    recorded = []
    for lecture in lectures_crediting_replay(lesson_id=lesson.pk, now=now):
        attendance, created = attendance_record(
            user=user, lecture=lecture, method=AttendanceMethod.REPLAY, now=now
        )
        if created:
            recorded.append(attendance)
    return recorded


@transaction.atomic
def lecture_feedback_submit(
    *,
    user,
    lecture: LecturePage,
    rating: int,
    comment: str = "",
    now: datetime | None = None,
) -> tuple[LectureFeedback, bool]:
    """Submit the teacher's feedback on a lecture (once; a repeat returns the first, unchanged).
    Only attendees may give it, and only once the lecture has started. When the series needs
    feedback for credit, this is what credits the attendance."""
    now = now or timezone.now()
    attendance = Attendance.objects.filter(user=user, lecture=lecture).first()
    if attendance is None:
        raise ValidationError(_("Only teachers who attended this lecture can give feedback."))
    if now < lecture.starts_at:
        raise ValidationError(_("Feedback opens when the lecture starts."))
    existing = LectureFeedback.objects.filter(user=user, lecture=lecture).first()
    if existing is not None:
        return existing, False
    try:
        rating = int(rating)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")}) from exc
    feedback = LectureFeedback(
        user=user, lecture=lecture, rating=rating, comment=(comment or "").strip()
    )
    feedback.full_clean(exclude=["user", "lecture"], validate_constraints=False)
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:
        return LectureFeedback.objects.get(user=user, lecture=lecture), False
    if attendance.credited_at is None:
        _attendance_credit(attendance=attendance, lecture=lecture, now=now)
    return feedback, True
